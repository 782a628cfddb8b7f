-- WHERE on window_start / window_end right after a window TVF (filters whole windows), next to
-- conditions on the rows' own columns.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_tumble (sender BIGINT, window_start TIMESTAMP(3), total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_hop (receiver BIGINT, window_end TIMESTAMP(3), n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

INSERT INTO out_tumble
SELECT sender, window_start, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
WHERE window_start >= TIMESTAMP '2017-07-23 01:10:00' AND amount > 1000
GROUP BY sender, window_start, window_end;

INSERT INTO out_hop
SELECT receiver, window_end, COUNT(*)
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES))
WHERE (window_end < TIMESTAMP '2017-07-23 01:40:00' OR window_start > TIMESTAMP '2017-07-23 02:00:00') AND sender <> receiver
GROUP BY receiver, window_start, window_end;
