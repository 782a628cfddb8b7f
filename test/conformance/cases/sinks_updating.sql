-- Each sink kind fed an updating input (issue 16): running aggregates over the running totals of
-- each (sender, receiver) pair, so groups are updated and emptied (-D) as totals grow. fintrans-sql
-- writes 'by_pair' and 'bands' as CSV files with a PRIMARY KEY (the latest row per key) and
-- prints 'bands_changelog' (+I/-U/+U/-D); Flink's changelogs are collected and applied. The
-- final rows of each must be identical.
-- conformance: data tx dcos
-- conformance: upsert by_pair
-- conformance: upsert bands
-- conformance: updating bands_changelog
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE VIEW pair_totals AS
SELECT sender, receiver, SUM(amount) AS total, COUNT(*) AS n FROM tx GROUP BY sender, receiver;

CREATE TABLE by_pair (sender BIGINT, receiver BIGINT, total BIGINT, n BIGINT, biggest BIGINT,
                      PRIMARY KEY (sender, receiver) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'by_pair.csv', 'format' = 'csv');
CREATE TABLE bands (band BIGINT, pairs BIGINT, lowest BIGINT, txs BIGINT, PRIMARY KEY (band) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'bands.json', 'format' = 'json');
CREATE TABLE bands_changelog (band BIGINT, pairs BIGINT, lowest BIGINT, txs BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'bands.csv', 'format' = 'csv');

INSERT INTO by_pair
SELECT sender, receiver, SUM(amount), COUNT(*), MAX(amount) FROM tx GROUP BY sender, receiver;

INSERT INTO bands
SELECT total / 10000, COUNT(*), MIN(total), SUM(n) FROM pair_totals GROUP BY total / 10000;

INSERT INTO bands_changelog
SELECT total / 10000, COUNT(*), MIN(total), SUM(n) FROM pair_totals GROUP BY total / 10000;
