-- An integral value computed in a narrow type keeps that type's overflow when it meets a wider
-- one: BIGINT + INT * INT wraps the product as an INT first (Flink), in arithmetic, comparisons,
-- CASE / IF / COALESCE branches and NULLIF.
-- conformance: data edge_rows edge
CREATE TABLE edge_rows (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_widening (
  k INT, i INT, plus_product BIGINT, minus_sum BIGINT, tiny_into_int INT, case_mix BIGINT, if_mix BIGINT,
  coalesce_mix BIGINT, product_gt BOOLEAN, nullif_product INT, small_plus_big BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_widening
SELECT k, i,
       CAST(1 AS BIGINT) + i * 3,
       big - (i + i),
       i + tiny * tiny,
       CASE WHEN k = 1 THEN id ELSE i * 1000 END,
       IF(k = 2, big, i * 7),
       COALESCE(CAST(NULL AS BIGINT), i * 5),
       i * 2 > CAST(0 AS BIGINT),
       NULLIF(i * 2, 0),
       id + small * small
FROM edge_rows;
