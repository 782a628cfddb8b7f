-- SESSION window TVF with PARTITION BY (Flink 1.19+ in streaming), sparse input so sessions close.
-- conformance: data tx dcos-slow
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '30' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_session (sender BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_session
SELECT sender, window_start, window_end, COUNT(*), SUM(amount)
FROM TABLE(SESSION(TABLE tx PARTITION BY sender, DESCRIPTOR(ts), INTERVAL '15' MINUTES))
GROUP BY sender, window_start, window_end;
