-- first_contact.sql — a large first payment to a new payee.
--
-- Flags the first transfer between two accounts (a new sender → receiver pair) when it is above
-- $5,000: money sent to someone the account never paid before, straight away in a large amount, is
-- a common sign of a taken-over account or a scam. Deduplication keeps the first transfer of each
-- pair as it arrives (ROW_NUMBER() ordered by processing time, rn = 1: Flink's
-- ProcTimeDeduplicateKeepFirstRowFunction), so each alert is final when it is written
-- (insert-only) and goes straight into a CSV file; later transfers of a known pair are never
-- reported, whatever their amount. State: one entry per pair ever seen. For a long-running job,
-- SET 'table.exec.state.ttl' (e.g. '30 d') makes a pair silent for that long "new" again.
-- Reads the seeds' semicolon records from topic 'transactions'; writes output/first_contact.csv.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --plant-first-contact 30 --pattern-truth output/truth --to transactions
--   fintrans-sql run jobs/first_contact.sql --from-beginning --until-idle 2s
-- or all the ready jobs at once, checked against the generator's truth: npm run demo.

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'transactions',
  'properties.group.id' = 'first_contact',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE TABLE first_contact_alerts (
  sender   BIGINT,
  receiver BIGINT,
  tx_time  TIMESTAMP(3),
  amount   BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/first_contact.csv',
  'format' = 'csv'
);

INSERT INTO first_contact_alerts
SELECT sender, receiver, ts, amount
FROM (
  SELECT sender, receiver, ts, amount,
         ROW_NUMBER() OVER (PARTITION BY sender, receiver ORDER BY proc) AS rn
  FROM transactions
)
WHERE rn = 1 AND amount > 5000;
