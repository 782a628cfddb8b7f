-- Bench job for memory: laundering_sliding.sql's windows (HOP 10 min every 2 min) with
-- laundering.sql's CSV output, over input where every (sender, receiver) pair is distinct and all
-- records fall inside one 10-minute span, so the window [00:00, 00:10) holds every key at once
-- until the input ends (see hop-input.ts).

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

CREATE TABLE hop_alerts (
  sender       BIGINT,
  receiver     BIGINT,
  window_start TIMESTAMP(3),
  window_end   TIMESTAMP(3),
  total        BIGINT,
  transfers    BIGINT
) WITH (
  'connector' = 'filesystem',
  'path' = 'output/hop_alerts.csv',
  'format' = 'csv'
);

INSERT INTO hop_alerts
SELECT sender, receiver, window_start, window_end, SUM(amount) AS total, COUNT(*) AS transfers
FROM TABLE(HOP(TABLE transactions, DESCRIPTOR(ts), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING SUM(amount) > 10000;
