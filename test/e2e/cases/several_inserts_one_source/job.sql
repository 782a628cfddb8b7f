-- One source, two INSERTs: 10-minute totals above 10000 to a CSV file, and every single transfer
-- of 9000 or more to a JSON-lines file. The source is read once; each record reaches both queries.
CREATE TABLE transactions (
  ts TIMESTAMP(3),
  sender BIGINT,
  receiver BIGINT,
  amount BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE window_alerts (sender BIGINT, receiver BIGINT, window_end TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/window_alerts.csv', 'format' = 'csv');

CREATE TABLE large_transfers (sender BIGINT, receiver BIGINT, amount BIGINT, note STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/large_transfers.json', 'format' = 'json');

INSERT INTO window_alerts
SELECT sender, receiver, window_end, SUM(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;

INSERT INTO large_transfers
SELECT sender, receiver, amount, CAST(sender AS STRING) || ' -> ' || CAST(receiver AS STRING)
FROM transactions
WHERE amount >= 9000;
