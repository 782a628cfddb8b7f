-- IN / EXISTS sub-queries (issues 16, 17): semi joins (IN, correlated EXISTS) and anti joins
-- (NOT IN with SQL's NULL rule, NOT EXISTS), over the transactions and a reference table.
-- conformance: data tx dcos
-- conformance: data accounts accounts
-- conformance: updating out_not_in
-- conformance: updating out_not_exists
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE accounts (id BIGINT, owner STRING, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'accounts.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_in (ts TIMESTAMP(3), sender BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_exists (ts TIMESTAMP(3), receiver BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_not_in (ts TIMESTAMP(3), sender BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_not_exists (ts TIMESTAMP(3), receiver BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');

INSERT INTO out_in
SELECT ts, sender, amount FROM tx
WHERE sender IN (SELECT id FROM accounts WHERE tier = 'high') AND amount > 4000;

INSERT INTO out_exists
SELECT t.ts, t.receiver, t.amount FROM tx AS t
WHERE EXISTS (SELECT 1 FROM accounts a WHERE a.id = t.receiver AND a.tier <> 'low') AND t.amount < 300;

INSERT INTO out_not_in
SELECT ts, sender, amount FROM tx
WHERE sender NOT IN (SELECT id FROM accounts) AND amount > 4500;

INSERT INTO out_not_exists
SELECT t.ts, t.receiver, t.amount FROM tx t
WHERE NOT EXISTS (SELECT * FROM accounts a WHERE a.id = t.receiver AND a.tier = 'low') AND t.amount > 4700;
