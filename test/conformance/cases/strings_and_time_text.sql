-- Strings are sequences of code points (SUBSTRING, CHAR_LENGTH, ordering with < and >, a VARCHAR(n)
-- CAST that keeps the text), and timestamp text is parsed as Flink parses it: impossible dates,
-- trailing text and garbage give NULL, the default pattern also reads 'T', offsets are honoured.
-- conformance: data edge_rows edge
CREATE TABLE edge_rows (
  k INT, id BIGINT, big BIGINT, i INT, tiny TINYINT, small SMALLINT, d DOUBLE, b BOOLEAN, s STRING, t STRING, tx STRING
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');

CREATE TABLE out_text (
  s STRING, sub2 STRING, sub_neg STRING, len INT, before_kana BOOLEAN, after_kana BOOLEAN, v3 STRING, c5 STRING, v1 STRING, c1 STRING, up STRING,
  t STRING, ts_default TIMESTAMP(3), ts_pattern TIMESTAMP(3), ts_offset TIMESTAMP(3), unix_default BIGINT, unix_pattern BIGINT
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_text
SELECT s, SUBSTRING(s, 2, 3), SUBSTRING(s, -2), CHAR_LENGTH(s), s < 'ｱ', s > 'ｱ', CAST(s AS VARCHAR(3)), CAST(s AS CHAR(5)), CAST(s AS VARCHAR), CAST(s AS CHAR), UPPER(s),
       t, TO_TIMESTAMP(t), TO_TIMESTAMP(t, 'yyyy-MM-dd HH:mm:ss'), TO_TIMESTAMP(t, 'yyyy-MM-dd HH:mm:ssXXX'),
       UNIX_TIMESTAMP(t), UNIX_TIMESTAMP(t, 'yyyy-MM-dd HH:mm:ss')
FROM edge_rows;
