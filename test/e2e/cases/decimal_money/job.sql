-- Money as DECIMAL(12, 2): sums are exact (0.1 + 0.2 is 0.30, 9999999999.99 + 0.01 is
-- 10000000000.00), SUM gives DECIMAL(38, 2) and AVG DECIMAL(38, 6), rounded half up (0.02 / 3).
CREATE TABLE tx (ts TIMESTAMP(3), acct STRING, amount DECIMAL(12, 2), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE money (acct STRING, total DECIMAL(20, 2), average DECIMAL(38, 6), smallest DECIMAL(12, 2), largest DECIMAL(12, 2), n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/money.csv', 'format' = 'csv');

INSERT INTO money
SELECT acct, SUM(amount), AVG(amount), MIN(amount), MAX(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' DAY))
GROUP BY window_start, window_end, acct;
