-- Tables no query uses keep their options unchecked (their connector never opens), as in Flink:
-- a file that declares more tables than this job needs still runs.
CREATE TABLE pairs (sender INT, receiver INT)
WITH ('connector' = 'filesystem', 'path' = 'pairs.csv', 'format' = 'csv');

CREATE TABLE archive (sender INT, receiver INT)
WITH ('connector' = 'filesystem', 'path' = 'archive/', 'format' = 'csv');
CREATE TABLE live_pairs (sender INT, receiver INT)
WITH ('connector' = 'kafka', 'topic' = 'pairs', 'properties.bootstrap.servers' = 'localhost:9092', 'format' = 'json');

CREATE TABLE out_pairs (sender INT, receiver INT)
WITH ('connector' = 'filesystem', 'path' = 'out/pairs.csv', 'format' = 'csv');

INSERT INTO out_pairs SELECT sender, receiver FROM pairs;
