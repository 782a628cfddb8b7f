-- Two INSERTs read one source with the same one-minute windows; a record late for both is one late
-- record: counted once and written once to the late-records table.
SET 'fintrans.late-records.sink' = 'late_tx';

CREATE TABLE tx (
  ts TIMESTAMP(3),
  acct STRING,
  amount BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE totals (window_start TIMESTAMP(3), acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');

CREATE TABLE largest (window_start TIMESTAMP(3), acct STRING, largest BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/largest.csv', 'format' = 'csv');

CREATE TABLE late_tx (acct STRING, amount BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out/late.csv', 'format' = 'csv');

INSERT INTO totals
SELECT window_start, acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, acct;

INSERT INTO largest
SELECT window_start, acct, MAX(amount)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, acct;
