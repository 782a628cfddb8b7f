-- Regular joins of updating inputs (issue 17): a full outer join of two running aggregates (both
-- sides retract: each update takes back the joined or NULL-padded row it replaces), a left join
-- whose right side is a running aggregate filtered by HAVING (a row leaving it pads the left row
-- again), and an inner join with no equality condition (a non-equi join).
-- conformance: data tx dcos
-- conformance: data accounts accounts
-- conformance: updating out_full
-- conformance: updating out_left
-- conformance: updating out_non_equi
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

CREATE VIEW sent AS SELECT sender, COUNT(*) AS n, SUM(amount) AS total FROM tx WHERE amount > 4000 GROUP BY sender;
CREATE VIEW received AS SELECT receiver, COUNT(*) AS n, MAX(amount) AS biggest FROM tx WHERE amount < 500 GROUP BY receiver;

CREATE TABLE out_full (sender BIGINT, receiver BIGINT, sent_n BIGINT, received_n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (id BIGINT, owner STRING, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_non_equi (id BIGINT, tier STRING, sender BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_full
SELECT s.sender, r.receiver, s.n, r.n, s.total
FROM sent s FULL OUTER JOIN received r ON s.sender = r.receiver AND s.n > r.n;

INSERT INTO out_left
SELECT a.id, a.owner, c.n
FROM accounts a
LEFT JOIN (SELECT sender, COUNT(*) AS n FROM tx WHERE amount > 4500 GROUP BY sender HAVING COUNT(*) < 8) c
ON a.id = c.sender;

INSERT INTO out_non_equi
SELECT a.id, a.tier, s.sender, s.total
FROM accounts a JOIN sent s ON s.sender > a.id AND s.total > 20000;
