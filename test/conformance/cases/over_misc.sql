-- Window functions in more places (issue 18): OVER in a CTE over two partition keys with MIN/MAX
-- of strings and ROWS UNBOUNDED, a Top-N in a CTE whose number is compared again outside, a window
-- Top-N after a window aggregate with HAVING and the number left out, OVER over the rows of a UNION
-- ALL, the short frame forms (ROWS n PRECEDING, RANGE INTERVAL ... PRECEDING), and a window
-- deduplication keeping the last row per window and two keys.
-- conformance: data pay payments
-- conformance: updating out_cte_top
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

CREATE TABLE out_cte (tss STRING, account INT, merchant STRING, lo STRING, hi STRING, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_cte_top (account INT, merchant STRING, amount INT, rn BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_busy (window_end TIMESTAMP(3), merchant STRING, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_union (tss STRING, src STRING, s INT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_short (tss STRING, account INT, s3 INT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
CREATE TABLE out_short_range (tss STRING, account INT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');
CREATE TABLE out_last_pair (window_start TIMESTAMP(3), account INT, channel STRING, tss STRING, amount INT)
WITH ('connector' = 'filesystem', 'path' = 'out7.csv', 'format' = 'csv');

INSERT INTO out_cte
WITH by_pair AS (
  SELECT tss, account, merchant,
    MIN(channel) OVER w AS lo, MAX(channel) OVER w AS hi, COUNT(channel) OVER w AS n
  FROM pay
  WINDOW w AS (PARTITION BY account, merchant ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
SELECT tss, account, merchant, lo, hi, n FROM by_pair WHERE n > 1;

INSERT INTO out_cte_top
WITH ranked AS (
  SELECT account, merchant, amount, ROW_NUMBER() OVER (PARTITION BY account ORDER BY amount DESC, merchant) AS rn
  FROM pay WHERE amount IS NOT NULL
),
top5 AS (SELECT * FROM ranked WHERE rn <= 5)
SELECT account, merchant, amount, rn FROM top5 WHERE rn <= 2;

INSERT INTO out_busy
SELECT window_end, merchant, n
FROM (
  SELECT window_start, window_end, merchant, n, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC, merchant) AS rn
  FROM (
    SELECT window_start, window_end, merchant, COUNT(*) AS n
    FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '20' MINUTES))
    GROUP BY window_start, window_end, merchant
    HAVING COUNT(*) > 2
  )
)
WHERE rn <= 2;

CREATE VIEW both_sides AS
SELECT tss, 'small' AS src, amount, ts FROM pay WHERE amount < 1000
UNION ALL
SELECT tss, 'large' AS src, amount, ts FROM pay WHERE amount >= 1000;

INSERT INTO out_union
SELECT tss, src,
  SUM(amount) OVER (PARTITION BY src ORDER BY ts RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW),
  COUNT(*) OVER (PARTITION BY src ORDER BY ts RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW)
FROM both_sides;

INSERT INTO out_short
SELECT tss, account, SUM(amount) OVER (PARTITION BY account ORDER BY ts ROWS 2 PRECEDING)
FROM pay;

INSERT INTO out_short_range
SELECT tss, account, COUNT(*) OVER (PARTITION BY account ORDER BY ts RANGE INTERVAL '3' MINUTE PRECEDING)
FROM pay;

INSERT INTO out_last_pair
SELECT window_start, account, channel, tss, amount
FROM (
  SELECT window_start, window_end, account, channel, tss, amount,
    ROW_NUMBER() OVER (PARTITION BY window_start, window_end, account, channel ORDER BY ts DESC) AS rn
  FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '30' MINUTES))
)
WHERE rn = 1;
