-- Every aggregate: COUNT(*), COUNT(x), COUNT(DISTINCT x), SUM, AVG, MIN, MAX, FIRST_VALUE,
-- LAST_VALUE, LISTAGG(x) and LISTAGG(x, sep), over BIGINT, DOUBLE, DECIMAL and STRING.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_aggs (
  sender BIGINT, window_start TIMESTAMP(3),
  n BIGINT, n_recv BIGINT, n_distinct BIGINT, total BIGINT, total_dec DECIMAL(12, 2), avg_dec DECIMAL(12, 2),
  lo_str STRING, hi_dbl DOUBLE, first_amt BIGINT, last_amt BIGINT, first_time STRING,
  amounts STRING, receivers STRING
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_aggs
SELECT sender, window_start,
       COUNT(*), COUNT(receiver), COUNT(DISTINCT receiver), SUM(amount),
       SUM(CAST(amount AS DECIMAL(10, 2)) / 100), AVG(CAST(amount AS DECIMAL(10, 2))),
       MIN(CAST(receiver AS STRING)), MAX(CAST(amount AS DOUBLE) / 7),
       FIRST_VALUE(amount), LAST_VALUE(amount), FIRST_VALUE(tx_time),
       LISTAGG(CAST(amount AS STRING)), LISTAGG(CAST(receiver AS STRING), '|')
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;
