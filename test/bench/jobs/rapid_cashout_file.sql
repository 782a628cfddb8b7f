-- Bench copy of jobs/rapid_cashout.sql: the same interval join and sink, reading a FILE instead of
-- a topic (input/transactions.csv in the case's working directory, as the other bench jobs).

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = 'input/transactions.csv',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE VIEW deposits AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount > 10000;

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

INSERT INTO rapid_cashout_alerts
SELECT d.receiver, d.sender, d.ts, d.amount,
       o.receiver, CAST(o.ts AS TIMESTAMP(3)), o.amount,
       100 * o.amount / d.amount
FROM deposits AS d
JOIN outflows AS o
  ON o.sender = d.receiver
 AND o.ts BETWEEN d.ts AND d.ts + INTERVAL '1' HOUR
 AND o.amount >= 0.8 * d.amount;
