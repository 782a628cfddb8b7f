-- Bench job for startup: passes each record straight to stdout (print sink), so the time until the
-- first '+I[' line shows up is the time from process start to the first record processed and
-- written. Reads input/transactions.csv (one record) in the case's working directory.

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

CREATE TABLE printed (sender BIGINT, receiver BIGINT, amount BIGINT, ts TIMESTAMP(3))
WITH ('connector' = 'print');

INSERT INTO printed SELECT sender, receiver, amount, ts FROM transactions;
