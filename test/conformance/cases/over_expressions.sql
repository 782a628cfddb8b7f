-- OVER aggregates inside expressions and over other operators' rows (issue 18): ratios and CASE
-- over window aggregates, PARTITION BY an expression, DECIMAL sums and averages (Calcite's
-- CAST(SUM / COUNT) for AVG over a window), BIGINT amounts, a WHERE before the window, OVER over
-- an interval join's rows (RANGE: the join emits rows of one time in its own order, which a ROWS
-- frame would see) and over a window aggregate's rows (window_time), SELECT DISTINCT over OVER
-- results (an updating result).
-- conformance: data pay payments
-- conformance: updating out_distinct
CREATE TABLE pay (
  tss      STRING,
  account  INT,
  merchant STRING,
  amount   INT,
  amount_d DOUBLE,
  channel  STRING,
  ts AS TO_TIMESTAMP(tss),
  amount_dec AS CAST(amount_d AS DECIMAL(10, 2)),
  amount_big AS CAST(amount AS BIGINT) * 1000000000,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');

CREATE TABLE out_ratio (tss STRING, account INT, share DOUBLE, above_avg BOOLEAN, label STRING, n_parity BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_decimal (tss STRING, account INT, s DECIMAL(38, 2), a DECIMAL(38, 6), big_sum BIGINT, big_avg BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_joined (a_tss STRING, b_tss STRING, account INT, n BIGINT, s INT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_windows (window_end TIMESTAMP(3), merchant STRING, total INT, running_total INT, avg3 INT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_distinct (account INT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');

INSERT INTO out_ratio
SELECT tss, account,
  amount_d / SUM(amount_d) OVER w,
  amount > AVG(amount) OVER w,
  CASE WHEN COUNT(*) OVER w > 3 THEN 'busy' WHEN MAX(amount) OVER w IS NULL THEN 'none' ELSE 'quiet' END,
  COUNT(*) OVER (PARTITION BY account % 2 ORDER BY ts RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW) - 0
FROM pay
WHERE channel <> 'atm'
WINDOW w AS (PARTITION BY account % 2 ORDER BY ts RANGE BETWEEN INTERVAL '10' MINUTE PRECEDING AND CURRENT ROW);

INSERT INTO out_decimal
SELECT tss, account,
  SUM(amount_dec) OVER w, AVG(amount_dec) OVER w, SUM(amount_big) OVER w, AVG(amount_big) OVER w
FROM pay
WINDOW w AS (PARTITION BY account ORDER BY ts ROWS BETWEEN 3 PRECEDING AND CURRENT ROW);

CREATE VIEW pairs AS
SELECT a.tss AS a_tss, b.tss AS b_tss, a.account AS account, b.amount AS amount, a.ts AS ts
FROM pay a JOIN pay b ON a.account = b.account AND b.ts BETWEEN a.ts - INTERVAL '1' MINUTE AND a.ts AND a.tss <> b.tss;

INSERT INTO out_joined
SELECT a_tss, b_tss, account,
  COUNT(*) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW),
  SUM(amount) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW)
FROM pairs;

INSERT INTO out_windows
SELECT window_end, merchant, total,
  SUM(total) OVER (PARTITION BY merchant ORDER BY window_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW),
  AVG(total) OVER (PARTITION BY merchant ORDER BY window_time ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)
FROM (
  SELECT window_start, window_end, window_time, merchant, SUM(amount) AS total
  FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '15' MINUTES))
  GROUP BY window_start, window_end, window_time, merchant
);

INSERT INTO out_distinct
SELECT DISTINCT account, COUNT(*) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '30' SECOND PRECEDING AND CURRENT ROW)
FROM pay;
