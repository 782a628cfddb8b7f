-- MATCH_RECOGNIZE (issue 18): each quantifier, greedy and reluctant, between a first and a last
-- variable whose conditions overlap B's (so greedy and reluctant B give different matches):
-- *, *?, +, +?, ?, {n}, {n,m}, {n,m}?, {n,}, {n,}?, {0,m}?, an optional first variable, and
-- variables without DEFINE (always true).
-- conformance: data ticks ticks
CREATE TABLE ticks (
  tss     STRING,
  account INT,
  price   INT,
  amount  INT,
  ts AS TO_TIMESTAMP(tss),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');


CREATE TABLE q_star (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_star.csv', 'format' = 'csv');
INSERT INTO q_star
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B* C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_star_r (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_star_r.csv', 'format' = 'csv');
INSERT INTO q_star_r
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B*? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_plus (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_plus.csv', 'format' = 'csv');
INSERT INTO q_plus
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+ C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_plus_r (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_plus_r.csv', 'format' = 'csv');
INSERT INTO q_plus_r
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_opt (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_opt.csv', 'format' = 'csv');
INSERT INTO q_opt
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_n (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_n.csv', 'format' = 'csv');
INSERT INTO q_n
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{2} C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_nm (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_nm.csv', 'format' = 'csv');
INSERT INTO q_nm
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{2,3} C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_nm_r (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_nm_r.csv', 'format' = 'csv');
INSERT INTO q_nm_r
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{2,3}? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_n_more (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_n_more.csv', 'format' = 'csv');
INSERT INTO q_n_more
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{2,} C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_n_more_r (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_n_more_r.csv', 'format' = 'csv');
INSERT INTO q_n_more_r
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{2,}? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_to_m_r (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_to_m_r.csv', 'format' = 'csv');
INSERT INTO q_to_m_r
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{0,2}? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_opt_first (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_opt_first.csv', 'format' = 'csv');
INSERT INTO q_opt_first
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A? B+? C)
    DEFINE A AS A.price > 25, B AS B.price < 35, C AS C.price > 28
  );

CREATE TABLE q_undefined (account INT, first_ts TIMESTAMP(3), last_ts TIMESTAMP(3), a INT, nb BIGINT, sb INT, c INT)
WITH ('connector' = 'filesystem', 'path' = 'q_undefined.csv', 'format' = 'csv');
INSERT INTO q_undefined
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(ts) AS first_ts, LAST(ts) AS last_ts, A.price AS a, COUNT(B.price) AS nb, SUM(B.price) AS sb, C.price AS c
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B{1,2} C)
    DEFINE B AS B.price < A.price
  );
