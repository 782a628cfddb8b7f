-- Sub-queries in FROM and WITH (issue 16): a projection and a filter in nested sub-queries, a
-- window aggregate over a sub-query, an aggregate over a window aggregate's results, and a CTE
-- used by a CTE.
-- conformance: data tx dcos
-- conformance: updating out_of_windows window_end
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_nested (s BIGINT, r BIGINT, cents BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_windows (s BIGINT, window_end TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_of_windows (window_end TIMESTAMP(3), senders BIGINT, top_total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_cte (s BIGINT, cents BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');

INSERT INTO out_nested
SELECT s, r, cents FROM (
  SELECT s, r, cents FROM (SELECT sender AS s, receiver AS r, amount * 100 AS cents, ts FROM tx) AS inner_q
  WHERE cents > 50000
) AS outer_q
WHERE s <> r;

INSERT INTO out_windows
WITH filtered AS (SELECT sender AS s, amount AS a, ts FROM tx WHERE amount > 100)
SELECT s, window_end, SUM(a)
FROM TABLE(TUMBLE(TABLE filtered, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY s, window_start, window_end;

INSERT INTO out_of_windows
SELECT window_end, COUNT(*), MAX(total)
FROM (
  SELECT sender, window_start, window_end, window_time, SUM(amount) AS total
  FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
  GROUP BY sender, window_start, window_end, window_time
) AS per_sender
WHERE total > 1000
GROUP BY window_end;

INSERT INTO out_cte
WITH cents AS (SELECT sender, amount * 100 AS c FROM tx),
     big AS (SELECT sender, c FROM cents WHERE c > 70000)
SELECT sender, c FROM big;
