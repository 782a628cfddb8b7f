-- Regular joins (issue 17): inner, left, right and full joins of the transactions with a reference
-- table (a duplicate key, a missing key, an unused key), a join on an expression with a residual
-- condition, a self-join, and a left join with a running aggregate (an updating input).
-- conformance: data tx dcos
-- conformance: data accounts accounts
-- conformance: updating out_left
-- conformance: updating out_right
-- conformance: updating out_full
-- conformance: updating out_totals
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

CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (ts TIMESTAMP(3), sender BIGINT, owner STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_right (id BIGINT, owner STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_full (ts TIMESTAMP(3), receiver BIGINT, id BIGINT, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_self (a_time STRING, b_time STRING, sender BIGINT, a_amount BIGINT, b_amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
CREATE TABLE out_totals (id BIGINT, owner STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT t.tx_time, t.sender, a.owner, a.tier, t.amount
FROM tx AS t JOIN accounts AS a ON t.sender = a.id
WHERE t.amount > 2500;

INSERT INTO out_left
SELECT t.ts, t.sender, a.owner, t.amount
FROM tx t LEFT JOIN accounts a ON t.sender = a.id AND a.tier <> 'low'
WHERE t.amount > 4000;

INSERT INTO out_right
SELECT a.id, a.owner, t.amount
FROM (SELECT * FROM tx WHERE amount > 4900) AS t RIGHT OUTER JOIN accounts a ON a.id = t.receiver;

INSERT INTO out_full
SELECT t.ts, t.receiver, a.id, a.tier
FROM (SELECT * FROM tx WHERE amount < 60) t FULL JOIN accounts a ON t.receiver + 1 = a.id;

INSERT INTO out_self
SELECT x.tx_time, y.tx_time, x.sender, x.amount, y.amount
FROM tx x JOIN tx y ON x.sender = y.sender AND y.amount > x.amount * 4
WHERE x.amount > 1000 AND y.amount > 4950;

INSERT INTO out_totals
SELECT a.id, a.owner, s.total, s.n
FROM accounts a LEFT JOIN (SELECT sender, SUM(amount) AS total, COUNT(*) AS n FROM tx GROUP BY sender) AS s ON a.id = s.sender;
