-- Deduplication on event time (issue 18): ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts) with
-- rn = 1 keeps each account's first payment (updating, as in Flink: a payment with an earlier
-- time can still come, and rows do come out of order here), DESC its last (replaced as later ones
-- come; equal times: the later arrival), per two keys, with the row number selected (the constant
-- 1), and with another condition in the WHERE (applied to the kept rows, after deduplication); on
-- processing time (PROCTIME(): arrival order), keeping the first row is insert-only and the last is
-- replaced by every new one.
-- conformance: data pay payments
-- conformance: data pay_proc payments
-- conformance: updating out_first
-- conformance: updating out_last
-- conformance: updating out_first_pair
-- conformance: updating out_last_big
-- conformance: updating out_last_arrival
CREATE TABLE pay (
  tss      STRING,
  account  INT,
  merchant STRING,
  amount   INT,
  amount_d DOUBLE,
  channel  STRING,
  ts AS TO_TIMESTAMP(tss),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');

CREATE TABLE pay_proc (
  tss      STRING,
  account  INT,
  merchant STRING,
  amount   INT,
  amount_d DOUBLE,
  channel  STRING,
  proc AS PROCTIME()
) WITH ('connector' = 'filesystem', 'path' = 'in2.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');

CREATE TABLE out_first (account INT, tss STRING, merchant STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_last (account INT, tss STRING, merchant STRING, amount_d DOUBLE, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_first_pair (account INT, merchant STRING, tss STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_last_big (account INT, tss STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_first_arrival (account INT, merchant STRING, tss STRING) WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
CREATE TABLE out_last_arrival (account INT, tss STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');

INSERT INTO out_first
SELECT account, tss, merchant, amount
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY account ORDER BY ts ASC) AS rn FROM pay)
WHERE rn = 1;

INSERT INTO out_last
SELECT account, tss, merchant, amount_d, rn
FROM (SELECT account, tss, merchant, amount_d, ROW_NUMBER() OVER (PARTITION BY account ORDER BY ts DESC) AS rn FROM pay)
WHERE rn = 1;

INSERT INTO out_first_pair
SELECT account, merchant, tss, amount
FROM (SELECT account, merchant, tss, amount, ROW_NUMBER() OVER (PARTITION BY account, merchant ORDER BY ts) AS rn FROM pay)
WHERE rn <= 1;

INSERT INTO out_last_big
SELECT account, tss, amount
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY ts DESC) AS rn FROM pay)
WHERE rn = 1 AND amount > 1000;

INSERT INTO out_first_arrival
SELECT account, merchant, tss
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY account, merchant ORDER BY proc) AS rn FROM pay_proc)
WHERE rn = 1;

INSERT INTO out_last_arrival
SELECT account, tss, amount
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY proc DESC) AS rn FROM pay_proc)
WHERE rn = 1;
