-- Bench copy of jobs/spending_pattern.sql (the PyFlink JSON job): same query and sink, reading a
-- FILE of JSON lines (input/transactions.json in the case's working directory) instead of a topic.

CREATE TABLE transactions_data (
  customer                STRING,
  transaction_type        STRING,
  online_payment_amount   DOUBLE,
  in_store_payment_amount DOUBLE,
  lat                     DOUBLE,
  lon                     DOUBLE,
  transaction_datetime    TIMESTAMP(3),
  WATERMARK FOR transaction_datetime AS transaction_datetime - INTERVAL '60' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'input/transactions.json',
  'format' = 'json',
  'json.fail-on-missing-field' = 'true',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TABLE spending_pattern (
  customer                      STRING,
  count_transactions            BIGINT,
  total_online_payment_amount   DOUBLE,
  total_in_store_payment_amount DOUBLE,
  lat                           DOUBLE,
  lon                           DOUBLE,
  last_transaction_time         TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/spending_pattern.csv',
  'format' = 'csv'
);

INSERT INTO spending_pattern
SELECT customer,
       COUNT(transaction_type)      AS count_transactions,
       SUM(online_payment_amount)   AS total_online_payment_amount,
       SUM(in_store_payment_amount) AS total_in_store_payment_amount,
       LAST_VALUE(lat)              AS lat,
       LAST_VALUE(lon)              AS lon,
       TUMBLE_END(transaction_datetime, INTERVAL '10' HOUR) AS last_transaction_time
FROM transactions_data
GROUP BY TUMBLE(transaction_datetime, INTERVAL '10' HOUR), customer
HAVING SUM(online_payment_amount) < SUM(in_store_payment_amount)
   AND COUNT(transaction_type) >= 3
   AND LAST_VALUE(lon) < 20.62 AND LAST_VALUE(lon) > 20.20
   AND LAST_VALUE(lat) < 44.91 AND LAST_VALUE(lat) > 44.57;
