-- Flink's JDBC connector as a bounded scan source (issue 17), on the same PostgreSQL table for both
-- engines: every type the connector maps (bigint, text, varchar, numeric, boolean, timestamp(3),
-- double precision, integer) with NULLs, a partitioned scan ('scan.partition.*': rows outside the
-- bounds are not read, as in Flink), and a running aggregate over the scan (an updating result).
-- conformance: postgres jdbc_setup.pgsql
-- conformance: updating out_tiers
CREATE TABLE accounts (
  id BIGINT,
  owner STRING,
  tier STRING,
  credit_limit DECIMAL(10, 2),
  vip BOOLEAN,
  opened TIMESTAMP(3),
  score DOUBLE,
  branch INT,
  PRIMARY KEY (id) NOT ENFORCED
) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'accounts',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}'
);

CREATE TABLE accounts_split (id BIGINT, owner STRING, branch INT) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'accounts',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'scan.partition.column' = 'id',
  'scan.partition.num' = '3',
  'scan.partition.lower-bound' = '1',
  'scan.partition.upper-bound' = '10',
  'scan.fetch-size' = '2'
);

CREATE TABLE out_all (id BIGINT, owner STRING, tier STRING, credit_limit DECIMAL(10, 2), vip BOOLEAN, opened TIMESTAMP(3), score DOUBLE, branch INT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_derived (id BIGINT, label STRING, doubled DECIMAL(12, 2), opened_day STRING, vip_or_rich BOOLEAN, branch_plus BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_split (id BIGINT, owner STRING, branch INT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_tiers (tier STRING, n BIGINT, total DECIMAL(38, 2), max_branch INT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');

INSERT INTO out_all SELECT * FROM accounts;

INSERT INTO out_derived
SELECT id, UPPER(owner) || '/' || COALESCE(tier, '?'), credit_limit * 2, DATE_FORMAT(opened, 'yyyy-MM-dd'),
       vip OR credit_limit > 1000, CAST(branch AS BIGINT) + id
FROM accounts
WHERE id <> 9;

INSERT INTO out_split SELECT * FROM accounts_split;

INSERT INTO out_tiers
SELECT tier, COUNT(*), SUM(credit_limit), MAX(branch) FROM accounts GROUP BY tier;
