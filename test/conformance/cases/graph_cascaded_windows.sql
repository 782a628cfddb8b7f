-- Cascaded windows (issue 16): an hourly TUMBLE over the window_time of a 10-minute one (window_time
-- is the inner result's time attribute, renamed as Flink's documentation does, since the outer window
-- adds its own window_start/window_end/window_time), and a 1-hour HOP over the same 10-minute totals.
-- conformance: data tx dcos-slow
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '30' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW ten_minutes AS
SELECT sender % 5 AS bucket, window_start AS inner_start, window_end AS inner_end, window_time AS rowtime, SUM(amount) AS total, COUNT(*) AS n
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender % 5, window_start, window_end, window_time;

CREATE TABLE out_hour (bucket BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), total BIGINT, windows BIGINT, rows_in BIGINT, biggest BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_hop (bucket BIGINT, window_end TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

INSERT INTO out_hour
SELECT bucket, window_start, window_end, SUM(total), COUNT(*), SUM(n), MAX(total)
FROM TABLE(TUMBLE(TABLE ten_minutes, DESCRIPTOR(rowtime), INTERVAL '1' HOUR))
GROUP BY bucket, window_start, window_end;

INSERT INTO out_hop
SELECT bucket, window_end, SUM(total)
FROM TABLE(HOP(TABLE ten_minutes, DESCRIPTOR(rowtime), INTERVAL '30' MINUTES, INTERVAL '1' HOUR))
GROUP BY bucket, window_start, window_end;
