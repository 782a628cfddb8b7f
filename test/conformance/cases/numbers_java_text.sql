-- DOUBLE and FLOAT as text are Java 17's Double.toString / Float.toString (not the shortest digits
-- JavaScript prints: 4.9E-324, 5.6843418860808015E-14, 9.999999999999999E22), in CSV output, CAST
-- to STRING and ||; a DOUBLE becomes a DECIMAL through those digits (BigDecimal.valueOf); POWER is
-- HotSpot's Math.pow (correctly rounded, where V8's is often an ulp off); constant expressions are
-- folded as Flink's planner folds them (a folded DOUBLE has no negative zero, a NOT NULL constant
-- that overflows is its type's default, x + 0 is x). Found by the expression fuzzer.
-- conformance: data edge edge
CREATE TABLE edge (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE out_java_text (
  id BIGINT, d DOUBLE, third DOUBLE, tiny_d DOUBLE, f FLOAT, d_text STRING, third_text STRING, f_text STRING,
  joined STRING, as_decimal DECIMAL(30, 12), rounded DOUBLE, pow_half DOUBLE, pow_third STRING, pow_big DOUBLE,
  folded_zero DOUBLE, folded_zero_text STRING, plus_zero STRING, overflow_int INT, overflow_text STRING,
  pow2 DOUBLE, e23 DOUBLE, min_value DOUBLE
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out_java_text
SELECT id, d, d / 3, d * 1.0E-17, CAST(d / 7 AS FLOAT),
       CAST(d AS STRING), CAST(d / 3 AS STRING), CAST(CAST(d / 7 AS FLOAT) AS STRING),
       s || CAST(d * 3 AS STRING), CAST(d / 7 AS DECIMAL(30, 12)), ROUND(d / 7, 4),
       POWER(CAST(i AS DOUBLE), 0.5), CAST(POWER(CAST(small AS DOUBLE), 1.0E0 / 3) AS STRING),
       POWER(CAST(id AS DOUBLE), 3), 0.0E0 / -0.25, CAST(0.0E0 / -0.25 AS STRING),
       CAST((d * -0.0E0) + 0 AS STRING), CAST(CAST(123456 AS DECIMAL(3, 0)) AS INT),
       CAST(CAST(123456 AS DECIMAL(3, 0)) AS STRING) || 'x',
       POWER(2.0E0, -44), 1.0E23, 4.9E-324
FROM edge;
