-- Filesystem tables with a PRIMARY KEY apply an updating query: each file holds the latest row of
-- each key. Pair totals move between bands of 100: band 1 is emptied for good (-D, its row is
-- gone), band 0 is emptied and filled again.
CREATE TABLE transfers (sender INT, receiver INT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'transfers.csv', 'format' = 'csv');

CREATE VIEW pair_totals AS
SELECT sender, receiver, SUM(amount) AS total, COUNT(*) AS n FROM transfers GROUP BY sender, receiver;

CREATE TABLE pairs (sender INT, receiver INT, total BIGINT, n BIGINT, PRIMARY KEY (sender, receiver) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/pairs.csv', 'format' = 'csv');
CREATE TABLE bands (band BIGINT, pairs BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/bands.csv', 'format' = 'csv');
CREATE TABLE senders (sender INT, total DECIMAL(10, 2), pairs BIGINT, PRIMARY KEY (sender) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'out/senders.json', 'format' = 'json');

INSERT INTO pairs SELECT sender, receiver, total, n FROM pair_totals;
INSERT INTO bands SELECT total / 100, COUNT(*) FROM pair_totals GROUP BY total / 100;
INSERT INTO senders SELECT sender, SUM(CAST(total AS DECIMAL(10, 2))), COUNT(*) FROM pair_totals GROUP BY sender;
