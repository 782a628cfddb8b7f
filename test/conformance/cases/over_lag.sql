-- LAG over an OVER window (issue 18), as Flink runs it on a stream: the value one or n rows back in
-- the account's payments in time order (payments of the same second are peers: each sees the
-- last of them), its default when there is none, the seconds since the account's previous
-- payment, and LAG next to running aggregates of the same window. LEAD is refused (Flink: not
-- supported in stream mode).
-- conformance: data pay payments
CREATE TABLE pay (
  tss      STRING,
  account  INT,
  merchant STRING,
  amount   INT,
  amount_d DOUBLE,
  channel  STRING,
  ts AS TO_TIMESTAMP(tss),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');

CREATE TABLE out_lag (tss STRING, account INT, prev_amount INT, prev3 INT, prev_channel STRING, gap_s INT, n BIGINT, s DOUBLE)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_repeat (tss STRING, merchant STRING, account INT, same_account BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');

INSERT INTO out_lag
SELECT tss, account,
  LAG(amount) OVER w,
  LAG(amount, 3, -1) OVER w,
  LAG(channel, 1, 'none') OVER w,
  TIMESTAMPDIFF(SECOND, LAG(ts) OVER w, ts),
  COUNT(*) OVER w,
  SUM(amount_d) OVER w
FROM pay
WINDOW w AS (PARTITION BY account ORDER BY ts);

INSERT INTO out_repeat
SELECT tss, merchant, account, account = LAG(account, 1) OVER (PARTITION BY merchant ORDER BY ts)
FROM pay
WHERE amount IS NOT NULL;
