-- Bench case (i): jobs/laundering.sql's query with a 1-hour TUMBLE, on 2 M records over only 500
-- accounts, read from a file. Each hour holds ~35 000 distinct (sender, receiver) pairs and about one
-- in seven of them sums over 10 000, so the window group lookup, the window's emit and the CSV sink
-- carry the load (≈ 265 000 alert rows) rather than the reading. Same working-directory layout as
-- laundering_file.sql: input/ and output/ relative to the case's folder.

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'input/transactions.csv',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE TABLE laundering_alerts (
  sender       BIGINT,
  receiver     BIGINT,
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  total        BIGINT,
  transfers    BIGINT,
  amounts      STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/laundering.csv',
  'format' = 'csv'
);

INSERT INTO laundering_alerts
SELECT sender, receiver, window_start, window_end,
       SUM(amount)                              AS total,
       COUNT(*)                                 AS transfers,
       LISTAGG(CAST(amount AS STRING), ' ')     AS amounts
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
