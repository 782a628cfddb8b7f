-- MATCH_RECOGNIZE (issue 18): V shapes in each account's prices. The documentation's pattern
-- (START_ROW PRICE_DOWN+ PRICE_UP, DEFINE with LAST(var.price, 1), SKIP TO LAST PRICE_UP) with
-- FIRST/LAST of the variables, COUNT and AVG over PRICE_DOWN, MATCH_ROWTIME(); then the same shape
-- with PREV(price) (Flink: the row before in the match) and a reluctant B+?, skipping past the last
-- row; then the matches counted per account in an outer GROUP BY.
-- conformance: data ticks ticks
-- conformance: updating out_counts
CREATE TABLE ticks (
  tss     STRING,
  account INT,
  price   INT,
  amount  INT,
  ts AS TO_TIMESTAMP(tss),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.null-literal' = '');

CREATE TABLE out_v (account INT, start_ts TIMESTAMP(3), bottom_ts TIMESTAMP(3), end_ts TIMESTAMP(3), start_price INT, bottom_price INT, end_price INT, downs BIGINT, avg_down INT, match_time TIMESTAMP(3))
WITH ('connector' = 'filesystem', 'path' = 'out1.csv', 'format' = 'csv');
CREATE TABLE out_prev (account INT, first_price INT, low INT, last_price INT, total INT, n BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out2.csv', 'format' = 'csv');
CREATE TABLE out_counts (account INT, n_matches BIGINT, deepest INT)
WITH ('connector' = 'filesystem', 'path' = 'out3.csv', 'format' = 'csv');

INSERT INTO out_v
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES
      START_ROW.ts AS start_ts,
      LAST(PRICE_DOWN.ts) AS bottom_ts,
      LAST(PRICE_UP.ts) AS end_ts,
      START_ROW.price AS start_price,
      LAST(PRICE_DOWN.price) AS bottom_price,
      PRICE_UP.price AS end_price,
      COUNT(PRICE_DOWN.price) AS downs,
      AVG(PRICE_DOWN.price) AS avg_down,
      MATCH_ROWTIME() AS match_time
    ONE ROW PER MATCH
    AFTER MATCH SKIP TO LAST PRICE_UP
    PATTERN (START_ROW PRICE_DOWN+ PRICE_UP)
    DEFINE
      PRICE_DOWN AS
        (LAST(PRICE_DOWN.price, 1) IS NULL AND PRICE_DOWN.price < START_ROW.price) OR
          PRICE_DOWN.price < LAST(PRICE_DOWN.price, 1),
      PRICE_UP AS
        PRICE_UP.price > LAST(PRICE_DOWN.price, 1)
  ) AS T;

INSERT INTO out_prev
SELECT account, first_price, low, last_price, total, n
FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES FIRST(A.price) AS first_price, MIN(B.price) AS low, C.price AS last_price, SUM(price) AS total, COUNT(*) AS n
    AFTER MATCH SKIP PAST LAST ROW
    PATTERN (A B+? C)
    DEFINE
      B AS price < PREV(price),
      C AS price > PREV(price) AND price >= FIRST(price) - 2
  );

CREATE VIEW vees AS
SELECT * FROM ticks
  MATCH_RECOGNIZE (
    PARTITION BY account
    ORDER BY ts
    MEASURES A.price - LAST(B.price) AS depth
    AFTER MATCH SKIP TO NEXT ROW
    PATTERN (A B{2,}? C)
    DEFINE B AS B.price <= LAST(price, 1), C AS C.price > LAST(B.price)
  ) m;

INSERT INTO out_counts
SELECT account, COUNT(*), MAX(depth) FROM vees GROUP BY account;
