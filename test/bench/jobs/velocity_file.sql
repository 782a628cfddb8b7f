-- Bench copy of jobs/velocity.sql: the same OVER windows and sink, reading a FILE instead of a topic
-- (input/transactions.csv in the case's working directory, as the other bench jobs).
--
-- velocity.sql — a sudden burst of spending.
--
-- Each transfer with its sender's spend over the hour and over the 24 hours up to it (OVER windows
-- on event time: a transfer counts itself, transfers of the same second count each other), and an
-- alert when the hour's spend is more than five times the sender's average hourly spend of the day
-- (its 24 h spend / 24) while the sender also spent before that hour (without history every
-- sender's first hour would be a burst). Rows wait for the watermark before they are computed, so
-- each alert is final when it is written (insert-only): one row per alerting transfer. State is a
-- day of each sender's transfers (the OVER window frees older ones). Reads the seeds' semicolon
-- records from topic 'transactions'; writes output/velocity.csv.

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

-- Flink computes one OVER window per SELECT: the day's spend first, then the hour's over those rows
-- (an OVER aggregate keeps its input's time attribute).
CREATE VIEW daily AS
SELECT tx_time, sender, receiver, amount, ts,
       SUM(amount) OVER w_day AS spend_24h,
       COUNT(*)    OVER w_day AS transfers_24h
FROM transactions
WINDOW w_day AS (PARTITION BY sender ORDER BY ts RANGE BETWEEN INTERVAL '24' HOUR PRECEDING AND CURRENT ROW);

CREATE VIEW hourly AS
SELECT tx_time, sender, receiver, amount, spend_24h, transfers_24h,
       SUM(amount) OVER w_hour AS spend_1h,
       COUNT(*)    OVER w_hour AS transfers_1h
FROM daily
WINDOW w_hour AS (PARTITION BY sender ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);

CREATE TABLE velocity_alerts (
  tx_time       STRING,
  sender        BIGINT,
  receiver      BIGINT,
  amount        BIGINT,
  spend_1h      BIGINT,
  transfers_1h  BIGINT,
  spend_24h     BIGINT,
  transfers_24h BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/velocity.csv',
  'format' = 'csv'
);

-- spend_1h > 5 * spend_24h / 24, without the integer division's rounding.
INSERT INTO velocity_alerts
SELECT tx_time, sender, receiver, amount, spend_1h, transfers_1h, spend_24h, transfers_24h
FROM hourly
WHERE spend_1h * 24 > spend_24h * 5
  AND transfers_24h > transfers_1h;
