-- TO_TIMESTAMP with several Java patterns (and the default one) on strings made by DATE_FORMAT.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_patterns (
  tx_time STRING, t_default TIMESTAMP(3), t_slash TIMESTAMP(3), t_compact TIMESTAMP(3),
  t_iso TIMESTAMP(3), t_millis TIMESTAMP(3), t_rfc850 TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_patterns
SELECT tx_time,
       TO_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss')),
       TO_TIMESTAMP(DATE_FORMAT(ts, 'dd/MM/yyyy HH:mm'), 'dd/MM/yyyy HH:mm'),
       TO_TIMESTAMP(DATE_FORMAT(ts, 'yyyyMMddHHmmss'), 'yyyyMMddHHmmss'),
       TO_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd''T''HH:mm:ss'), 'yyyy-MM-dd''T''HH:mm:ss'),
       TO_TIMESTAMP(DATE_FORMAT(ts, 'yyyy-MM-dd HH:mm:ss') || '.250', 'yyyy-MM-dd HH:mm:ss.SSS'),
       TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z')
FROM tx
WHERE receiver = 2;
