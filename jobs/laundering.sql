-- laundering.sql — the main job: money laundering split into small transfers.
--
-- Flags every ordered (sender, receiver) pair whose transfers add up to MORE than $10,000 inside
-- one 10-minute tumbling window (epoch-aligned), even when split into many small payments, and
-- lists the transfers. Reads the seeds' semicolon records from topic 'transactions':
--   Sunday, 23-Jul-17 01:06:47 UTC;66;26;7810     (RFC 850 time; sender; receiver; amount)
-- Writes output/laundering.csv.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 200000 --plant 30 --truth output/truth.csv --to transactions
--   fintrans-sql run jobs/laundering.sql --from-beginning --until-idle 2s
-- or all in one: npm run demo.  Against Kafka: add --brokers host:9092 to both commands.

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  -- The generator writes ascending timestamps; allow 5 s of disorder anyway.
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'transactions',
  'properties.group.id' = 'laundering',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE TABLE laundering_alerts (
  sender       BIGINT,
  receiver     BIGINT,
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  total        BIGINT,
  transfers    BIGINT,
  amounts      STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/laundering.csv',
  'format' = 'csv'
);

INSERT INTO laundering_alerts
SELECT sender, receiver, window_start, window_end,
       SUM(amount)                              AS total,
       COUNT(*)                                 AS transfers,
       LISTAGG(CAST(amount AS STRING), ' ')     AS amounts
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
