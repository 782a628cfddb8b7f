-- Window joins (issue 17): two results of the same TUMBLE window joined on window_start and
-- window_end (and a key): inner, left, right and full, emitted when the window closes (insert-only,
-- so they go to an append-only file as in Flink), and a HOP window join.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW sent AS
SELECT sender AS account, window_start, window_end, SUM(amount) AS out_total
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
WHERE amount > 2000
GROUP BY sender, window_start, window_end;

CREATE VIEW received AS
SELECT receiver AS account, window_start, window_end, SUM(amount) AS in_total
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
WHERE amount < 1500
GROUP BY receiver, window_start, window_end;

CREATE TABLE out_inner (account BIGINT, window_end TIMESTAMP(3), out_total BIGINT, in_total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (account BIGINT, window_end TIMESTAMP(3), out_total BIGINT, in_total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_full (s_account BIGINT, r_account BIGINT, s_end TIMESTAMP(3), r_end TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_hop (account BIGINT, window_end TIMESTAMP(3), n_out BIGINT, n_in BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');

INSERT INTO out_inner
SELECT s.account, s.window_end, s.out_total, r.in_total
FROM sent s JOIN received r ON s.account = r.account AND s.window_start = r.window_start AND s.window_end = r.window_end;

INSERT INTO out_left
SELECT s.account, s.window_end, s.out_total, r.in_total
FROM sent s LEFT JOIN received r ON s.account = r.account AND s.window_start = r.window_start AND s.window_end = r.window_end AND r.in_total > 500;

INSERT INTO out_full
SELECT s.account, r.account, s.window_end, r.window_end
FROM sent s FULL JOIN received r ON s.account = r.account AND s.window_start = r.window_start AND s.window_end = r.window_end;

INSERT INTO out_hop
SELECT a.sender, a.window_end, a.n, b.n
FROM (SELECT sender, window_start, window_end, COUNT(*) AS n FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES)) GROUP BY sender, window_start, window_end) a
JOIN (SELECT receiver, window_start, window_end, COUNT(*) AS n FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES)) GROUP BY receiver, window_start, window_end) b
ON a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end;
