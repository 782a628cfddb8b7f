-- fintrans' laundering detector: a running total per ordered (sender, receiver) pair, never reset;
-- once a pair is strictly above 10000, every further transfer on it alerts again with the new total.
CREATE TABLE transfers (
  sender INT,
  receiver INT,
  amount BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'transfers.txt', 'format' = 'csv', 'csv.field-delimiter' = ' ');

CREATE TABLE alerts (sender INT, receiver INT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/alerts.csv', 'format' = 'csv');

SET 'fintrans.sink.append-updates' = 'true';

INSERT INTO alerts
SELECT sender, receiver, SUM(amount)
FROM transfers
GROUP BY sender, receiver
HAVING SUM(amount) > 10000;
