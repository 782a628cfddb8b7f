-- rapid_cashout.sql — money in, money straight out.
--
-- Flags a deposit of more than $10,000 into an account followed, within the hour, by a transfer out
-- of that account of at least 80 % of the deposit. An interval join of the transactions with
-- themselves: each deposit meets the transfers its receiver sends from the deposit's time to one
-- hour later. A row is kept only while a partner can still come (the watermark frees it), and each
-- alert is final when it is written (insert-only), so it goes straight into a CSV file: one row per
-- (deposit, cash-out). Reads the seeds' semicolon records from topic 'transactions'; writes
-- output/rapid_cashout.csv.
--
-- Run it (embedded topic store, no Kafka needed):
--   fintrans-sql generate --count 300000 --plant-cashout 30 --pattern-truth output/truth --to transactions
--   fintrans-sql run jobs/rapid_cashout.sql --from-beginning --until-idle 2s
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
  'properties.group.id' = 'rapid_cashout',
  'scan.startup.mode' = 'group-offsets',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE VIEW deposits AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount > 10000;

-- 80 % of a deposit over 10 000 is over 8 000: leaving smaller transfers out first keeps the
-- join's state small without changing its result.
CREATE VIEW outflows AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount > 8000;

CREATE TABLE rapid_cashout_alerts (
  account         BIGINT,
  deposit_from    BIGINT,
  deposit_time    TIMESTAMP(3),
  deposit_amount  BIGINT,
  cashout_to      BIGINT,
  cashout_time    TIMESTAMP(3),
  cashout_amount  BIGINT,
  cashout_percent BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/rapid_cashout.csv',
  'format' = 'csv'
);

-- An interval join keeps both sides' time attributes, and a sink takes at most one (Flink refuses
-- two): the later time goes out as a plain TIMESTAMP.
INSERT INTO rapid_cashout_alerts
SELECT d.receiver, d.sender, d.ts, d.amount,
       o.receiver, CAST(o.ts AS TIMESTAMP(3)), o.amount,
       100 * o.amount / d.amount
FROM deposits AS d
JOIN outflows AS o
  ON o.sender = d.receiver
 AND o.ts BETWEEN d.ts AND d.ts + INTERVAL '1' HOUR
 AND o.amount >= 0.8 * d.amount;
