-- laundering_sliding.sql — the original Flink FinancialTransactionJob, as SQL.
-- up: manual — reads topic 'transactions' as the original's RFC 3339 records (generate --format dcos-rfc3339), not the demo's; run it on its own data as shown below
--
-- Same detection as laundering.sql but over SLIDING windows of 10 minutes that advance every
-- 2 minutes (epoch-aligned), so one burst can alert in up to 5 overlapping windows. Each alert is
-- one message on topic 'fraud', listing the window's transactions like the original did:
--   TransactionAggregate {startTimestamp=…, endTimestamp=…, totalAmount=12345: Transaction{…} …}
-- Records use the RFC 3339 time the shipped generator wrote (2017-07-23T01:06:47Z;3;7;5857);
-- the watermark trails the largest timestamp by 1 ms as in the original.
-- (The original's startTimestamp was always 0; ours is the first transaction's time.)
--
-- Run it:
--   fintrans-sql generate --format dcos-rfc3339 --count 100000 --plant 10 --to transactions
--   fintrans-sql run jobs/laundering_sliding.sql --from-beginning --until-idle 2s
--   fintrans-sql tail fraud --prefix 'Detected Fraud: '

CREATE TABLE transactions (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'yyyy-MM-dd''T''HH:mm:ssX'),
  WATERMARK FOR ts AS ts - INTERVAL '0.001' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'transactions',
  'properties.group.id' = 'flink_consumer',
  'format' = 'csv',
  'csv.field-delimiter' = ';'
);

CREATE TABLE fraud (
  message STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'fraud',
  'format' = 'raw'
);

INSERT INTO fraud
SELECT 'TransactionAggregate {startTimestamp=' || CAST(MIN(ts) AS STRING)
       || ', endTimestamp=' || CAST(MAX(ts) AS STRING)
       || ', totalAmount=' || CAST(SUM(amount) AS STRING) || ': '
       || LISTAGG('Transaction{timestamp=' || CAST(ts AS STRING) || ', origin=' || CAST(sender AS STRING)
                  || ', target=''' || CAST(receiver AS STRING) || ''', amount=' || CAST(amount AS STRING) || '}', ' ')
       || '}'
FROM TABLE(HOP(TABLE transactions, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
