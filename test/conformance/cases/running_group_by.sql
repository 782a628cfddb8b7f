-- Non-windowed GROUP BY: Flink emits a changelog (final value per key compared), with HAVING.
-- conformance: data tx dcos
-- conformance: updating out_running sender,receiver
-- conformance: updating out_running_big sender
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_running (sender BIGINT, receiver BIGINT, n BIGINT, total BIGINT, hi BIGINT, lo BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
CREATE TABLE out_running_big (sender BIGINT, total BIGINT, msg STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

INSERT INTO out_running
SELECT sender, receiver, COUNT(*), SUM(amount), MAX(amount), MIN(amount)
FROM tx
GROUP BY sender, receiver;

INSERT INTO out_running_big
SELECT sender, SUM(amount), 'sender ' || CAST(sender AS STRING) || ' moved ' || CAST(SUM(amount) AS STRING)
FROM tx
WHERE amount > 1000
GROUP BY sender
HAVING SUM(amount) > 50000;
