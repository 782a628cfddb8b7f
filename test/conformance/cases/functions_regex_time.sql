-- REGEXP, REGEXP_EXTRACT, REGEXP_REPLACE with Java regex semantics (., $, \s, \b over non-ASCII
-- letters, \p{..}, \Q..\E, a literal $1 in the replacement, empty matches), and EXTRACT /
-- YEAR ... SECOND across year, month and ISO-week boundaries.
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

CREATE TABLE out_regex_time (
  k INT, s STRING,
  re_email BOOLEAN, re_digits BOOLEAN, re_dot_end BOOLEAN, re_word BOOLEAN, re_empty BOOLEAN, re_upper BOOLEAN,
  ex_domain STRING, ex_whole STRING, ex_first_word STRING, ex_no_group STRING, ex_optional STRING, ex_n STRING, ex_quoted STRING,
  rp_digits STRING, rp_dollar STRING, rp_space STRING, rp_empty_match STRING, rp_alpha STRING,
  y BIGINT, q BIGINT, mo BIGINT, w BIGINT, d BIGINT, doy BIGINT, dow BIGINT, h BIGINT, mi BIGINT, sec BIGINT,
  f_year BIGINT, f_quarter BIGINT, f_month BIGINT, f_week BIGINT, f_doy BIGINT, f_dom BIGINT, f_dow BIGINT, f_hour BIGINT, f_minute BIGINT, f_second BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_regex_time
SELECT k, s,
       REGEXP(s, '^[^@\s]+@[A-Za-z.]+$'),
       REGEXP(s, '\d{4}-\d{4}'),
       REGEXP(s, '.\.$'),
       REGEXP(s, '\bcafé\b|\bn'),
       REGEXP(s, ''),
       REGEXP(s, '^\p{Lu}'),
       REGEXP_EXTRACT(s, '@([A-Za-z]+)\.', 1),
       REGEXP_EXTRACT(s, '[0-9]+'),
       REGEXP_EXTRACT(s, '(\w+)\s+(\w+)', 2),
       REGEXP_EXTRACT(s, '(\w+)', 3),
       REGEXP_EXTRACT(s, '(x)?(a)', 1),
       REGEXP_EXTRACT(s, '(.)(.)(.)', n),
       REGEXP_EXTRACT(s, '\Q.\E(\w+)', 1),
       REGEXP_REPLACE(s, '[0-9]', '#'),
       REGEXP_REPLACE(s, '(l+)', '$1'),
       REGEXP_REPLACE(s, '\s+', '_'),
       REGEXP_REPLACE(REPLACE(s, '😀', ':)'), 'x*', '-'),
       REGEXP_REPLACE(s, '\p{Alpha}+', 'w'),
       EXTRACT(YEAR FROM ts), EXTRACT(QUARTER FROM ts), EXTRACT(MONTH FROM ts), EXTRACT(WEEK FROM ts),
       EXTRACT(DAY FROM ts), EXTRACT(DOY FROM ts), EXTRACT(DOW FROM ts), EXTRACT(HOUR FROM ts),
       EXTRACT(MINUTE FROM ts), EXTRACT(SECOND FROM ts),
       YEAR(ts), QUARTER(ts), MONTH(ts), WEEK(ts), DAYOFYEAR(ts), DAYOFMONTH(ts), DAYOFWEEK(ts), HOUR(ts), MINUTE(ts), SECOND(ts)
FROM txt;
