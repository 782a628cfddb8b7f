-- SELECT DISTINCT (a GROUP BY over the selected columns, as Flink plans it), over rows and over
-- the rows of a window aggregation.
-- conformance: data tx dcos
-- conformance: updating out_distinct sender,receiver,big
-- conformance: updating out_distinct_windows sender,busy
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_distinct (sender BIGINT, receiver BIGINT, big BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_distinct
SELECT DISTINCT sender, receiver, amount > 2500
FROM tx
WHERE sender <> receiver;

CREATE TABLE out_distinct_windows (sender BIGINT, busy BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

INSERT INTO out_distinct_windows
SELECT DISTINCT sender, COUNT(*) > 3
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;
