-- Retracting aggregates (issue 16): a running GROUP BY over another one's results, so every -U
-- takes the old value back out of each aggregate: SUM (BIGINT, DECIMAL, DOUBLE), AVG, MIN/MAX
-- (numbers, strings by code point, duplicates), COUNT DISTINCT, FIRST_VALUE/LAST_VALUE, LISTAGG
-- (order after retraction), STDDEV/VAR (SUM and COUNT), and groups emptied and made again.
-- conformance: data tx dcos
-- conformance: updating out_numbers
-- conformance: updating out_values
-- conformance: updating out_moves
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW pairs AS
SELECT sender, receiver, SUM(amount) AS total, COUNT(*) AS n, MAX(amount) AS hi, LAST_VALUE(amount) AS last_amount
FROM tx GROUP BY sender, receiver;

CREATE TABLE out_numbers (
  sender BIGINT, pairs BIGINT, total BIGINT, avg_total BIGINT, dec_total DECIMAL(38, 13), dec_avg DECIMAL(38, 6),
  dbl_total DOUBLE, dbl_avg DOUBLE, sd DOUBLE, var_n BIGINT, lo BIGINT, hi BIGINT, lo_n BIGINT, big_n BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');

CREATE TABLE out_values (
  sender BIGINT, hi_text STRING, lo_text STRING, first_r BIGINT, last_r BIGINT, receivers STRING, last_amounts STRING, distinct_n BIGINT, distinct_his BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

CREATE TABLE out_moves (bucket BIGINT, pairs BIGINT, senders STRING, lo_sender BIGINT, first_sender BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_numbers
SELECT sender, COUNT(*), SUM(total), AVG(total),
       SUM(CAST(total AS DECIMAL(12, 2)) / 3), AVG(CAST(total AS DECIMAL(12, 2))),
       SUM(CAST(total AS DOUBLE) / 7), AVG(CAST(total AS DOUBLE) / 3),
       STDDEV_POP(CAST(total AS DOUBLE)), VAR_SAMP(n),
       MIN(total), MAX(total), MIN(n), MAX(hi)
FROM pairs
GROUP BY sender;

INSERT INTO out_values
SELECT sender, MAX(CAST(total AS STRING)), MIN(CAST(total AS STRING)),
       FIRST_VALUE(receiver), LAST_VALUE(receiver),
       LISTAGG(CAST(receiver AS STRING)), LISTAGG(CAST(last_amount AS STRING), ';'),
       COUNT(DISTINCT n / 10), SUM(DISTINCT hi / 1000)
FROM pairs
GROUP BY sender;

-- Pairs move between buckets as their totals grow: a bucket loses a pair (-U) and may become
-- empty (-D), another gains it.
INSERT INTO out_moves
SELECT total / 50000, COUNT(*), LISTAGG(CAST(sender AS STRING)), MIN(sender), FIRST_VALUE(sender), SUM(total)
FROM pairs
GROUP BY total / 50000;
