-- Bench copy of jobs/structuring.sql: the same MATCH_RECOGNIZE and sink, reading a FILE instead of
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

CREATE VIEW near_threshold AS
SELECT sender, receiver, amount, ts FROM transactions WHERE amount >= 9000 AND amount < 10000;

CREATE TABLE structuring_alerts (
  account      BIGINT,
  first_time   TIMESTAMP(3),
  last_time    TIMESTAMP(3),
  transfers    BIGINT,
  total        BIGINT,
  smallest     BIGINT,
  receivers    STRING
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/structuring.csv',
  'format' = 'csv'
);

INSERT INTO structuring_alerts
SELECT account, first_time, last_time, transfers, total, smallest, receivers
FROM near_threshold
  MATCH_RECOGNIZE (
    PARTITION BY sender
    ORDER BY ts
    MEASURES
      sender AS account,
      FIRST(S.ts) AS first_time,
      LAST(S.ts) AS last_time,
      COUNT(S.amount) AS transfers,
      SUM(S.amount) AS total,
      MIN(S.amount) AS smallest,
      CONCAT(CAST(FIRST(S.receiver) AS STRING), ' ', CAST(FIRST(S.receiver, 1) AS STRING), ' ', CAST(LAST(S.receiver) AS STRING)) AS receivers
    ONE ROW PER MATCH
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (S{3}) WITHIN INTERVAL '24' HOUR
    DEFINE S AS S.amount >= 9000 AND S.amount < 10000
  ) AS alerts;
