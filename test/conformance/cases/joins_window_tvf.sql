-- Window joins straight over window TVFs (issue 17, as Flink's docs write them): each side is
-- TUMBLE(...) of its table, the rows (not aggregates) joined on window_start, window_end and a key
-- when the window closes. Inner, left, right and full outer (NULL-padded rows of either side, the
-- window taken with COALESCE). (Window semi/anti joins, IN / EXISTS over a TVF, are refused yet.)
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW l AS SELECT * FROM tx WHERE amount > 4200;
CREATE VIEW r AS SELECT * FROM tx WHERE amount < 800;

CREATE TABLE out_inner (l_time STRING, r_time STRING, account BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_left (l_time STRING, r_time STRING, l_amount BIGINT, r_amount BIGINT, window_end TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_right (l_time STRING, r_time STRING, r_receiver BIGINT, window_start TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_full (l_time STRING, r_time STRING, window_start TIMESTAMP(3), window_end TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
INSERT INTO out_inner
SELECT a.tx_time, b.tx_time, a.sender, a.window_start, a.window_end
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
ON a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end;

INSERT INTO out_left
SELECT a.tx_time, b.tx_time, a.amount, b.amount, a.window_end
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
LEFT JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
ON a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end AND b.amount > 100;

INSERT INTO out_right
SELECT a.tx_time, b.tx_time, b.receiver, b.window_start
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
RIGHT JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
ON a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end;

INSERT INTO out_full
SELECT a.tx_time, b.tx_time, COALESCE(a.window_start, b.window_start), COALESCE(a.window_end, b.window_end)
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
FULL JOIN (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
ON a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end;
