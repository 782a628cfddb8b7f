-- Lookup joins against Flink's JDBC connector (issue 17): each transfer asks PostgreSQL for its
-- sender's account as it is read (FOR SYSTEM_TIME AS OF a processing-time attribute), with and
-- without Flink's lookup cache ('lookup.cache' = 'PARTIAL' and its bounds), inner and left, a key
-- with several rows (aliases: no key), a missing key (account 4), a condition on the looked-up
-- table, a lookup on two columns, and a window aggregate over the join's result.
-- conformance: postgres jdbc_setup.pgsql
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE accounts (
  id BIGINT,
  owner STRING,
  tier STRING,
  credit_limit DECIMAL(10, 2),
  vip BOOLEAN,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'accounts',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.max-rows' = '2',
  'lookup.partial-cache.expire-after-write' = '10 min',
  'lookup.max-retries' = '2'
);

CREATE TABLE accounts_nocache (id BIGINT, owner STRING, tier STRING, vip BOOLEAN) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'accounts',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'lookup.cache' = 'NONE'
);

CREATE TABLE aliases (account BIGINT, alias STRING, active BOOLEAN) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'aliases',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'lookup.cache' = 'PARTIAL',
  'lookup.partial-cache.expire-after-access' = '1 h',
  'lookup.partial-cache.cache-missing-key' = 'false'
);

CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, credit_limit DECIMAL(10, 2), amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (tx_time STRING, receiver BIGINT, owner STRING, vip BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_aliases (tx_time STRING, sender BIGINT, alias STRING)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_two_keys (tx_time STRING, sender BIGINT, alias STRING)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_windows (window_end TIMESTAMP(3), tier STRING, n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT t.tx_time, t.sender, a.owner, a.tier, a.credit_limit, t.amount
FROM tx AS t JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON t.sender = a.id
WHERE t.amount > 2500;

INSERT INTO out_left
SELECT t.tx_time, t.receiver, a.owner, a.vip
FROM tx t LEFT JOIN accounts_nocache FOR SYSTEM_TIME AS OF t.proc AS a ON t.receiver = a.id AND a.tier <> 'low'
WHERE t.amount < 2000;

INSERT INTO out_aliases
SELECT t.tx_time, t.sender, al.alias
FROM tx t LEFT JOIN aliases FOR SYSTEM_TIME AS OF t.proc AS al ON al.account = t.sender AND al.active
WHERE t.amount > 4000;

INSERT INTO out_two_keys
SELECT t.tx_time, t.sender, al.alias
FROM tx t JOIN aliases FOR SYSTEM_TIME AS OF t.proc AS al ON al.account = t.sender AND al.active = (t.amount > 2500);

CREATE VIEW enriched AS
SELECT t.ts, t.amount, a.tier
FROM tx t JOIN accounts_nocache FOR SYSTEM_TIME AS OF t.proc AS a ON a.id = t.receiver;

INSERT INTO out_windows
SELECT window_end, tier, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(ts), INTERVAL '20' MINUTES))
GROUP BY window_start, window_end, tier;
