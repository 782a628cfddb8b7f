-- laundering test
CREATE TABLE transactions (
  tx_time STRING,
  sender BIGINT,
  receiver BIGINT,
  amount BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE alerts (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), total BIGINT, n BIGINT, transfers STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/alerts.csv', 'format' = 'csv');

INSERT INTO alerts
SELECT sender, receiver, window_start, window_end, SUM(amount), COUNT(*), LISTAGG(CAST(amount AS STRING), ' ')
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
