-- IN lists of whole-number literals wider than the tested value (Calcite searches the literals as
-- the value's type, cast as Java casts: 2147483647 IN a TINYINT or SMALLINT test is -1, 4294967295
-- in an INT test is -1), mixed with columns; UPPER of non-ASCII text; the sign of zero through
-- arithmetic.
-- conformance: data edge edge
CREATE TABLE edge (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_in (k INT, small SMALLINT, tiny TINYINT, i INT, a BOOLEAN, a2 BOOLEAN, a3 BOOLEAN, a4 BOOLEAN, a5 BOOLEAN, a6 BOOLEAN,
  u2 STRING, z1 STRING, z2 STRING, z3 STRING, z4 STRING)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out_in
SELECT k, small, tiny, i,
  tiny IN (2147483647, 127), small IN (2147483647, 300), small IN (i, 2147483647), i IN (4294967295, 7),
  small NOT IN (2147483647, -9007199254740993), tiny IN (CAST(1.5 AS DOUBLE), 5),
  UPPER(s), CAST(0.0E0 / -0.25 AS STRING), CAST(d + 0 AS STRING), CAST(-d AS STRING), CAST(d * 0 AS STRING)
FROM edge;
