-- MATCH_RECOGNIZE (issue 18): WITHIN a time from a match's first row to its last (a candidate
-- whose rows span that long or more is dropped when the watermark passes it, and completed matches
-- waiting for it go out then), with greedy and reluctant quantifiers; and DEFINE conditions
-- over the partial match: PREV/LAST with offsets, FIRST, a running SUM and COUNT and AVG over a
-- variable and over all rows, a variable's earlier rows (LAST(B.price, 1)).
-- conformance: data ticks ticks
CREATE TABLE ticks (
  tss     STRING,
  account INT,
  price   INT,
  amount  INT,
  ts AS TO_TIMESTAMP(tss),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');


CREATE TABLE w_reluctant (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'w_reluctant.csv', 'format' = 'csv');
INSERT INTO w_reluctant
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+? C) WITHIN INTERVAL '3' MINUTE
    DEFINE A AS A.amount > 9000, B AS B.price > 0, C AS C.amount > 9000
  );

CREATE TABLE w_greedy (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'w_greedy.csv', 'format' = 'csv');
INSERT INTO w_greedy
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO NEXT ROW
    PATTERN (A B* C) WITHIN INTERVAL '2' MINUTE
    DEFINE A AS A.amount > 9000, B AS B.amount < 9000, C AS C.amount >= 9000
  );

CREATE TABLE d_running (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'd_running.csv', 'format' = 'csv');
INSERT INTO d_running
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+? C)
    DEFINE B AS SUM(B.price) < 3 * A.price AND COUNT(B.price) < 5, C AS AVG(price) > A.price - 2 AND C.price > LAST(B.price, 1)
  );

CREATE TABLE d_prev (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'd_prev.csv', 'format' = 'csv');
INSERT INTO d_prev
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{2,}? C)
    DEFINE B AS B.price >= PREV(price) - 1 AND B.price <= FIRST(price) + 4, C AS C.price < PREV(price, 2) AND LAST(B.price) > A.price
  );

CREATE TABLE d_count_all (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'd_count_all.csv', 'format' = 'csv');
INSERT INTO d_count_all
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+ C)
    DEFINE B AS COUNT(*) <= 4 AND SUM(price) < 200, C AS C.price <> LAST(price, 1)
  );
