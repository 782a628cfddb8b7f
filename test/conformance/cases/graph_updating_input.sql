-- Aggregates over an updating input (issue 16): a running GROUP BY over another one's results, so
-- each -U takes the old value back out (COUNT, SUM, MIN/MAX, AVG, COUNT DISTINCT, LISTAGG retract),
-- groups emptied by retraction are deleted (-D), and SELECT DISTINCT over a running aggregate.
-- conformance: data tx dcos
-- conformance: updating out_buckets
-- conformance: updating out_tiers
-- conformance: updating out_distinct
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW pair_totals AS
SELECT sender, receiver, SUM(amount) AS total, COUNT(*) AS n
FROM tx GROUP BY sender, receiver;

CREATE TABLE out_buckets (bucket BIGINT, pairs BIGINT, total BIGINT, lo BIGINT, hi BIGINT, senders BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_tiers (tier STRING, pairs BIGINT, avg_n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_distinct (sender BIGINT, big BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_buckets
SELECT total / 20000, COUNT(*), SUM(total), MIN(total), MAX(total), COUNT(DISTINCT sender)
FROM pair_totals
GROUP BY total / 20000;

INSERT INTO out_tiers
SELECT CASE WHEN n > 30 THEN 'busy' WHEN n > 20 THEN 'normal' ELSE 'quiet' END, COUNT(*), AVG(n)
FROM pair_totals
GROUP BY CASE WHEN n > 30 THEN 'busy' WHEN n > 20 THEN 'normal' ELSE 'quiet' END;

INSERT INTO out_distinct
SELECT DISTINCT sender, total > 50000 FROM pair_totals;
