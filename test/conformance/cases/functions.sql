-- Scalar functions and operators in a projection with a filter (append-only, no window).
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_functions (
  sender BIGINT, amount BIGINT, ts TIMESTAMP(3),
  size_class STRING, amount_str STRING, amount_dec DECIMAL(10, 2), half DOUBLE,
  label STRING, up STRING, low STRING, trimmed STRING, sub STRING, len INT,
  a BIGINT, r DOUBLE, f DOUBLE, c DOUBLE, p DOUBLE, m BIGINT,
  in_list BOOLEAN, between_ BOOLEAN, likes BOOLEAN, is_null BOOLEAN, coalesced STRING,
  day_str STRING, unix_s BIGINT, ltz TIMESTAMP(3),
  maybe STRING, parsed INT, round_trip BIGINT, ts_str STRING, dbl_str STRING, int_amount INT, neg BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_functions
SELECT sender, amount, ts,
       CASE WHEN amount > 4000 THEN 'large' WHEN amount > 1000 THEN 'medium' ELSE 'small' END,
       CAST(amount AS STRING),
       CAST(amount AS DECIMAL(10, 2)) / 3,
       CAST(amount AS DOUBLE) / 2,
       'p-' || CAST(sender AS STRING) || '-' || CAST(receiver AS STRING),
       UPPER(tx_time), LOWER(tx_time), TRIM('  ' || CAST(receiver AS STRING) || '  '),
       SUBSTRING(tx_time FROM 1 FOR 3), CHAR_LENGTH(tx_time),
       ABS(receiver - sender * 2), ROUND(CAST(amount AS DOUBLE) / 7, 2),
       FLOOR(CAST(amount AS DOUBLE) / 3), CEIL(CAST(amount AS DOUBLE) / 3), POWER(CAST(sender AS DOUBLE), 2),
       MOD(amount, 7),
       receiver IN (1, 3), amount BETWEEN 100 AND 2000, tx_time LIKE 'Sun%', CAST(NULL AS STRING) IS NULL,
       COALESCE(CAST(NULL AS STRING), 'fallback'),
       DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm'), UNIX_TIMESTAMP(CAST(ts AS STRING)),
       CAST(TO_TIMESTAMP_LTZ(UNIX_TIMESTAMP(CAST(ts AS STRING)) * 1000, 3) AS TIMESTAMP(3)),
       CASE WHEN amount > 4500 THEN 'top' END,
       CAST('42' AS INT) + CAST(sender AS INT),
       CAST(CAST(amount AS STRING) AS BIGINT) * 2,
       CAST(ts AS STRING),
       CAST(CAST(amount AS DOUBLE) / 4 AS STRING),
       CAST(amount AS INT),
       -amount + receiver
FROM tx
WHERE amount > 50 AND NOT (sender = receiver);
