-- HOP window TVF (slide 2 min, size 6 min) with HAVING. LISTAGG's order inside a HOP window is
-- Flink's slice order (newest slice first); fintrans-sql lists in arrival order: compared unordered.
-- conformance: data tx dcos
-- conformance: unordered out_hop amounts [^\s]+
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_hop (sender BIGINT, receiver BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT, amounts STRING)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_hop
SELECT sender, receiver, window_start, window_end, COUNT(*), SUM(amount), LISTAGG(CAST(amount AS STRING), ' ')
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '6' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING COUNT(*) >= 2;
