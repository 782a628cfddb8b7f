-- CUMULATE window TVF (step 5 min, max size 20 min); LISTAGG in arrival order on both engines.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_cumulate (receiver BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT, hi BIGINT, amounts STRING)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_cumulate
SELECT receiver, window_start, window_end, COUNT(*), SUM(amount), MAX(amount), LISTAGG(CAST(amount AS STRING))
FROM TABLE(CUMULATE(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '20' MINUTES))
GROUP BY receiver, window_start, window_end;
