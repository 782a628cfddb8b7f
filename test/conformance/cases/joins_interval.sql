-- Interval joins (issue 17): a transfer followed by one from its receiver within a minute (inner,
-- BETWEEN), the same as left, right and full outer joins (unmatched rows padded when their interval
-- has passed), strict bounds with < and >, and a window aggregate over an interval join's result
-- (its time attributes stay time attributes).
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW big AS SELECT * FROM tx WHERE amount > 3500;

CREATE VIEW chains AS
SELECT b.ts AS ts, b.amount AS amount2
FROM big a JOIN big b ON a.receiver = b.sender AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE;

CREATE TABLE out_inner (a_time STRING, b_time STRING, a_sender BIGINT, hop BIGINT, b_receiver BIGINT, a_amount BIGINT, b_amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (a_time STRING, b_time STRING, a_amount BIGINT, b_amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_right (a_time STRING, b_time STRING, b_amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_full (a_time STRING, b_time STRING)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_strict (a_time STRING, b_time STRING)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
CREATE TABLE out_windows (window_start TIMESTAMP(3), window_end TIMESTAMP(3), chains BIGINT, moved BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT a.tx_time, b.tx_time, a.sender, a.receiver, b.receiver, a.amount, b.amount
FROM big a JOIN big b ON a.receiver = b.sender AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE;

INSERT INTO out_left
SELECT a.tx_time, b.tx_time, a.amount, b.amount
FROM big a LEFT JOIN big b ON a.receiver = b.sender AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE AND b.amount > a.amount;

INSERT INTO out_right
SELECT a.tx_time, b.tx_time, b.amount
FROM big a RIGHT JOIN big b ON a.receiver = b.sender AND a.ts BETWEEN b.ts - INTERVAL '2' MINUTE AND b.ts - INTERVAL '10' SECOND;

INSERT INTO out_full
SELECT a.tx_time, b.tx_time
FROM big a FULL OUTER JOIN big b ON a.sender = b.receiver AND a.ts > b.ts - INTERVAL '30' SECOND AND a.ts < b.ts + INTERVAL '30' SECOND AND a.tx_time <> b.tx_time;

INSERT INTO out_strict
SELECT a.tx_time, b.tx_time
FROM big a JOIN big b ON a.sender = b.sender AND a.ts >= b.ts + INTERVAL '1' SECOND AND a.ts <= b.ts + INTERVAL '90' SECOND;

INSERT INTO out_windows
SELECT window_start, window_end, COUNT(*), SUM(amount2)
FROM TABLE(TUMBLE(TABLE chains, DESCRIPTOR(ts), INTERVAL '15' MINUTES))
GROUP BY window_start, window_end;
