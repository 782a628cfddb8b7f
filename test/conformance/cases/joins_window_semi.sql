-- Window semi and anti joins (issue 17, as Flink's docs write them): rows of a window TVF kept when
-- the same window of another TVF has (IN, EXISTS) or has no (NOT EXISTS) partner, correlated on
-- window_start and window_end; decided when the window closes, so insert-only. (A correlated
-- NOT IN is refused yet: NOT EXISTS says the same without its NULL rule.)
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

CREATE TABLE out_semi_in (tx_time STRING, sender BIGINT, window_end TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_semi_exists (tx_time STRING, sender BIGINT, window_start TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_anti_not_exists (tx_time STRING, sender BIGINT, window_end TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_semi_in
SELECT tx_time, sender, window_end
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
WHERE a.sender IN (
  SELECT b.receiver FROM (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
  WHERE a.window_start = b.window_start AND a.window_end = b.window_end);

INSERT INTO out_semi_exists
SELECT tx_time, sender, window_start
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
WHERE EXISTS (
  SELECT * FROM (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
  WHERE a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end);

INSERT INTO out_anti_not_exists
SELECT tx_time, sender, window_end
FROM (SELECT * FROM TABLE(TUMBLE(TABLE l, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) a
WHERE NOT EXISTS (
  SELECT * FROM (SELECT * FROM TABLE(TUMBLE(TABLE r, DESCRIPTOR(ts), INTERVAL '5' MINUTES))) b
  WHERE a.sender = b.receiver AND a.window_start = b.window_start AND a.window_end = b.window_end);
