-- Bench copy of jobs/laundering.sql: the same query and sink, reading a FILE instead of a topic.
-- The bench runs it with the working directory set to a per-case folder whose input/ holds (a link
-- to) the generated records, so this file needs no absolute paths.

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
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
