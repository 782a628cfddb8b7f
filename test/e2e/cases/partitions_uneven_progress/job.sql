-- A directory source: each file is a split with its own watermark, and the table's watermark is
-- the minimum over the files still being read. a_fast.csv runs an hour ahead of b_slow.csv, yet
-- nothing of b_slow.csv is late: the slow file holds the windows open. (Read one record per file
-- in turn: --batch-size 1.)
CREATE TABLE tx (ts TIMESTAMP(3), acct STRING, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'tx', 'format' = 'csv');

CREATE TABLE totals (window_start TIMESTAMP(3), acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');

INSERT INTO totals
SELECT window_start, acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, acct;
