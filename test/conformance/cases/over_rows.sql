-- OVER aggregation with ROWS frames (issue 18): each payment with its account's last three
-- payments (ROWS BETWEEN 2 PRECEDING AND CURRENT ROW: rows of the same second taken one at a
-- time, in arrival order), the statistics over them, the payment alone (0 PRECEDING), everything
-- before (ROWS UNBOUNDED PRECEDING, DISTINCT), and ROW_NUMBER() without a WHERE (each account's
-- payments numbered in time order, next to a count over the same ROWS window), read through a view.
-- conformance: data pay payments
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

CREATE TABLE out_last3 (tss STRING, account INT, s INT, n BIGINT, lo INT, hi INT, s_d DOUBLE, first_m STRING, last_m STRING)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_stats (tss STRING, account INT, sd INT, vs INT, sd_d DOUBLE, var_d DOUBLE)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_self (tss STRING, merchant STRING, s DOUBLE, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_unbounded (tss STRING, account INT, n BIGINT, merchants BIGINT, s INT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_numbered (tss STRING, account INT, merchant STRING, rn BIGINT, with_channel BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');

INSERT INTO out_last3
SELECT tss, account,
  SUM(amount) OVER w, COUNT(amount) OVER w, MIN(amount) OVER w, MAX(amount) OVER w, SUM(amount_d) OVER w,
  FIRST_VALUE(merchant) OVER w, LAST_VALUE(merchant) OVER w
FROM pay
WINDOW w AS (PARTITION BY account ORDER BY ts ROWS BETWEEN 2 PRECEDING AND CURRENT ROW);

INSERT INTO out_stats
SELECT tss, account,
  STDDEV_POP(amount) OVER w, VAR_SAMP(amount) OVER w, STDDEV_SAMP(amount_d) OVER w, VAR_POP(amount_d) OVER w
FROM pay
WINDOW w AS (PARTITION BY account ORDER BY ts ROWS BETWEEN 4 PRECEDING AND CURRENT ROW);

INSERT INTO out_self
SELECT tss, merchant, SUM(amount_d) OVER w, COUNT(*) OVER w
FROM pay
WINDOW w AS (PARTITION BY merchant ORDER BY ts ROWS BETWEEN 0 PRECEDING AND CURRENT ROW);

INSERT INTO out_unbounded
SELECT tss, account,
  COUNT(*) OVER w, COUNT(DISTINCT merchant) OVER w, SUM(DISTINCT amount) OVER w
FROM pay
WINDOW w AS (PARTITION BY account ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW);

CREATE VIEW numbered AS
SELECT tss, account, merchant, ROW_NUMBER() OVER (PARTITION BY account ORDER BY ts) AS rn,
  COUNT(channel) OVER (PARTITION BY account ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS with_channel
FROM pay;

INSERT INTO out_numbered
SELECT tss, account, merchant, rn, with_channel FROM numbered WHERE merchant <> 'm1';
