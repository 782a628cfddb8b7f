-- UNION ALL and DISTINCT (issue 16): a plain UNION ALL of two filters of one table (types widened
-- to a common one), a window aggregate over a UNION ALL view, UNION (distinct rows), and SELECT
-- DISTINCT running and over a window.
-- conformance: data tx dcos
-- conformance: updating out_union_distinct sender,kind
-- conformance: updating out_distinct_running sender,receiver
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW both_sides AS
SELECT sender AS account, amount, ts FROM tx WHERE amount > 200
UNION ALL
SELECT receiver AS account, -amount AS amount, ts FROM tx WHERE amount > 200;

CREATE TABLE out_union (account BIGINT, v DECIMAL(12, 2), kind STRING)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_union_windows (account BIGINT, window_end TIMESTAMP(3), flow BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_union_distinct (sender BIGINT, kind STRING)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_distinct_running (sender BIGINT, receiver BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');
CREATE TABLE out_distinct_window (window_start TIMESTAMP(3), window_end TIMESTAMP(3), sender BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out5.csv', 'format' = 'csv');

INSERT INTO out_union
SELECT sender, amount, 'big' FROM tx WHERE amount > 900
UNION ALL
SELECT receiver, CAST(amount AS DECIMAL(10, 2)) / 4, 'quarter' FROM tx WHERE amount < 50;

INSERT INTO out_union_windows
SELECT account, window_end, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE both_sides, DESCRIPTOR(ts), INTERVAL '15' MINUTES))
GROUP BY account, window_start, window_end;

INSERT INTO out_union_distinct
SELECT sender % 4, 'low' FROM tx WHERE amount < 100
UNION
SELECT receiver % 4, 'low' FROM tx WHERE amount < 100;

INSERT INTO out_distinct_running
SELECT DISTINCT sender % 3, receiver % 3 FROM tx;

INSERT INTO out_distinct_window
SELECT DISTINCT window_start, window_end, sender % 4
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '20' MINUTES));
