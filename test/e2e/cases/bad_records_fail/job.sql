-- Without 'csv.ignore-parse-errors' the first bad line stops the job, naming the file:line, the
-- record and the reason, with a hint.
CREATE TABLE transactions (ts TIMESTAMP(3), acct STRING, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE totals (acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');

INSERT INTO totals
SELECT acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, acct;
