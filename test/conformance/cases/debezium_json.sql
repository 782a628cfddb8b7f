-- debezium-json (issue 20): Debezium change events of an accounts table read as a changelog
-- (r/c → +I, u → -U/+U, d → -D, tombstones skipped): running aggregates over it (an account
-- updated moves between tiers, a deleted one leaves its tier), a filter and a projection
-- (updating), and the table as the versioned side of an event-time temporal join (PRIMARY KEY and
-- WATERMARK on its update time), inner and left.
-- conformance: data accounts accounts-cdc
-- conformance: data tx dcos
-- conformance: updating out_tiers
-- conformance: updating out_big
CREATE TABLE accounts (
  id BIGINT,
  owner STRING,
  tier STRING,
  credit_limit INT,
  updated TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR updated AS updated
) WITH ('connector' = 'filesystem', 'path' = 'accounts.json', 'format' = 'debezium-json');

CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_tiers (tier STRING, accounts BIGINT, total_limit INT, max_limit INT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_big (id BIGINT, owner STRING, credit_limit INT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, updated TIMESTAMP(3), amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_left (tx_time STRING, receiver BIGINT, tier STRING, credit_limit INT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');

INSERT INTO out_tiers
SELECT tier, COUNT(*), SUM(credit_limit), MAX(credit_limit) FROM accounts GROUP BY tier;

INSERT INTO out_big
SELECT id, UPPER(owner), credit_limit FROM accounts WHERE credit_limit > 1850;

INSERT INTO out_inner
SELECT t.tx_time, t.sender, a.owner, a.tier, a.updated, t.amount
FROM tx AS t JOIN accounts FOR SYSTEM_TIME AS OF t.ts AS a ON t.sender = a.id
WHERE t.amount > 2500;

INSERT INTO out_left
SELECT t.tx_time, t.receiver, a.tier, a.credit_limit
FROM tx t LEFT JOIN accounts FOR SYSTEM_TIME AS OF t.ts AS a ON t.receiver = a.id
WHERE t.amount < 1000;
