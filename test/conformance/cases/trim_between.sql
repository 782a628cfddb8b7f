-- TRIM(BOTH | LEADING | TRAILING 'chars' FROM s), BETWEEN SYMMETRIC / ASYMMETRIC, NOT BETWEEN
-- with mixed numeric types.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_trim_between (
  tx_time STRING, amount BIGINT,
  t_both STRING, t_leading STRING, t_trailing STRING, t_default STRING, t_spaces STRING, t_set STRING,
  sym BOOLEAN, asym BOOLEAN, not_sym BOOLEAN, not_mixed BOOLEAN
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_trim_between
SELECT tx_time, amount,
       TRIM(BOTH 'S' FROM tx_time),
       TRIM(LEADING 'SMTWFuondayesrhi' FROM tx_time),
       TRIM(TRAILING 'UTC ' FROM tx_time),
       TRIM('1' FROM CAST(amount AS STRING)),
       '[' || TRIM(BOTH FROM '  ' || CAST(sender AS STRING) || '  ') || ']',
       TRIM(BOTH '0123' FROM CAST(amount AS STRING)),
       amount BETWEEN SYMMETRIC 4000 AND 1000,
       amount BETWEEN ASYMMETRIC 4000 AND 1000,
       amount NOT BETWEEN SYMMETRIC receiver * 1000 AND sender * 1000,
       amount NOT BETWEEN 999.5 AND 3000
FROM tx
WHERE sender BETWEEN SYMMETRIC 3 AND 1;
