-- BIGINT is Java's long and INT Java's int: ids beyond 2^53, sums and products past the safe
-- integers, overflow that wraps, Flink's result types (TINYINT + TINYINT is TINYINT), and the
-- narrowing / saturating CASTs between numbers.
-- conformance: data edge_rows edge
CREATE TABLE edge_rows (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_integral (
  id BIGINT, id_plus BIGINT, big_sum BIGINT, big_mul BIGINT, id_mul BIGINT, id_neg BIGINT, id_div BIGINT, id_mod BIGINT,
  id_text STRING, id_double DOUBLE, id_dec DECIMAL(20, 0), id_big BOOLEAN, id_int INT, id_round_trip BIGINT,
  i_sum INT, i_mul INT, i_neg INT, i_div INT, tiny_sum TINYINT, tiny_mul TINYINT, small_mul SMALLINT, mixed BIGINT,
  i_tiny TINYINT, i_small SMALLINT, d_int INT, d_tiny TINYINT, d_big BIGINT, b_int INT, b_big BIGINT, b_dec DECIMAL(5, 2),
  ceil_d DOUBLE, floor_d DOUBLE, abs_id BIGINT, lit BIGINT, dec_int INT
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_integral
SELECT id, id + 1, big + 2 + 1, big * 3000000000001, id * 10, -id, id / 7, MOD(id, 1000),
       CAST(id AS STRING), CAST(id AS DOUBLE), CAST(id AS DECIMAL(20, 0)), id > 9007199254740992, CAST(id AS INT),
       CAST(CAST(id AS STRING) AS BIGINT),
       i + i, i * 3, -i, i / -1, tiny + tiny, tiny * tiny, small * small, i + id,
       CAST(i AS TINYINT), CAST(i AS SMALLINT), CAST(d AS INT), CAST(d AS TINYINT), CAST(d * 1.0E10 AS BIGINT),
       CAST(b AS INT), CAST(b AS BIGINT), CAST(b AS DECIMAL(5, 2)),
       CEIL(d), FLOOR(d), ABS(id), 1234567890123456789 + k, CAST(CAST(id AS DECIMAL(20, 0)) AS INT)
FROM edge_rows;
