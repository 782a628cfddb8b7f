-- Flink's JDBC connector as a sink (issue 17), compared by the PostgreSQL table's contents after the
-- job: appended rows (no PRIMARY KEY, insert-only input, a lookup-enriched column) and upserts by
-- PRIMARY KEY of running aggregates (updates replace the row; a HAVING that a key stops meeting
-- takes its row back), with small buffers so flushes happen mid-job.
-- conformance: postgres jdbc_setup.pgsql
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  proc AS PROCTIME(),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE accounts (id BIGINT, owner STRING) WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'accounts',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}'
);

CREATE TABLE big_transfers (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT, ts TIMESTAMP(3), owner STRING)
WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'big_transfers',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '7',
  'sink.buffer-flush.interval' = '0'
);

CREATE TABLE pair_totals (sender BIGINT, receiver BIGINT, n BIGINT, total BIGINT, last_ts TIMESTAMP(3), PRIMARY KEY (sender, receiver) NOT ENFORCED)
WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'pair_totals',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}',
  'sink.buffer-flush.max-rows' = '5',
  'sink.max-retries' = '2'
);

CREATE TABLE small_senders (sender BIGINT, n BIGINT, total BIGINT, PRIMARY KEY (sender) NOT ENFORCED)
WITH (
  'connector' = 'jdbc',
  'url' = '${JDBC_URL}',
  'table-name' = 'small_senders',
  'username' = '${JDBC_USER}',
  'password' = '${JDBC_PASSWORD}'
);

INSERT INTO big_transfers
SELECT t.tx_time, t.sender, t.receiver, t.amount, t.ts, a.owner
FROM tx t LEFT JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON a.id = t.receiver
WHERE t.amount > 4500;

INSERT INTO pair_totals
SELECT sender, receiver, COUNT(*), SUM(amount), MAX(ts) FROM tx GROUP BY sender, receiver;

INSERT INTO small_senders
SELECT sender, COUNT(*), SUM(amount) FROM tx WHERE amount < 3000 GROUP BY sender HAVING COUNT(*) < 60;
