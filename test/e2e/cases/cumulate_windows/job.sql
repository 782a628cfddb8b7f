-- CUMULATE: windows [10:00, 10:01), [10:00, 10:02) ... [10:00, 10:05), then again from 10:05.
-- A sender keeps getting a row per step once it has state in the 5-minute window.
CREATE TABLE transfers (
  ts TIMESTAMP(3),
  sender INT,
  amount INT,
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');

CREATE TABLE cumulative_totals (window_start TIMESTAMP(3), window_end TIMESTAMP(3), sender INT, total INT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/running.csv', 'format' = 'csv');

INSERT INTO cumulative_totals
SELECT window_start, window_end, sender, SUM(amount), COUNT(*)
FROM TABLE(CUMULATE(TABLE transfers, DESCRIPTOR(ts), INTERVAL '1' MINUTES, INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, sender;
