-- Event-time temporal join against a versioned VIEW (issue 17, Flink's docs' "versioned_rates"):
-- an append-only history deduplicated to the latest row per key (ROW_NUMBER ... ORDER BY time DESC,
-- rn = 1), whose key and event time make it a versioned table; inner and left.
-- conformance: data tx dcos
-- conformance: data history account-versions
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE history (
  valid_from TIMESTAMP(3),
  id BIGINT,
  owner STRING,
  tier STRING,
  WATERMARK FOR valid_from AS valid_from
) WITH ('connector' = 'filesystem', 'path' = 'history.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW versioned_accounts AS
SELECT id, owner, tier, valid_from
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY valid_from DESC) AS rownum FROM history)
WHERE rownum = 1;

CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, valid_from TIMESTAMP(3), amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (tx_time STRING, receiver BIGINT, owner STRING, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT t.tx_time, t.sender, v.owner, v.tier, v.valid_from, t.amount
FROM tx AS t JOIN versioned_accounts FOR SYSTEM_TIME AS OF t.ts AS v ON t.sender = v.id
WHERE t.amount > 3000;

INSERT INTO out_left
SELECT t.tx_time, t.receiver, v.owner, v.tier
FROM tx t LEFT JOIN versioned_accounts FOR SYSTEM_TIME AS OF t.ts AS v ON t.receiver = v.id
WHERE t.amount < 1200;
