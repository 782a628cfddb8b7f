-- More Top-N shapes (issue 18): ORDER BY and PARTITION BY expressions, rn < N, a Top-N over a view
-- and read by a running aggregate (which takes back the rows that leave the top), rn = 2 (one
-- number: not output, a constant), rn = 1 ordered by an amount (a Top-1, not a deduplication), a
-- Top-N of the rows of an interval join, and another condition on the row number next to its bound
-- (no Top-N then, as in Flink: numbered in time order it is an OVER aggregate and a filter).
-- conformance: data pay payments
-- conformance: updating out_expr
-- conformance: updating out_sum_of_top
-- conformance: updating out_second
-- conformance: updating out_top1
-- conformance: updating out_joined
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

CREATE VIEW top2 AS
SELECT account, tss, amount, rn
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC) AS rn FROM pay WHERE amount IS NOT NULL)
WHERE rn <= 2;

CREATE TABLE out_expr (grp INT, tss STRING, score DOUBLE, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_sum_of_top (account INT, top_total INT, n BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_second (account INT, tss STRING, amount_d DOUBLE, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_top1 (merchant STRING, tss STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_odd (account INT, tss STRING, amount INT) WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');
CREATE TABLE out_joined (account INT, a_tss STRING, b_tss STRING, gap INT, rn BIGINT) WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');

INSERT INTO out_expr
SELECT grp, tss, score, rn
FROM (
  SELECT account % 3 AS grp, tss, amount_d - COALESCE(amount, 0) AS score,
    ROW_NUMBER() OVER (PARTITION BY account % 3 ORDER BY amount_d - COALESCE(amount, 0) DESC) AS rn
  FROM pay
)
WHERE rn < 4;

INSERT INTO out_sum_of_top
SELECT account, SUM(amount), COUNT(*) FROM top2 GROUP BY account;

INSERT INTO out_second
SELECT account, tss, amount_d, rn
FROM (SELECT account, tss, amount_d, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount_d) AS rn FROM pay)
WHERE rn = 2;

INSERT INTO out_top1
SELECT merchant, tss, amount
FROM (SELECT merchant, tss, amount, ROW_NUMBER() OVER (PARTITION BY merchant ORDER BY amount DESC) AS rn FROM pay)
WHERE rn = 1;

INSERT INTO out_joined
SELECT account, a_tss, b_tss, gap, rn
FROM (
  SELECT a.account AS account, a.tss AS a_tss, b.tss AS b_tss, ABS(a.amount - b.amount) AS gap,
    ROW_NUMBER() OVER (PARTITION BY a.account ORDER BY ABS(a.amount - b.amount), a.tss, b.tss) AS rn
  FROM pay a JOIN pay b ON a.account = b.account AND b.ts BETWEEN a.ts - INTERVAL '2' MINUTE AND a.ts AND a.tss <> b.tss
)
WHERE rn <= 3;

INSERT INTO out_odd
SELECT account, tss, amount
FROM (SELECT account, tss, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY ts) AS rn FROM pay)
WHERE rn <= 5 AND MOD(rn, 2) = 1;
