-- LIKE with the literal pattern '' (no ESCAPE): TRUE for any non-null text in Flink 1.20.3, empty or
-- not (its generated code takes a shortcut there), NULL for NULL; found by the expression fuzzer.
-- conformance: data edge edge
CREATE TABLE edge (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE out_like (k INT, s STRING, a BOOLEAN, b BOOLEAN, c BOOLEAN, e BOOLEAN, f BOOLEAN)
WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO out_like
SELECT k, s, s LIKE '', s NOT LIKE '', SUBSTRING(s, 100) LIKE '', t LIKE '', CASE WHEN k > 1 THEN s END LIKE ''
FROM edge;
