-- Window Top-N and window deduplication (issue 18): rows ranked per window once the watermark
-- passes its end, insert-only as in Flink: the top three merchants of every 10-minute window by
-- volume (after a window aggregate, with and without the row number, ties in arrival order), the
-- two largest payments per account of every HOP window read straight from the window TVF, the
-- numbers 2 to 3 of a CUMULATE window's running totals, each window's first and last payment per
-- account (window deduplication on the TVF's rows), a window aggregate over window Top-N results
-- (window_time stays a time attribute), and another condition next to rn (still insert-only).
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

CREATE VIEW volume AS
SELECT window_start, window_end, window_time, merchant, SUM(amount) AS total, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, window_time, merchant;

CREATE VIEW top3 AS
SELECT window_time AS rt, merchant, total
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn FROM volume)
WHERE rn <= 3;

CREATE TABLE out_top_merchants (window_start TIMESTAMP(3), window_end TIMESTAMP(3), merchant STRING, total INT, rn BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_top_rows (window_end TIMESTAMP(3), merchant STRING, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_hop (window_start TIMESTAMP(3), window_end TIMESTAMP(3), account INT, tss STRING, amount INT, rn BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_cumulate (window_start TIMESTAMP(3), window_end TIMESTAMP(3), account INT, total INT, rn BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_first (window_start TIMESTAMP(3), account INT, tss STRING, merchant STRING)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
CREATE TABLE out_last (window_end TIMESTAMP(3), account INT, tss STRING, amount_d DOUBLE, rn BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');
CREATE TABLE out_top_big (window_end TIMESTAMP(3), merchant STRING, total INT)
WITH ('connector' = 'filesystem', 'path' = 'out8.csv', 'format' = 'csv');
CREATE TABLE out_cascade (window_start TIMESTAMP(3), window_end TIMESTAMP(3), winners BIGINT, top_total INT)
WITH ('connector' = 'filesystem', 'path' = 'out7.csv', 'format' = 'csv');

INSERT INTO out_top_merchants
SELECT window_start, window_end, merchant, total, rn
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn FROM volume)
WHERE rn <= 3;

INSERT INTO out_top_rows
SELECT window_end, merchant, n
FROM (SELECT window_start, window_end, merchant, n, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY n DESC, merchant) AS rn FROM volume)
WHERE rn <= 2;

INSERT INTO out_hop
SELECT window_start, window_end, account, tss, amount, rn
FROM (
  SELECT window_start, window_end, account, tss, amount,
    ROW_NUMBER() OVER (PARTITION BY window_start, window_end, account ORDER BY amount DESC) AS rn
  FROM TABLE(HOP(TABLE pay, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES))
)
WHERE rn <= 2;

INSERT INTO out_cumulate
SELECT window_start, window_end, account, total, rn
FROM (
  SELECT window_start, window_end, account, total, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn
  FROM (
    SELECT window_start, window_end, account, SUM(amount) AS total
    FROM TABLE(CUMULATE(TABLE pay, DESCRIPTOR(ts), INTERVAL '10' MINUTES, INTERVAL '30' MINUTES))
    GROUP BY window_start, window_end, account
  )
)
WHERE rn BETWEEN 2 AND 3;

INSERT INTO out_first
SELECT window_start, account, tss, merchant
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, account ORDER BY ts) AS rn
  FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
)
WHERE rn = 1;

INSERT INTO out_last
SELECT window_end, account, tss, amount_d, rn
FROM (
  SELECT window_start, window_end, account, tss, amount_d, ROW_NUMBER() OVER (PARTITION BY window_start, window_end, account ORDER BY ts DESC) AS rn
  FROM TABLE(TUMBLE(TABLE pay, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
)
WHERE rn <= 1;

INSERT INTO out_cascade
SELECT window_start, window_end, COUNT(*), MAX(total)
FROM TABLE(TUMBLE(TABLE top3, DESCRIPTOR(rt), INTERVAL '30' MINUTES))
GROUP BY window_start, window_end;

INSERT INTO out_top_big
SELECT window_end, merchant, total
FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY total DESC) AS rn FROM volume)
WHERE rn <= 3 AND total > 4000;
