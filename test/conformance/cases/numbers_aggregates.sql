-- Aggregates at the edges of their types: SUM(BIGINT) past 2^53 and past Long.MAX_VALUE, SUM(INT)
-- wrapping as Flink's INT result does, AVG of integers (a long sum, truncated) and of doubles,
-- MIN/MAX of strings in the same code point order as `<`, in a window and in a running GROUP BY.
-- conformance: data edge_rows edge
-- conformance: updating out_running k
CREATE TABLE edge_rows (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING,
  ts AS TO_TIMESTAMP(tx),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_window (
  k INT, window_start TIMESTAMP(3), big_sum BIGINT, id_sum BIGINT, i_sum INT, tiny_sum TINYINT, small_sum SMALLINT,
  big_avg BIGINT, i_avg INT, tiny_avg TINYINT, d_avg DOUBLE, d_sum DOUBLE, s_min STRING, s_max STRING, id_min BIGINT, id_max BIGINT,
  n BIGINT, id_distinct BIGINT, i_abs_sum INT
) WITH ('connector' = 'filesystem', 'path' = 'window.csv', 'format' = 'csv');

CREATE TABLE out_running (
  k INT, big_sum BIGINT, i_sum INT, big_avg BIGINT, d_avg DOUBLE, s_min STRING, s_max STRING, id_max BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'running.csv', 'format' = 'csv');

INSERT INTO out_window
SELECT k, window_start, SUM(big), SUM(id), SUM(i), SUM(tiny), SUM(small),
       AVG(big), AVG(i), AVG(tiny), AVG(d), SUM(d), MIN(s), MAX(s), MIN(id), MAX(id),
       COUNT(*), COUNT(DISTINCT id), SUM(ABS(i))
FROM TABLE(TUMBLE(TABLE edge_rows, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY k, window_start, window_end;

INSERT INTO out_running
SELECT k, SUM(big), SUM(i), AVG(big), AVG(d), MIN(s), MAX(s), MAX(id)
FROM edge_rows
GROUP BY k;
