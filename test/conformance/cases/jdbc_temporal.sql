-- An event-time temporal join against a versioned table read by Flink's JDBC connector (issue 17):
-- a PostgreSQL table of account versions with a PRIMARY KEY and a WATERMARK on its valid-from time
-- (a bounded, insert-only scan: each row is a new version of its key), inner and left (account 4
-- only exists from 01:20 on), and a window over the join's result.
-- conformance: postgres jdbc_setup.pgsql
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE versions (
  valid_from TIMESTAMP(3),
  id BIGINT,
  owner STRING,
  tier STRING,
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR valid_from AS valid_from
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'account_versions',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}'
);

CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, valid_from TIMESTAMP(3), amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (tx_time STRING, receiver BIGINT, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_windows (window_end TIMESTAMP(3), tier STRING, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT t.tx_time, t.sender, v.owner, v.tier, v.valid_from, t.amount
FROM tx AS t JOIN versions FOR SYSTEM_TIME AS OF t.ts AS v ON t.sender = v.id
WHERE t.amount > 3000;

INSERT INTO out_left
SELECT t.tx_time, t.receiver, v.tier
FROM tx t LEFT JOIN versions FOR SYSTEM_TIME AS OF t.ts AS v ON t.receiver = v.id AND v.tier <> 'low'
WHERE t.amount < 1500;

CREATE VIEW enriched AS
SELECT t.ts, t.amount, v.tier FROM tx t JOIN versions FOR SYSTEM_TIME AS OF t.ts v ON v.id = t.sender;

INSERT INTO out_windows
SELECT window_end, tier, SUM(amount)
FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(ts), INTERVAL '20' MINUTES))
GROUP BY window_start, window_end, tier;
