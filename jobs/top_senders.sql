-- top_senders.sql — who moves the most money in each city, every 10 minutes.
--
-- Per city and 10-minute tumbling window, the three senders with the largest total sent, with their
-- rank, total and number of transfers: a window Top-N (ROW_NUMBER() over a window aggregate's
-- rows, partitioned by window and city). Equal totals are ranked by the smaller account number, so
-- the result never depends on arrival order. A window's ranking is computed once the watermark
-- passes its end and is final (insert-only), so it goes straight into a CSV file; the window's
-- state is freed then. Reads the fintrans city topics (one topic per city, space-separated
-- `sender receiver amount` records, the city from the topic name); writes output/top_senders.csv.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --format fintrans --count 300000 --to cities
--   fintrans-sql run jobs/top_senders.sql --from-beginning --until-idle 2s

CREATE TABLE city_transactions (
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  city     STRING METADATA FROM 'topic' VIRTUAL,
  ts       TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'London;NYC;SF;Moscow;Tokyo',
  'properties.group.id' = 'top-senders',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ' ',
  'csv.ignore-parse-errors' = 'true'
);

CREATE VIEW sender_totals AS
SELECT window_start, window_end, city, sender, SUM(amount) AS total, COUNT(*) AS transfers
FROM TABLE(TUMBLE(TABLE city_transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTE))
GROUP BY window_start, window_end, city, sender;

CREATE TABLE top_senders (
  city         STRING,
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  rank_in_city BIGINT,
  sender       BIGINT,
  total        BIGINT,
  transfers    BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/top_senders.csv',
  'format' = 'csv'
);

INSERT INTO top_senders
SELECT city, window_start, window_end, rn, sender, total, transfers
FROM (
  SELECT city, window_start, window_end, sender, total, transfers,
         ROW_NUMBER() OVER (PARTITION BY window_start, window_end, city ORDER BY total DESC, sender) AS rn
  FROM sender_totals
)
WHERE rn <= 3;
