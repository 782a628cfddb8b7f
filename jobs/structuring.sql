-- structuring.sql — staying under the reporting threshold.
--
-- Flags an account that sends three transfers just under $10,000 (9,000 to 9,999) within 24 hours:
-- the classic way to move a large sum without a single reportable transfer. MATCH_RECOGNIZE over
-- the sender's transfers near the threshold (a view keeps only those, so the three need not follow
-- each other among all of the sender's transfers): PATTERN (S{3}) WITHIN 24 hours, skipping past
-- the last row, so a run of six such transfers gives two alerts and no transfer is reported twice.
-- Rows are matched in event-time order once the watermark passes them; a candidate older than
-- 24 hours is dropped, which bounds the state. Each alert is final (insert-only), so it goes
-- straight into a CSV file. Reads the seeds' semicolon records from topic 'transactions'; writes
-- output/structuring.csv.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --to transactions
--   fintrans-sql run jobs/structuring.sql --from-beginning --until-idle 2s

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
  'properties.group.id' = 'structuring',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE VIEW near_threshold AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount >= 9000 AND amount < 10000;

CREATE TABLE structuring_alerts (
  account      BIGINT,
  first_time   TIMESTAMP(3),
  last_time    TIMESTAMP(3),
  transfers    BIGINT,
  total        BIGINT,
  smallest     BIGINT,
  receivers    STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/structuring.csv',
  'format' = 'csv'
);

INSERT INTO structuring_alerts
SELECT account, first_time, last_time, transfers, total, smallest, receivers
FROM near_threshold
  MATCH_RECOGNIZE (
    PARTITION BY sender
    ORDER BY ts
    MEASURES
      sender AS account,
      FIRST(S.ts) AS first_time,
      LAST(S.ts) AS last_time,
      COUNT(S.amount) AS transfers,
      SUM(S.amount) AS total,
      MIN(S.amount) AS smallest,
      CONCAT(CAST(FIRST(S.receiver) AS STRING), ' ', CAST(FIRST(S.receiver, 1) AS STRING), ' ', CAST(LAST(S.receiver) AS STRING)) AS receivers
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (S{3}) WITHIN INTERVAL '24' HOUR
    DEFINE S AS S.amount >= 9000 AND S.amount < 10000
  ) AS alerts;
