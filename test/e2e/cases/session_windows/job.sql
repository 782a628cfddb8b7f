-- SESSION windows per sender, gap 5 minutes. Sender 1: a session grows while transfers come less
-- than 5 minutes apart. Sender 2: transfers exactly 5 minutes apart share a session (Flink merges
-- windows that touch). Sender 3: a late-arriving transfer (within the 10-minute watermark delay)
-- bridges two sessions into one.
CREATE TABLE transfers (
  ts TIMESTAMP(3),
  sender INT,
  amount BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '10' MINUTE
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE sessions (sender INT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/sessions.csv', 'format' = 'csv');

INSERT INTO sessions
SELECT sender, window_start, window_end, SUM(amount), COUNT(*)
FROM TABLE(SESSION(TABLE transfers PARTITION BY sender, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY sender, window_start, window_end;
