-- city_volume.sql — the fintrans dashboard: per city and minute, the number of transfers, their
-- total and their average amount (what the seed showed in Grafana).
-- Writes output/city_volume.csv.
--
-- Run it:
--   fintrans-sql generate --format fintrans --count 100000 --to cities
--   fintrans-sql run jobs/city_volume.sql --from-beginning --until-idle 2s

CREATE TABLE city_transactions (
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  city     STRING METADATA FROM 'topic' VIRTUAL,
  ts       TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'London;NYC;SF;Moscow;Tokyo',
  'properties.group.id' = 'city-volume',
  'format' = 'csv',
  'csv.field-delimiter' = ' ',
  'csv.ignore-parse-errors' = 'true'
);

CREATE TABLE city_volume (
  city         STRING,
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  transfers    BIGINT,
  total        BIGINT,
  average      DOUBLE
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/city_volume.csv',
  'format' = 'csv'
);

INSERT INTO city_volume
SELECT city, window_start, window_end, COUNT(*), SUM(amount), AVG(CAST(amount AS DOUBLE))
FROM TABLE(TUMBLE(TABLE city_transactions, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY city, window_start, window_end;
