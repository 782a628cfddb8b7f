-- DECIMAL arithmetic whose exact result needs more digits than its result type holds is NULL, as in
-- Flink (found by the expression fuzzer): products of 19-digit ids as DECIMALs, a sum past 38 digits.
-- conformance: data edge_rows edge
CREATE TABLE edge_rows (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_decimal_overflow (
  id BIGINT, quotient_product DECIMAL(38, 6), max_plus_k DECIMAL(38, 0), small_product DECIMAL(38, 6)
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_decimal_overflow
SELECT id,
       (CAST(id AS DECIMAL(20, 0)) / 7) * (CAST(id AS DECIMAL(20, 0)) / -0.25),
       CAST('99999999999999999999999999999999999999' AS DECIMAL(38, 0)) + CAST(k - 2 AS DECIMAL(38, 0)),
       (CAST(i AS DECIMAL(20, 0)) / 7) * (CAST(i AS DECIMAL(20, 0)) / -0.25)
FROM edge_rows;
