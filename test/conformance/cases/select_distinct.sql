-- SELECT DISTINCT (a GROUP BY over the selected columns, as Flink plans it).
-- conformance: data tx dcos
-- conformance: updating out_distinct sender,receiver,big
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_distinct (sender BIGINT, receiver BIGINT, big BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_distinct
SELECT DISTINCT sender, receiver, amount > 2500
FROM tx
WHERE sender <> receiver;
