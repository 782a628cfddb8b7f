-- Every aggregate function in one hourly TUMBLE job; 'n/a' is NULL. Aggregates skip NULLs (COUNT(*)
-- does not), an aggregate over only NULLs is NULL (COUNT is 0), AVG of BIGINT truncates.
CREATE TABLE tx (
  ts TIMESTAMP(3),
  acct STRING,
  amount BIGINT,
  rate DOUBLE,
  tag STRING,
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.null-literal' = 'n/a');

CREATE TABLE stats (
  window_start TIMESTAMP(3), acct STRING,
  n_all BIGINT, n_amount BIGINT, n_tags BIGINT,
  total BIGINT, avg_amount BIGINT, avg_rate DOUBLE, min_amount BIGINT, max_amount BIGINT,
  first_tag STRING, last_tag STRING, tags STRING, tags_slash STRING
) WITH ('connector' = 'filesystem', 'path' = 'out/stats.csv', 'format' = 'csv');

INSERT INTO stats
SELECT window_start, acct,
       COUNT(*), COUNT(amount), COUNT(DISTINCT tag),
       SUM(amount), AVG(amount), AVG(rate), MIN(amount), MAX(amount),
       FIRST_VALUE(tag), LAST_VALUE(tag), LISTAGG(tag), LISTAGG(tag, '/')
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, acct;
