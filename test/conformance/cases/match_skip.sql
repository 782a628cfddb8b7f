-- MATCH_RECOGNIZE (issue 18): each AFTER MATCH SKIP strategy on overlapping candidate matches:
-- A+ B C with a running SUM in DEFINE (PAST LAST ROW, TO NEXT ROW, TO LAST B; TO LAST A would fail
-- the job on Flink when A took one row: the next match would start at this one's first row), and
-- A B+? C with TO FIRST C, TO LAST B, TO FIRST B, TO NEXT ROW.
-- conformance: data ticks ticks
CREATE TABLE ticks (
  tss     STRING,
  account INT,
  price   INT,
  amount  INT,
  ts AS TO_TIMESTAMP(tss),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');


CREATE TABLE s_past (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_past.csv', 'format' = 'csv');
INSERT INTO s_past
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A+ B C)
    DEFINE A AS SUM(A.price) < 90, B AS B.price > 0, C AS C.price > 0
  );

CREATE TABLE s_next (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_next.csv', 'format' = 'csv');
INSERT INTO s_next
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO NEXT ROW
    PATTERN (A+ B C)
    DEFINE A AS SUM(A.price) < 90, B AS B.price > 0, C AS C.price > 0
  );

CREATE TABLE s_last_b1 (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_last_b1.csv', 'format' = 'csv');
INSERT INTO s_last_b1
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO LAST B
    PATTERN (A+ B C)
    DEFINE A AS SUM(A.price) < 90, B AS B.price > 0, C AS C.price > 0
  );

CREATE TABLE s_first_c (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_first_c.csv', 'format' = 'csv');
INSERT INTO s_first_c
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO FIRST C
    PATTERN (A B+? C)
    DEFINE B AS B.price <= A.price, C AS C.price > A.price
  );

CREATE TABLE s_last_b (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_last_b.csv', 'format' = 'csv');
INSERT INTO s_last_b
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO LAST B
    PATTERN (A B+? C)
    DEFINE B AS B.price <= A.price, C AS C.price > A.price
  );

CREATE TABLE s_first_b (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_first_b.csv', 'format' = 'csv');
INSERT INTO s_first_b
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO FIRST B
    PATTERN (A B+? C)
    DEFINE B AS B.price <= A.price, C AS C.price > A.price
  );

CREATE TABLE s_next_r (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 's_next_r.csv', 'format' = 'csv');
INSERT INTO s_next_r
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP TO NEXT ROW
    PATTERN (A B+? C)
    DEFINE B AS B.price <= A.price, C AS C.price > A.price
  );
