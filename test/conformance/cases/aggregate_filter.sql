-- Aggregate FILTER (WHERE ...) (issue 15): on a running GROUP BY, on one over an updating input
-- (the filter holds for the -U as for the +U), with DISTINCT, STDDEV, and on TUMBLE and HOP windows.
-- conformance: data tx dcos
-- conformance: updating out_running
-- conformance: updating out_retracting
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_running (sender BIGINT, n BIGINT, big BIGINT, big_total BIGINT, small_avg BIGINT, receivers BIGINT, sd DOUBLE, hi_small BIGINT, small_list STRING)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_retracting (receiver BIGINT, pairs BIGINT, busy BIGINT, busy_total BIGINT, quiet_lo BIGINT, busy_senders STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_tumble (sender BIGINT, window_start TIMESTAMP(3), n BIGINT, big BIGINT, big_total BIGINT, nothing BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');
CREATE TABLE out_hop (window_start TIMESTAMP(3), window_end TIMESTAMP(3), big BIGINT, small_total BIGINT, big_hi BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out4.csv', 'format' = 'csv');

INSERT INTO out_running
SELECT sender, COUNT(*), COUNT(*) FILTER (WHERE amount > 2500), SUM(amount) FILTER (WHERE amount > 2500) * 2,
       AVG(amount) FILTER (WHERE amount <= 2500), COUNT(DISTINCT receiver) FILTER (WHERE amount > 4000),
       STDDEV_POP(CAST(amount AS DOUBLE)) FILTER (WHERE receiver = 1), MAX(amount) FILTER (WHERE amount < 1000),
       LISTAGG(CAST(receiver AS STRING)) FILTER (WHERE amount < 100)
FROM tx
GROUP BY sender;

INSERT INTO out_retracting
SELECT receiver, COUNT(*), COUNT(*) FILTER (WHERE n > 25), SUM(total) FILTER (WHERE n > 25),
       MIN(total) FILTER (WHERE n <= 25), LISTAGG(CAST(sender AS STRING)) FILTER (WHERE n > 25)
FROM (SELECT sender, receiver, COUNT(*) AS n, SUM(amount) AS total FROM tx GROUP BY sender, receiver)
GROUP BY receiver;

INSERT INTO out_tumble
SELECT sender, window_start, COUNT(*), COUNT(*) FILTER (WHERE amount > 2500), SUM(amount) FILTER (WHERE amount > 2500),
       COUNT(amount) FILTER (WHERE amount < 0)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;

INSERT INTO out_hop
SELECT window_start, window_end, COUNT(*) FILTER (WHERE amount > 2500), SUM(amount) FILTER (WHERE amount <= 2500),
       MAX(amount) FILTER (WHERE amount > 2500)
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES, INTERVAL '15' MINUTES))
GROUP BY window_start, window_end;
