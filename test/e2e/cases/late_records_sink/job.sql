-- As late_records_counted, but late records are kept: written to the table named by
-- 'fintrans.late-records.sink', its columns taken by name from the source row (in its own order).
SET 'fintrans.late-records.sink' = 'late_tx';

CREATE TABLE tx (
  ts TIMESTAMP(3),
  acct STRING,
  amount BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE totals (window_start TIMESTAMP(3), acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');

CREATE TABLE late_tx (acct STRING, amount BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out/late.csv', 'format' = 'csv');

INSERT INTO totals
SELECT window_start, acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, acct;
