-- STDDEV_POP / STDDEV_SAMP / VAR_POP / VAR_SAMP in TUMBLE and HOP windows and a running GROUP BY:
-- integer results in the argument's type (squares that wrap in INT, truncating divisions), DOUBLE
-- results, and a sample of one (NULL). DOUBLE arguments in TUMBLE are exact binary fractions
-- (x / 8): the order in which Flink adds partial sums across local flushes cannot change them.
-- conformance: data tx dcos
-- conformance: updating out_stats_running sender
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_stats_tumble (
  sender BIGINT, window_start TIMESTAMP(3), n BIGINT,
  sdpop BIGINT, sdsamp BIGINT, v_pop BIGINT, v_samp BIGINT,
  sd_pop_int INT, v_samp_wrap INT,
  sd_pop_d DOUBLE, sd_samp_d DOUBLE, v_pop_d DOUBLE, v_samp_d DOUBLE
) WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');

CREATE TABLE out_stats_hop (
  receiver BIGINT, window_start TIMESTAMP(3), window_end TIMESTAMP(3),
  sd_samp BIGINT, v_pop_d DOUBLE, sd_samp_d DOUBLE
) WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

CREATE TABLE out_stats_running (sender BIGINT, sd_pop BIGINT, v_samp_d DOUBLE)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_stats_tumble
SELECT sender, window_start, COUNT(*),
       STDDEV_POP(amount), STDDEV_SAMP(amount), VAR_POP(amount), VAR_SAMP(amount),
       STDDEV_POP(CAST(amount AS INT)), VAR_SAMP(CAST(amount AS INT) * 20),
       STDDEV_POP(CAST(amount AS DOUBLE)), STDDEV_SAMP(amount / 8.0E0), VAR_POP(amount * 0.25E0), VAR_SAMP(CAST(amount AS DOUBLE))
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '5' MINUTES))
GROUP BY sender, window_start, window_end;

INSERT INTO out_stats_hop
SELECT receiver, window_start, window_end,
       STDDEV_SAMP(amount), VAR_POP(CAST(amount AS DOUBLE)), STDDEV_SAMP(amount * 1.5E0)
FROM TABLE(HOP(TABLE tx, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '6' MINUTES))
GROUP BY receiver, window_start, window_end;

INSERT INTO out_stats_running
SELECT sender, STDDEV_POP(amount), VAR_SAMP(amount / 3.0E0)
FROM tx
GROUP BY sender;
