-- Views (issue 16): one view read by two INSERTs (planned once, its source read once), a window
-- function over a view, and a view over a view.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW big AS
SELECT sender, receiver, amount * 2 AS doubled, ts FROM tx WHERE amount > 300;

CREATE TEMPORARY VIEW big_pairs (a, b, x) AS
SELECT sender, receiver, doubled FROM big WHERE sender < receiver;

CREATE TABLE out_big (sender BIGINT, receiver BIGINT, doubled BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_pairs (a BIGINT, b BIGINT, x BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_windows (sender BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3), n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_big SELECT sender, receiver, doubled FROM big WHERE receiver % 3 = 0;

INSERT INTO out_pairs SELECT * FROM big_pairs;

INSERT INTO out_windows
SELECT sender, window_start, window_end, COUNT(*), SUM(doubled)
FROM TABLE(TUMBLE(TABLE big, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;
