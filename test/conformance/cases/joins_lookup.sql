-- Lookup joins (issue 17): each transfer looks up its accounts in a reference CSV by processing time
-- (FOR SYSTEM_TIME AS OF a PROCTIME() column), as Flink's filesystem lookup does: inner (a duplicate
-- key gives two rows, a missing key none), left (NULL-padded), a key of another type, and a residual
-- condition on the looked-up row.
-- conformance: data tx dcos
-- conformance: data accounts accounts
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE accounts (id BIGINT, owner STRING, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'accounts.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (tx_time STRING, receiver BIGINT, owner STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_condition (tx_time STRING, sender INT, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT t.tx_time, t.sender, a.owner, a.tier, t.amount
FROM tx AS t JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON t.sender = a.id
WHERE t.amount > 4000;

INSERT INTO out_left
SELECT t.tx_time, t.receiver, a.owner
FROM tx t LEFT JOIN accounts FOR SYSTEM_TIME AS OF t.proc a ON a.id = t.receiver
WHERE t.amount < 300;

INSERT INTO out_condition
SELECT t.tx_time, CAST(t.sender AS INT), a.tier
FROM (SELECT tx_time, CAST(sender AS INT) AS sender, amount, proc FROM tx) AS t
JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON t.sender = a.id AND a.tier <> 'low'
WHERE t.amount > 4500;
