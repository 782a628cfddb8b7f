-- The same transfers, sorted and shuffled: no record of shuffled.csv is more than 20 s behind the
-- latest one before it, within the 30 s watermark delay, so both give the same windows.
CREATE TABLE sorted_tx (ts TIMESTAMP(3), acct STRING, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '30' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'sorted.csv', 'format' = 'csv');

CREATE TABLE shuffled_tx (ts TIMESTAMP(3), acct STRING, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '30' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'shuffled.csv', 'format' = 'csv');

CREATE TABLE from_sorted (window_start TIMESTAMP(3), window_end TIMESTAMP(3), acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/from_sorted.csv', 'format' = 'csv');

CREATE TABLE from_shuffled (window_start TIMESTAMP(3), window_end TIMESTAMP(3), acct STRING, total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/from_shuffled.csv', 'format' = 'csv');

INSERT INTO from_sorted
SELECT window_start, window_end, acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE sorted_tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, acct;

INSERT INTO from_shuffled
SELECT window_start, window_end, acct, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE shuffled_tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, acct;
