-- spending_pattern_es.sql — the PyFlink banking example (jobs/spending_pattern.sql) with its
-- up: manual — needs an Elasticsearch/OpenSearch node (npm run search -- --port 9200)
-- results written to Elasticsearch / OpenSearch instead of a CSV file.
--
-- Same query; the sink has a PRIMARY KEY, so each (customer, window) is one document with the
-- _id 'customer_2017-07-23T10:00': running the job again, or replaying after a crash, overwrites
-- the same documents instead of adding copies. Times are written ISO-8601, which the index maps
-- as dates.
--
-- Run it (a local node: `npm run search -- --port 9200`):
--   fintrans-sql generate --format json --count 50000 --to transactions-data
--   fintrans-sql run jobs/spending_pattern_es.sql --from-beginning --until-idle 2s
--   curl 'localhost:9200/spending-pattern/_search?pretty'

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
  'connector' = 'kafka',
  'topic' = 'transactions-data',
  'properties.group.id' = 'spending-pattern-es',
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
  last_transaction_time         TIMESTAMP(3),
  PRIMARY KEY (customer, last_transaction_time) NOT ENFORCED
) WITH (
  'connector' = 'elasticsearch-7',
  'hosts' = 'http://localhost:9200',
  'index' = 'spending-pattern',
  'json.timestamp-format.standard' = 'ISO-8601'
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
