-- A lookup join on a reference CSV (a fintrans-sql extension: Flink's filesystem connector has no
-- lookup): each transfer asks the blocklist for its receiver as it is read (processing time), left
-- join (NULL when not listed), a duplicate key giving two rows, a condition on the looked-up row.
CREATE TABLE transfers (
  ts TIMESTAMP(3),
  sender BIGINT,
  receiver BIGINT,
  amount BIGINT,
  proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'transfers.csv', 'format' = 'csv');

CREATE TABLE blocklist (account INT, reason STRING, severity INT)
WITH ('connector' = 'filesystem', 'path' = 'blocklist.csv', 'format' = 'csv');

CREATE TABLE flagged (sender BIGINT, receiver BIGINT, amount BIGINT, reason STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/flagged.csv', 'format' = 'csv');

CREATE TABLE serious (sender BIGINT, receiver BIGINT, reason STRING)
WITH ('connector' = 'filesystem', 'path' = 'out/serious.csv', 'format' = 'csv');

INSERT INTO flagged
SELECT t.sender, t.receiver, t.amount, b.reason
FROM transfers AS t LEFT JOIN blocklist FOR SYSTEM_TIME AS OF t.proc AS b ON t.receiver = b.account;

INSERT INTO serious
SELECT t.sender, t.receiver, b.reason
FROM transfers t JOIN blocklist FOR SYSTEM_TIME AS OF t.proc b ON b.account = t.receiver AND b.severity >= 2;
