-- One-minute windows, watermark 5 s behind. 10:01:06 moves the watermark to 10:01:01, which fires
-- [10:00, 10:01): the 10:00:59 and 10:00:58 transfers after it are late; 10:02:30 fires
-- [10:01, 10:02), so 10:01:59 is late, while 10:02:00 still counts. Late records are dropped and counted.
CREATE TABLE tx (
  ts TIMESTAMP(3),
  acct STRING,
  amount BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE totals (window_start TIMESTAMP(3), acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');

INSERT INTO totals
SELECT window_start, acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, acct;
