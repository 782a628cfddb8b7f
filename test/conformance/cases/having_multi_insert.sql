-- HAVING with several conditions, WHERE before a window, and several INSERTs in one file.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_big_pairs (sender BIGINT, receiver BIGINT, window_end TIMESTAMP(3), total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_busy_senders (sender BIGINT, window_start TIMESTAMP(3), n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_filtered (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_big_pairs
SELECT sender, receiver, window_end, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
WHERE amount >= 500
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 8000 AND COUNT(*) >= 3 OR MAX(amount) > 4900;

INSERT INTO out_busy_senders
SELECT sender, window_start, COUNT(*)
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES))
GROUP BY sender, window_start, window_end
HAVING COUNT(*) > 10;

INSERT INTO out_filtered
SELECT tx_time, sender, receiver, amount FROM tx WHERE amount < 100 OR receiver = sender;
