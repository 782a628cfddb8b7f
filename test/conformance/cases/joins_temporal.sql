-- Event-time temporal joins (issue 17): each transfer with the version of its sender's account valid
-- at the transfer's time (a versioned table: PRIMARY KEY and WATERMARK), inner and left (account 4
-- only exists from 01:20 on), two versions with the same time (the later one wins), and a window
-- over the join's result (the left time attribute stays one).
-- conformance: data tx dcos
-- conformance: data accounts account-versions
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE accounts (
  valid_from TIMESTAMP(3),
  id BIGINT,
  owner STRING,
  tier STRING,
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR valid_from AS valid_from
) WITH ('connector' = 'filesystem', 'path' = 'accounts.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_inner (tx_time STRING, sender BIGINT, owner STRING, tier STRING, valid_from TIMESTAMP(3), amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (tx_time STRING, receiver BIGINT, tier STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_windows (window_end TIMESTAMP(3), tier STRING, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT t.tx_time, t.sender, a.owner, a.tier, a.valid_from, t.amount
FROM tx AS t JOIN accounts FOR SYSTEM_TIME AS OF t.ts AS a ON t.sender = a.id
WHERE t.amount > 3000;

INSERT INTO out_left
SELECT t.tx_time, t.receiver, a.tier
FROM tx t LEFT JOIN accounts FOR SYSTEM_TIME AS OF t.ts AS a ON t.receiver = a.id AND a.tier <> 'low'
WHERE t.amount < 1500;

CREATE VIEW enriched AS
SELECT t.ts, t.amount, a.tier FROM tx t JOIN accounts FOR SYSTEM_TIME AS OF t.ts a ON a.id = t.sender;

INSERT INTO out_windows
SELECT window_end, tier, SUM(amount)
FROM TABLE(TUMBLE(TABLE enriched, DESCRIPTOR(ts), INTERVAL '20' MINUTES))
GROUP BY window_start, window_end, tier;
