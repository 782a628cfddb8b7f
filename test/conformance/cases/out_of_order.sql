-- Out-of-order input within the watermark delay (up to 29 s back, delay 30 s): no record is late,
-- every one counts in its TUMBLE window.
-- conformance: data tx dcos-disorder
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '30' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_ooo (window_start TIMESTAMP(3), n BIGINT, total BIGINT, first_time STRING, last_time STRING)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_ooo
SELECT window_start, COUNT(*), SUM(amount), MIN(tx_time), MAX(tx_time)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end;
