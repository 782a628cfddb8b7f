-- layering.sql — money passed along a chain: a→b→c within minutes, nearly the same amount.
--
-- Flags a transfer of more than $10,000 from a to b followed, within 10 minutes, by a transfer from
-- b on to a third account c (not back to a) of an amount within 10 % of the first. An interval
-- self-join of the transactions: each large transfer meets the transfers its receiver sends in the
-- 10 minutes after it; rows are kept only while a partner can still come, and the result is
-- insert-only. Reads topic 'transactions'; writes output/layering.csv, one row per chain link pair.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --plant-layering 30 --pattern-truth output/truth --to transactions
--   fintrans-sql run jobs/layering.sql --from-beginning --until-idle 2s
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
  'properties.group.id' = 'layering',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE VIEW large_transfers AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount > 10000;

-- Within 10 % of a transfer over 10 000 is over 9 000: smaller ones can be left out first.
CREATE VIEW onward_transfers AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount > 9000;

CREATE TABLE layering_alerts (
  origin        BIGINT,
  middle        BIGINT,
  destination   BIGINT,
  first_time    TIMESTAMP(3),
  first_amount  BIGINT,
  second_time   TIMESTAMP(3),
  second_amount BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/layering.csv',
  'format' = 'csv'
);

-- An interval join keeps both sides' time attributes, and a sink takes at most one (Flink refuses
-- two): the later time goes out as a plain TIMESTAMP.
INSERT INTO layering_alerts
SELECT f.sender, f.receiver, s.receiver, f.ts, f.amount, CAST(s.ts AS TIMESTAMP(3)), s.amount
FROM large_transfers AS f
JOIN onward_transfers AS s
  ON s.sender = f.receiver
 AND s.ts > f.ts AND s.ts <= f.ts + INTERVAL '10' MINUTE
 AND s.amount BETWEEN 0.9 * f.amount AND 1.1 * f.amount
 AND s.receiver <> f.sender;
