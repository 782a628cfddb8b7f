-- Legacy group windows: GROUP BY TUMBLE(...) / HOP(...) / SESSION(...) with their _START/_END/_ROWTIME;
-- three INSERTs in one file sharing the source.
-- conformance: data tx dcos-slow
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '30' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_legacy_tumble (sender BIGINT, ws TIMESTAMP(3), we TIMESTAMP(3), wr TIMESTAMP(3), n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_legacy_hop (receiver BIGINT, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, hi BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_legacy_session (sender BIGINT, ws TIMESTAMP(3), we TIMESTAMP(3), n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_legacy_tumble
SELECT sender, TUMBLE_START(ts, INTERVAL '30' MINUTE), TUMBLE_END(ts, INTERVAL '30' MINUTE),
       TUMBLE_ROWTIME(ts, INTERVAL '30' MINUTE), COUNT(*), SUM(amount)
FROM tx
GROUP BY TUMBLE(ts, INTERVAL '30' MINUTE), sender;

INSERT INTO out_legacy_hop
SELECT receiver, HOP_START(ts, INTERVAL '20' MINUTE, INTERVAL '1' HOUR), HOP_END(ts, INTERVAL '20' MINUTE, INTERVAL '1' HOUR),
       COUNT(*), MAX(amount)
FROM tx
GROUP BY HOP(ts, INTERVAL '20' MINUTE, INTERVAL '1' HOUR), receiver;

INSERT INTO out_legacy_session
SELECT sender, SESSION_START(ts, INTERVAL '15' MINUTE), SESSION_END(ts, INTERVAL '15' MINUTE), COUNT(*), SUM(amount)
FROM tx
GROUP BY SESSION(ts, INTERVAL '15' MINUTE), sender;
