-- OVER aggregation with RANGE frames (issue 18): each payment with its account's aggregates over
-- the hour before it (a named WINDOW, several aggregates over one window, NULL amounts), over the
-- ten seconds before it (rows of the same second are peers and see each other; DOUBLE sums slide,
-- rows leaving in Flink's order; LISTAGG), over everything before (RANGE UNBOUNDED PRECEDING, the
-- default frame), over its own second only (INTERVAL '0' SECOND PRECEDING), and over all accounts (no PARTITION BY).
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

CREATE TABLE out_hour (tss STRING, account INT, amount INT, s INT, n BIGINT, n_amount BIGINT, a INT, lo INT, hi INT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_peers (tss STRING, account INT, merchant STRING, n BIGINT, s DOUBLE, merchants STRING, avg_d DOUBLE)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_running (tss STRING, account INT, s DOUBLE, n_channel BIGINT, first_merchant STRING, last_channel STRING)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_second (tss STRING, account INT, n BIGINT, s INT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_all (tss STRING, channel STRING, s INT, hi DOUBLE, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');

INSERT INTO out_hour
SELECT tss, account, amount,
  SUM(amount) OVER w, COUNT(*) OVER w, COUNT(amount) OVER w, AVG(amount) OVER w, MIN(amount) OVER w, MAX(amount) OVER w
FROM pay
WINDOW w AS (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW);

INSERT INTO out_peers
SELECT tss, account, merchant,
  COUNT(*) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW),
  SUM(amount_d) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW),
  LISTAGG(merchant) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW),
  AVG(amount_d) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '10' SECOND PRECEDING AND CURRENT ROW)
FROM pay;

INSERT INTO out_running
SELECT tss, account,
  SUM(amount_d) OVER (PARTITION BY account ORDER BY ts),
  COUNT(channel) OVER (PARTITION BY account ORDER BY ts),
  FIRST_VALUE(merchant) OVER (PARTITION BY account ORDER BY ts),
  LAST_VALUE(channel) OVER (PARTITION BY account ORDER BY ts)
FROM pay;

INSERT INTO out_second
SELECT tss, account,
  COUNT(*) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '0' SECOND PRECEDING AND CURRENT ROW),
  SUM(amount) OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '0' SECOND PRECEDING AND CURRENT ROW)
FROM pay;

INSERT INTO out_all
SELECT tss, channel,
  SUM(amount) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW),
  MAX(amount_d) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW),
  COUNT(DISTINCT merchant) OVER (ORDER BY ts RANGE BETWEEN INTERVAL '2' MINUTE PRECEDING AND CURRENT ROW)
FROM pay
WHERE channel IS NOT NULL;
