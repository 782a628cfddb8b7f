-- TUMBLE window TVF: window_start/end/time, COUNT(*), SUM, MIN, MAX, AVG on BIGINT and DOUBLE.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_tumble (
  sender BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), window_time TIMESTAMP(3),
  n BIGINT, total BIGINT, lo BIGINT, hi BIGINT, avg_int BIGINT, avg_dbl DOUBLE
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_tumble
SELECT sender, window_start, window_end, window_time,
       COUNT(*), SUM(amount), MIN(amount), MAX(amount), AVG(amount), AVG(CAST(amount AS DOUBLE))
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY sender, window_start, window_end, window_time;
