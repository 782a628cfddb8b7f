-- laundering_enriched.sql — the main job's alerts with who is behind each account.
--
-- laundering.sql's detection (a pair's transfers add up to more than $10,000 within one 10-minute
-- tumbling window), each alert joined with the owner, country and risk tier of the sender's and
-- the receiver's accounts as they were when the window closed: an event-time temporal join on the
-- versioned accounts table (PRIMARY KEY and WATERMARK; a risk tier can change during the run, and
-- an alert shows the version valid at its window_time, not the latest one). Insert-only. Reads
-- topic 'transactions' and data/account_versions.csv (`fintrans-sql generate --reference data`);
-- writes output/laundering_enriched.csv. An account missing from the reference still alerts, with
-- empty owner fields (LEFT JOIN).
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --plant 30 --reference data --truth output/truth.csv --to transactions
--   fintrans-sql run jobs/laundering_enriched.sql --from-beginning --until-idle 2s
-- or all the ready jobs at once, checked against the generator's truth: npm run demo.

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'transactions',
  'properties.group.id' = 'laundering_enriched',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

-- Each version is valid from valid_from until the account's next version.
CREATE TABLE account_versions (
  valid_from TIMESTAMP(3),
  id         BIGINT,
  owner      STRING,
  country    STRING,
  risk_tier  STRING,
  opened     TIMESTAMP(3),
  PRIMARY KEY (id) NOT ENFORCED,
  WATERMARK FOR valid_from AS valid_from
) WITH (
  'connector' = 'filesystem',
  'path' = 'data/account_versions.csv',
  'format' = 'csv'
);

CREATE VIEW laundering AS
SELECT sender, receiver, window_start, window_end, window_time,
       SUM(amount)                          AS total,
       COUNT(*)                             AS transfers,
       LISTAGG(CAST(amount AS STRING), ' ') AS amounts
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end, window_time
HAVING SUM(amount) > 10000;

CREATE TABLE laundering_enriched_alerts (
  sender           BIGINT,
  sender_owner     STRING,
  sender_country   STRING,
  sender_tier      STRING,
  receiver         BIGINT,
  receiver_owner   STRING,
  receiver_country STRING,
  receiver_tier    STRING,
  window_start     TIMESTAMP(3),
  window_end       TIMESTAMP(3),
  total            BIGINT,
  transfers        BIGINT,
  amounts          STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/laundering_enriched.csv',
  'format' = 'csv'
);

INSERT INTO laundering_enriched_alerts
SELECT l.sender, s.owner, s.country, s.risk_tier,
       l.receiver, r.owner, r.country, r.risk_tier,
       l.window_start, l.window_end, l.total, l.transfers, l.amounts
FROM laundering AS l
LEFT JOIN account_versions FOR SYSTEM_TIME AS OF l.window_time AS s ON s.id = l.sender
LEFT JOIN account_versions FOR SYSTEM_TIME AS OF l.window_time AS r ON r.id = l.receiver;
