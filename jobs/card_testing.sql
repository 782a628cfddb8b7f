-- card_testing.sql — a stolen card tried out, then used.
--
-- Flags an account (a card) that makes three or more tiny "test" payments (under $10) in a row and
-- then a large one ($1,000 or more) within 30 minutes of the first test: fraudsters check that a
-- card works with small charges before spending with it. MATCH_RECOGNIZE over each sender's
-- transfers in event-time order: PATTERN (T{3,} L) WITHIN 30 minutes, the tests immediately followed
-- by the large payment (any other payment between them breaks the sequence), skipping past the
-- large payment, so one spree is one alert. When the first test is too old, a later test can start
-- the sequence, as long as three tests remain before the large payment. Rows are matched once the
-- watermark passes them; a sequence older than 30 minutes is dropped, which bounds the state. Each
-- alert is final (insert-only), so it goes straight into a CSV file. Reads the seeds' semicolon
-- records from topic 'transactions'; writes output/card_testing.csv.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --plant-card-testing 30 --pattern-truth output/truth --to transactions
--   fintrans-sql run jobs/card_testing.sql --from-beginning --until-idle 2s
-- or all the ready jobs at once, checked against the generator's truth: npm run demo.

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'transactions',
  'properties.group.id' = 'card_testing',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE TABLE card_testing_alerts (
  account      BIGINT,
  first_test   TIMESTAMP(3),
  last_test    TIMESTAMP(3),
  tests        BIGINT,
  test_total   BIGINT,
  large_time   TIMESTAMP(3),
  large_amount BIGINT,
  large_to     BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/card_testing.csv',
  'format' = 'csv'
);

INSERT INTO card_testing_alerts
SELECT account, first_test, last_test, tests, test_total, large_time, large_amount, large_to
FROM transactions
  MATCH_RECOGNIZE (
    PARTITION BY sender
    ORDER BY ts
    MEASURES
      sender AS account,
      FIRST(T.ts) AS first_test,
      LAST(T.ts) AS last_test,
      COUNT(T.amount) AS tests,
      SUM(T.amount) AS test_total,
      L.ts AS large_time,
      L.amount AS large_amount,
      L.receiver AS large_to
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (T{3,} L) WITHIN INTERVAL '30' MINUTE
    DEFINE
      T AS T.amount < 10,
      L AS L.amount >= 1000
  ) AS alerts;
