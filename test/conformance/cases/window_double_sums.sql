-- SUM and AVG of DOUBLE to the last digit in TUMBLE and HOP windows and a running GROUP BY. Flink
-- aggregates windows in two phases: partial sums per local flush (each time the watermark passes a
-- window end of the grid), added up in order; HOP slices merged newest first (local-flush.ts).
-- conformance: data tx dcos
-- conformance: updating out_avg_running sender
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_avg_tumble (sender BIGINT, window_start TIMESTAMP(3), a DOUBLE, s3 DOUBLE, s7 DOUBLE, ai BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'tumble.csv', 'format' = 'csv');
CREATE TABLE out_avg_hop (sender BIGINT, window_start TIMESTAMP(3), a DOUBLE, s3 DOUBLE)
WITH ('connector' = 'filesystem', 'path' = 'hop.csv', 'format' = 'csv');
CREATE TABLE out_avg_running (sender BIGINT, a DOUBLE, s3 DOUBLE)
WITH ('connector' = 'filesystem', 'path' = 'running.csv', 'format' = 'csv');

INSERT INTO out_avg_tumble
SELECT sender, window_start, AVG(CAST(amount AS DOUBLE) / 7), SUM(CAST(amount AS DOUBLE) / 3), SUM(CAST(amount AS DOUBLE) / 7),
       AVG(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;

INSERT INTO out_avg_hop
SELECT sender, window_start, AVG(CAST(amount AS DOUBLE) / 7), SUM(CAST(amount AS DOUBLE) / 3)
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;

INSERT INTO out_avg_running
SELECT sender, AVG(CAST(amount AS DOUBLE) / 7), SUM(CAST(amount AS DOUBLE) / 3)
FROM tx
GROUP BY sender;
