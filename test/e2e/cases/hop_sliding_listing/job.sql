-- The original Flink FinancialTransactionJob as SQL: per ordered (sender, receiver) pair, a
-- 10-minute window sliding by 2 minutes; alert when the window's total is strictly above 10000,
-- listing the window's transactions. Watermark: largest timestamp seen - 1 ms.
-- 3 -> 7 alerts in five overlapping windows; 4 -> 8 totals exactly 10000 (no alert), and 8 -> 4
-- is another pair (direction matters).
CREATE TABLE transactions (
  tx_time STRING,
  sender BIGINT,
  receiver BIGINT,
  amount BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'yyyy-MM-dd''T''HH:mm:ssX'),
  WATERMARK FOR ts AS ts - INTERVAL '0.001' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE fraud (
  sender BIGINT,
  receiver BIGINT,
  window_start TIMESTAMP(3),
  window_end TIMESTAMP(3),
  first_tx TIMESTAMP(3),
  last_tx TIMESTAMP(3),
  total BIGINT,
  transactions STRING
) WITH ('connector' = 'filesystem', 'path' = 'out/fraud.csv', 'format' = 'csv');

INSERT INTO fraud
SELECT sender, receiver, window_start, window_end, MIN(ts), MAX(ts), SUM(amount),
       LISTAGG(DATE_FORMAT(ts, 'HH:mm:ss') || ' ' || CAST(amount AS STRING), ' | ')
FROM TABLE(HOP(TABLE transactions, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
