-- Bad lines are skipped and counted with 'csv.ignore-parse-errors': a non-number amount, a short
-- line, a line without delimiters, a month 13.
CREATE TABLE transactions (ts TIMESTAMP(3), acct STRING, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.ignore-parse-errors' = 'true');

CREATE TABLE totals (acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');

INSERT INTO totals
SELECT acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, acct;
