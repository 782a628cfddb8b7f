-- ROUND(x, digits) as Flink: a whole number rounds half away from zero in BigDecimal and is narrowed
-- back to its own type keeping the low bits, as Java's intValue()/shortValue()/byteValue() do
-- (ROUND(2147483647, -1) is the INT -2147483646); a DECIMAL result keeps room for a carry
-- (LogicalTypeMerging.findRoundDecimalType: ROUND(9.95, 1) is DECIMAL(3, 1) 10.0).
-- conformance: data edge_rows edge
CREATE TABLE edge_rows (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_round (
  k INT, i_tens INT, i_hundreds INT, tiny_tens TINYINT, small_thousands SMALLINT, big_tens BIGINT, id_tens BIGINT,
  int_max_tens INT, int_min_tens INT, tens_plus_long BIGINT, i_positive INT, dec_carry STRING, dec_hundreds STRING,
  dec_one STRING
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_round
SELECT k, ROUND(i, -1), ROUND(i, -2), ROUND(tiny, -1), ROUND(small, -3), ROUND(big, -1), ROUND(id, -1),
       ROUND(2147483647, -1), ROUND(-2147483648, -1), ROUND(i, -1) + CAST(1 AS BIGINT), ROUND(i, 2),
       CAST(ROUND(CAST(9.95 AS DECIMAL(3, 2)), 1) AS STRING),
       CAST(ROUND(CAST(i AS DECIMAL(12, 2)) / 3, -2) AS STRING),
       CAST(ROUND(CAST(small AS DECIMAL(7, 2)) / 7, 1) AS STRING)
FROM edge_rows;
