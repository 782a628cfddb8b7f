-- blocklist.sql — transfers to blocklisted accounts.
--
-- Flags every transfer to an account on the blocklist made at or after the moment it was listed,
-- with the reason and the sender's owner and country. The blocklist and the accounts are reference
-- CSV files (data/blocklist.csv, data/accounts.csv, written by `fintrans-sql generate --reference
-- data`); the transactions come from topic 'transactions'. Writes output/blocklist.csv.
--
-- How it joins: the blocklist is a versioned table (PRIMARY KEY account_id, time listed_at), so an
-- event-time temporal join gives each transfer the blocklist entry valid at the transfer's time:
-- there is one only once the account is listed. A transfer waits for the watermark (5 s) and is
-- then dropped or written; the state holds those few seconds of transfers and the blocklist, however
-- long the job runs. (A regular join, or WHERE receiver IN (SELECT ...), would keep every transfer
-- for ever, as Flink's does, in case a blocklist row arrived for it later; on the demo's 300 000
-- transfers that took 400 MB.) A lookup join (FOR SYSTEM_TIME AS OF a PROCTIME() column) keeps no
-- transfers either, but it sees the blocklist as it is when a transfer is read, not as it was when
-- the transfer was made, and the CSV file it would look up is fintrans-sql's extension: Flink's
-- filesystem connector cannot be looked up, and this job runs unchanged on Flink.
-- The sender's owner and country come from a regular join with data/accounts.csv after the
-- blocklist has let only its hits through, so that join's state stays small too. Insert-only.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --plant-blocklist 30 --reference data --pattern-truth output/truth --to transactions
--   fintrans-sql run jobs/blocklist.sql --from-beginning --until-idle 2s
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
  'properties.group.id' = 'blocklist',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

-- Listed from listed_at on: a versioned table.
CREATE TABLE blocklist (
  account_id BIGINT,
  reason     STRING,
  listed_at  TIMESTAMP(3),
  PRIMARY KEY (account_id) NOT ENFORCED,
  WATERMARK FOR listed_at AS listed_at
) WITH (
  'connector' = 'filesystem',
  'path' = 'data/blocklist.csv',
  'format' = 'csv'
);

CREATE TABLE accounts (
  id        BIGINT,
  owner     STRING,
  country   STRING,
  risk_tier STRING,
  opened    TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = 'data/accounts.csv',
  'format' = 'csv'
);

CREATE TABLE blocklist_alerts (
  tx_time        TIMESTAMP(3),
  sender         BIGINT,
  sender_owner   STRING,
  sender_country STRING,
  receiver       BIGINT,
  amount         BIGINT,
  reason         STRING,
  listed_at      TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/blocklist.csv',
  'format' = 'csv'
);

INSERT INTO blocklist_alerts
SELECT t.ts, t.sender, a.owner, a.country, t.receiver, t.amount, b.reason, b.listed_at
FROM transactions AS t
JOIN blocklist FOR SYSTEM_TIME AS OF t.ts AS b ON b.account_id = t.receiver
JOIN accounts AS a ON a.id = t.sender;
