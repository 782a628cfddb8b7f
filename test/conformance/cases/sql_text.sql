-- How SQL text is read: AND/OR precedence in WHERE, HAVING, the SELECT list and CASE; string
-- literals with backslashes (ordinary characters in Flink SQL) and U&'' Unicode literals;
-- LIKE ... ESCAPE.
-- conformance: data tx dcos
CREATE TABLE tx (
  tx_time  STRING,
  sender   BIGINT,
  receiver BIGINT,
  amount   BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_precedence (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT, a BOOLEAN, b BOOLEAN, c STRING, d STRING)
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_having (sender BIGINT, receiver BIGINT, window_end TIMESTAMP(3), total BIGINT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_strings (
  tx_time STRING, path STRING, len INT, bs STRING, u STRING,
  like1 BOOLEAN, like2 BOOLEAN, like3 BOOLEAN, like4 BOOLEAN, like5 BOOLEAN
) WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_precedence
SELECT tx_time, sender, receiver, amount,
       sender = 1 OR receiver = 2 AND amount > 2500,
       NOT sender = 1 AND receiver = 2 OR amount < 100,
       CASE WHEN sender = 2 OR receiver = 3 AND amount > 4000 THEN 'x' ELSE 'y' END,
       CASE WHEN (sender = 1 OR receiver = 2) AND amount > 2000 THEN 'p' WHEN (amount + 1) * 2 > 8000 THEN 'q' ELSE 'r' END
FROM tx
WHERE sender = 1 OR receiver = 2 AND amount > 2500 OR NOT sender = 3 AND amount < 300;

INSERT INTO out_having
SELECT sender, receiver, window_end, SUM(amount), COUNT(*)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, receiver, window_start, window_end
HAVING sender = 1 OR COUNT(*) > 3 AND SUM(amount) > 9000;

INSERT INTO out_strings
SELECT tx_time,
       'C:\new\table\' || CAST(amount AS STRING),
       CHAR_LENGTH('\n\t'),
       '\',
       U&'\0041\00e9\\',
       (CAST(amount AS STRING) || '%') LIKE '1%!%' ESCAPE '!',
       (CAST(sender AS STRING) || '_x') LIKE '%!_x' ESCAPE '!',
       ('a\b' || CAST(sender AS STRING)) LIKE 'a\b%',
       CAST(amount AS STRING) LIKE '1_2%',
       (CAST(receiver AS STRING) || '!') LIKE '_!!' ESCAPE '!'
FROM tx
WHERE amount < 1500;
