-- DATE and TIME (issue 15): DDL columns read from CSV (`yyyy-MM-dd`, `HH:mm:ss`) and written back;
-- literals; CAST between STRING, DATE, TIME and TIMESTAMP; TO_DATE; EXTRACT and its shorthands on a
-- DATE and a TIME; DATE +/- INTERVAL (whole days of it, toward zero) and TIME + INTERVAL (around
-- the clock); INTERVAL MONTH / YEAR on a DATE or TIMESTAMP; TIMESTAMPADD / TIMESTAMPDIFF with DATEs; comparisons with text; GROUP BY a DATE,
-- running and windowed. Dates from year 1 to 9999, before 1970, leap days. The last sinks keep
-- Flink's own arithmetic on timestamps before 1970: EXTRACT and CAST(... AS DATE) divide the
-- milliseconds toward zero, so 1969-12-31 10:00:00 is in 1970 and its SECOND is negative.
-- conformance: data dt dates
-- conformance: updating out_b
CREATE TABLE dt (
  k  INT,
  d  DATE,
  tm TIME(0),
  ds STRING,
  tx STRING,
  ts AS TO_TIMESTAMP(tx),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_a (k INT, d DATE, tm TIME(0), ds STRING, d2 DATE, t2 TIME(0), s1 STRING, s2 STRING,
  y BIGINT, mo BIGINT, dom BIGINT, dow BIGINT, doy BIGINT, wk BIGINT, q BIGINT, h BIGINT, mi BIGINT, se BIGINT,
  dts TIMESTAMP(3), tsd DATE, tst TIME(0), dplus DATE, dminus DATE, dmon DATE, dyear DATE, cmp BOOLEAN, cmp2 BOOLEAN,
  tdiff INT, tdiff2 INT, todate DATE, todate2 DATE, lit DATE, tlit TIME(0), df STRING, tadd DATE, tmplus TIME(0))
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_a
SELECT k, d, tm, ds, CAST(ds AS DATE), CAST('10:11:12' AS TIME), CAST(d AS STRING), CAST(tm AS STRING),
  YEAR(d), MONTH(d), DAYOFMONTH(d), DAYOFWEEK(d), DAYOFYEAR(d), WEEK(d), QUARTER(d),
  HOUR(tm), MINUTE(tm), SECOND(tm),
  CAST(d AS TIMESTAMP(3)), CAST(ts AS DATE), CAST(ts AS TIME),
  d + INTERVAL '1' DAY, d - INTERVAL '40' DAY, TIMESTAMPADD(MONTH, 1, d), TIMESTAMPADD(YEAR, -1, d),
  d < DATE '1970-01-01', d = CAST(ds AS DATE),
  TIMESTAMPDIFF(DAY, d, DATE '2024-03-01'), TIMESTAMPDIFF(MONTH, DATE '1969-12-31', d),
  TO_DATE(ds), TO_DATE('01/02/2020', 'MM/dd/yyyy'), DATE '1969-07-20', TIME '23:59:58',
  DATE_FORMAT(CAST(d AS TIMESTAMP(3)), 'yyyy/MM/dd'), TIMESTAMPADD(DAY, k, d), tm + INTERVAL '1' HOUR
FROM dt;

CREATE TABLE out_b (d DATE, n BIGINT, mx DATE, mn TIME(0)) WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
INSERT INTO out_b SELECT d, COUNT(*), MAX(d), MIN(tm) FROM dt GROUP BY d;

CREATE TABLE out_c (k INT, y BIGINT, mo BIGINT, se BIGINT, h BIGINT, dd BIGINT, s STRING, dt DATE, mi BIGINT, dow BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
INSERT INTO out_c
SELECT k, YEAR(t), MONTH(t), SECOND(t), HOUR(t), DAYOFMONTH(t), CAST(t AS STRING), CAST(t AS DATE), MINUTE(t), DAYOFWEEK(t) FROM (
  SELECT k, TIMESTAMPADD(SECOND, 36001, CAST(d AS TIMESTAMP(3))) AS t FROM dt);

CREATE TABLE out_d (a DATE, b DATE, c TIME(0), e DATE, f DATE, g TIME(3), h STRING, i DATE, j DATE)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
INSERT INTO out_d SELECT CAST(TIMESTAMP '1969-12-31 00:00:00' AS DATE), CAST(TIMESTAMP '1969-12-31 10:00:00' AS DATE),
  CAST(TIMESTAMP '2017-12-31 10:00:00.250' AS TIME), CAST('2024-01-05' AS DATE), CAST(' 2024-1-5 ' AS DATE),
  CAST('10:11:12.345' AS TIME(3)), CAST(CAST('10:11:12.345' AS TIME(3)) AS STRING), d + INTERVAL '36' HOUR, d - INTERVAL '36' HOUR
FROM dt WHERE k = 1 AND d > DATE '2000-01-01' AND d < '2024-03-02';

CREATE TABLE out_e (window_start TIMESTAMP(3), d DATE, n BIGINT, last_tm TIME(0), in_list BOOLEAN, between_d BOOLEAN, pick DATE)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
INSERT INTO out_e
SELECT window_start, d, COUNT(*), MAX(tm),
  d IN (DATE '2024-03-01', DATE '1969-12-31'), d BETWEEN DATE '1900-01-01' AND '2000-01-01',
  CASE WHEN d < DATE '1970-01-01' THEN d ELSE COALESCE(CAST(NULL AS DATE), DATE '2000-02-29') END
FROM TABLE(TUMBLE(TABLE dt, DESCRIPTOR(ts), INTERVAL '5' SECOND))
GROUP BY window_start, window_end, d;

CREATE TABLE out_f (k INT, d DATE, next_month DATE, last_year DATE, back DATE, ts_month TIMESTAMP(3), jan31 TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out6.csv', 'format' = 'csv');
INSERT INTO out_f
SELECT k, d, d + INTERVAL '1' MONTH, d - INTERVAL '1' YEAR, INTERVAL '13' MONTH + d,
  ts + INTERVAL '7' MONTH, TIMESTAMP '2017-01-31 10:00:00' + INTERVAL '1' MONTH
FROM dt;
