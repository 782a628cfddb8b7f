-- The PyFlink banking job: JSON transactions, out of order by up to a minute; 10-hour tumbling
-- windows (epoch-aligned: ... 08:00-18:00, 18:00-04:00) per customer written with the legacy
-- GROUP BY TUMBLE(...) syntax. Keep customers that paid more in store than online, at least 3
-- times, with their last position inside the area.
-- Alice qualifies (her 09:00:30 transfer arrives after 09:01); Bob has 2 transactions; Carol paid
-- more online; Dave's last lon is 20.62 (not < 20.62); Erin qualifies in 08:00-18:00 thanks to two
-- transfers that arrive after her 18:00:10 one, and has 1 transaction in 18:00-04:00.
CREATE TABLE transactions (
  customer STRING,
  transaction_type STRING,
  online_payment_amount DOUBLE,
  in_store_payment_amount DOUBLE,
  lat DOUBLE,
  lon DOUBLE,
  transaction_datetime TIMESTAMP(3),
  WATERMARK FOR transaction_datetime AS transaction_datetime - INTERVAL '60' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'transactions.json',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601',
  'json.fail-on-missing-field' = 'true'
);

CREATE TABLE supermarket_case (
  customer STRING,
  count_transactions BIGINT,
  total_online_payment_amount DOUBLE,
  total_in_store_payment_amount DOUBLE,
  lat DOUBLE,
  lon DOUBLE,
  last_transaction_time TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'out/supermarket_case.csv', 'format' = 'csv');

INSERT INTO supermarket_case
SELECT customer,
       COUNT(transaction_type) AS count_transactions,
       SUM(online_payment_amount) AS total_online_payment_amount,
       SUM(in_store_payment_amount) AS total_in_store_payment_amount,
       LAST_VALUE(lat) AS lat,
       LAST_VALUE(lon) AS lon,
       TUMBLE_END(transaction_datetime, INTERVAL '10' HOUR) AS last_transaction_time
FROM transactions
GROUP BY TUMBLE(transaction_datetime, INTERVAL '10' HOUR), customer
HAVING SUM(online_payment_amount) < SUM(in_store_payment_amount)
   AND COUNT(transaction_type) >= 3
   AND LAST_VALUE(lon) > 20.20 AND LAST_VALUE(lon) < 20.62
   AND LAST_VALUE(lat) > 44.57 AND LAST_VALUE(lat) < 44.91;
