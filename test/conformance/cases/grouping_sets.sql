-- GROUPING SETS, ROLLUP and CUBE (issue 15), running and in window aggregation: one aggregate over
-- the union of the keys, each row counted once per set with the keys outside the set as NULL
-- (Calcite's Expand); a key that is also an aggregate's argument keeps its value there; GROUPING()
-- and GROUPING_ID() tell the sets apart; HAVING per set; keys outside the sets in every set.
-- conformance: data tx dcos
-- conformance: updating out_sets
-- conformance: updating out_rollup
-- conformance: updating out_cube
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_sets (sender BIGINT, receiver BIGINT, n BIGINT, total BIGINT, g_sender BIGINT, g_id BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out_sets
SELECT sender, receiver, COUNT(*), SUM(amount), GROUPING(sender), GROUPING_ID(sender, receiver)
FROM tx
GROUP BY GROUPING SETS ((sender, receiver), (sender), ());

CREATE TABLE out_rollup (sender BIGINT, receiver BIGINT, n BIGINT, hi BIGINT, g BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
INSERT INTO out_rollup
SELECT sender, receiver, COUNT(receiver), MAX(amount), GROUPING(receiver)
FROM tx
WHERE amount > 100
GROUP BY ROLLUP (sender, receiver)
HAVING COUNT(*) > 1;

CREATE TABLE out_cube (receiver BIGINT, big BOOLEAN, n BIGINT, senders BIGINT, lo BIGINT, g_id BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
INSERT INTO out_cube
SELECT receiver, amount > 5000 AS big, COUNT(*), COUNT(DISTINCT sender), MIN(receiver), GROUPING_ID(receiver, amount > 5000)
FROM tx
GROUP BY CUBE (receiver, amount > 5000);

CREATE TABLE out_window (window_start TIMESTAMP(3), window_end TIMESTAMP(3), sender BIGINT, receiver BIGINT, n BIGINT, total BIGINT, g BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
INSERT INTO out_window
SELECT window_start, window_end, sender, receiver, COUNT(*), SUM(amount), GROUPING(sender)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, GROUPING SETS ((sender), (sender, receiver), ());

CREATE TABLE out_window_rollup (window_start TIMESTAMP(3), sender BIGINT, receiver BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');
INSERT INTO out_window_rollup
SELECT window_start, sender, receiver, COUNT(*)
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '4' MINUTES))
GROUP BY window_start, window_end, sender, ROLLUP (receiver);
