-- A filter on updating rows in front of an upsert sink (FLINK-9528): Flink keeps the -U rows then,
-- and its upsert sinks delete the key on a -U, so a key whose new value fails the HAVING is gone
-- (with only the +U the old row would stay). fintrans-sql's upsert file sink applies the -U the
-- same way; Flink's changelog is collected and applied. The final rows must be identical.
-- conformance: data tx dcos
-- conformance: upsert few_pairs
-- conformance: upsert small_senders
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE few_pairs (sender BIGINT, receiver BIGINT, n BIGINT, total BIGINT,
                        PRIMARY KEY (sender, receiver) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'few_pairs.csv', 'format' = 'csv');
CREATE TABLE small_senders (sender BIGINT, total BIGINT, PRIMARY KEY (sender) NOT ENFORCED)
WITH ('connector' = 'filesystem', 'path' = 'small_senders.json', 'format' = 'json');

-- Pairs seen fewer than 25 times: a pair's 25th transfer deletes it (most pairs have 25-40).
INSERT INTO few_pairs
SELECT sender, receiver, COUNT(*), SUM(amount) FROM tx GROUP BY sender, receiver HAVING COUNT(*) < 25;

-- A WHERE on the updates, through a view's projection.
INSERT INTO small_senders
SELECT sender, total FROM (SELECT sender, SUM(amount) AS total FROM tx GROUP BY sender) WHERE total < 260000;
