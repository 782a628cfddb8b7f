-- TIMESTAMPADD and TIMESTAMPDIFF in every unit: calendar months clamped to the month's last day
-- (Jan 31 + 1 month, Feb 29 - 1 year), differences truncated toward zero in both directions.
-- conformance: data txt text
CREATE TABLE txt (
  k   INT,
  s   STRING,
  sep STRING,
  n   INT,
  j   STRING,
  tx  STRING,
  ts AS TO_TIMESTAMP(tx),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.disable-quote-character' = 'true');

CREATE TABLE out_timestampadd (
  tx STRING,
  add_s TIMESTAMP(3), add_mi TIMESTAMP(3), add_h TIMESTAMP(3), add_d TIMESTAMP(3), add_w TIMESTAMP(3),
  add_mo TIMESTAMP(3), add_q TIMESTAMP(3), add_y TIMESTAMP(3), add_jan31 TIMESTAMP(3),
  diff_s INT, diff_mi INT, diff_h INT, diff_d INT, diff_w INT, diff_mo INT, diff_q INT, diff_y INT, diff_mo_back INT
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_timestampadd
SELECT tx,
       TIMESTAMPADD(SECOND, n * 37, ts),
       TIMESTAMPADD(MINUTE, -n, ts),
       TIMESTAMPADD(HOUR, 25, ts),
       TIMESTAMPADD(DAY, n, ts),
       TIMESTAMPADD(WEEK, -2, ts),
       TIMESTAMPADD(MONTH, n, ts),
       TIMESTAMPADD(QUARTER, 1, ts),
       TIMESTAMPADD( YEAR , -1, ts),
       TIMESTAMPADD(MONTH, n, TIMESTAMP '2017-01-31 10:00:00'),
       TIMESTAMPDIFF(SECOND, TIMESTAMP '2017-07-23 00:55:00', ts),
       TIMESTAMPDIFF(MINUTE, ts, TIMESTAMP '2017-07-23 00:55:00'),
       TIMESTAMPDIFF(HOUR, ts, TIMESTAMP '2017-07-23 00:55:00'),
       TIMESTAMPDIFF(DAY, TIMESTAMP '2017-01-01 00:00:00', ts),
       TIMESTAMPDIFF(WEEK, TIMESTAMP '2017-01-01 00:00:00', ts),
       TIMESTAMPDIFF(MONTH, TIMESTAMP '2017-01-31 12:00:00', ts),
       TIMESTAMPDIFF(QUARTER, TIMESTAMP '2016-11-30 23:59:59', ts),
       TIMESTAMPDIFF(YEAR, ts, TIMESTAMP '2017-07-23 00:55:00'),
       TIMESTAMPDIFF(MONTH, ts, TIMESTAMP '2017-03-31 12:00:00')
FROM txt;
