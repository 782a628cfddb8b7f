-- SELECT DISTINCT is a GROUP BY over the selected columns: each distinct row once, when first seen
-- (the pair 1,2 arrives three times and is written once).
CREATE TABLE pairs (sender INT, receiver INT, memo STRING)
WITH ('connector' = 'filesystem', 'path' = 'pairs.csv', 'format' = 'csv');

CREATE TABLE distinct_pairs (sender INT, receiver INT)
WITH ('connector' = 'filesystem', 'path' = 'out/distinct_pairs.csv', 'format' = 'csv');
CREATE TABLE distinct_senders (sender INT, is_small BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out/distinct_senders.csv', 'format' = 'csv');

SET 'fintrans.sink.append-updates' = 'true';

INSERT INTO distinct_pairs SELECT DISTINCT sender, receiver FROM pairs;
INSERT INTO distinct_senders SELECT DISTINCT sender, receiver < 5 FROM pairs;

-- Over a window aggregation: the windows' rows, each distinct one once (sender 1 is busy in two
-- windows and written once).
CREATE TABLE events (ts TIMESTAMP(3), sender INT, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'events.csv', 'format' = 'csv');
CREATE TABLE busy_senders (sender INT, busy BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out/busy_senders.csv', 'format' = 'csv');

INSERT INTO busy_senders
SELECT DISTINCT sender, COUNT(*) > 1
FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY sender, window_start, window_end;
