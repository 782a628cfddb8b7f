-- 'format' = 'avro' on the filesystem connector (issue 20): Avro Object Container Files, as
-- Flink's flink-avro reads them. The transfers file is a producer's (data-avro.ts): its own record
-- name and field order, fields the table does not declare (enum, array, nested record), an int
-- read as BIGINT and a float as DOUBLE (Avro's promotions), a decimal, a nullable string, a
-- timestamp-millis event time with a watermark; deflate, several blocks. The accounts file has the
-- schema Flink derives from its table, with NULLs, uncompressed.
-- conformance: data tx avro-transfers
-- conformance: data accounts avro-accounts
CREATE TABLE tx (
  sender BIGINT,
  receiver BIGINT,
  amount DECIMAL(12, 2),
  amount_cents BIGINT,
  fee DOUBLE,
  memo STRING,
  tx_id BIGINT,
  event_time TIMESTAMP(3),
  WATERMARK FOR event_time AS event_time - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'tx.avro', 'format' = 'avro');

CREATE TABLE accounts (
  id BIGINT,
  owner STRING,
  tier STRING,
  credit_limit DECIMAL(10, 2),
  opened TIMESTAMP(3)
) WITH ('connector' = 'filesystem', 'path' = 'accounts.avro', 'format' = 'avro');

CREATE TABLE out_windows (sender BIGINT, window_start TIMESTAMP(3), n BIGINT, total DECIMAL(38, 2),
                          cents BIGINT, fees DOUBLE, memos BIGINT, last_id BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_rows (tx_id BIGINT, event_time TIMESTAMP(3), sender BIGINT, receiver BIGINT,
                       amount DECIMAL(12, 2), fee DOUBLE, memo STRING)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_accounts (id BIGINT, owner STRING, tier STRING, credit_limit DECIMAL(10, 2),
                           opened TIMESTAMP(3), owner_missing BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_windows
SELECT sender, window_start, COUNT(*), SUM(amount), SUM(amount_cents), SUM(fee), COUNT(memo), MAX(tx_id)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(event_time), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;

INSERT INTO out_rows
SELECT tx_id, event_time, sender, receiver, amount, fee, memo FROM tx WHERE amount > 4000;

INSERT INTO out_accounts
SELECT id, owner, tier, credit_limit, opened, owner IS NULL FROM accounts;
