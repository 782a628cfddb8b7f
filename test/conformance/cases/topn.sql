-- Top-N (issue 18): ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) with WHERE rn <= N, an
-- updating result as in Flink: each account's three largest payments with their number (ties in
-- arrival order, NULL amounts last when descending), the same without the number (rows enter and
-- leave), the numbers 2 to 4 only, N larger than any account's payments (ascending: NULLs first),
-- two sort keys with another condition in the WHERE, no PARTITION BY, and the Top-N of a running
-- aggregate (an updating input: a sum that grows moves its merchant up and others down).
-- conformance: data pay payments
-- conformance: updating out_top3
-- conformance: updating out_top3_rows
-- conformance: updating out_middle
-- conformance: updating out_all_small
-- conformance: updating out_merchant
-- conformance: updating out_global
-- conformance: updating out_top_merchants
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

CREATE TABLE out_top3 (account INT, tss STRING, amount INT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_top3_rows (account INT, tss STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_middle (account INT, tss STRING, amount INT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_all_small (account INT, tss STRING, amount INT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_merchant (merchant STRING, tss STRING, amount_d DOUBLE, account INT, channel STRING, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
CREATE TABLE out_global (tss STRING, amount_d DOUBLE, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');
CREATE TABLE out_top_merchants (account INT, merchant STRING, total INT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out7.csv', 'format' = 'csv');

INSERT INTO out_top3
SELECT account, tss, amount, rn
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM pay)
WHERE rn <= 3;

INSERT INTO out_top3_rows
SELECT account, tss, amount
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM pay)
WHERE rn <= 3;

INSERT INTO out_middle
SELECT account, tss, amount, rn
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM pay)
WHERE rn BETWEEN 2 AND 4;

INSERT INTO out_all_small
SELECT account, tss, amount, rn
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount) AS rn FROM pay WHERE tss < '2017-07-23 01:30:00')
WHERE rn < 1000;

INSERT INTO out_merchant
SELECT merchant, tss, amount_d, account, channel, rn
FROM (SELECT merchant, tss, amount_d, account, channel, ROW_NUMBER() OVER (PARTITION BY merchant ORDER BY account ASC, amount_d DESC) AS rn FROM pay)
WHERE rn <= 2 AND channel IS NOT NULL;

INSERT INTO out_global
SELECT tss, amount_d, rn
FROM (SELECT tss, amount_d, ROW_NUMBER() OVER (ORDER BY amount_d DESC) AS rn FROM pay)
WHERE 5 >= rn;

INSERT INTO out_top_merchants
SELECT account, merchant, total, rn
FROM (
  SELECT account, merchant, total, ROW_NUMBER() OVER (PARTITION BY account ORDER BY total DESC) AS rn
  FROM (SELECT account, merchant, SUM(amount) AS total FROM pay GROUP BY account, merchant)
)
WHERE rn <= 2;
