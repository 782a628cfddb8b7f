-- Row-by-row functions, no aggregation: CASE, CAST, COALESCE, string functions, ||, LIKE, IN,
-- BETWEEN, IS NULL, ABS/ROUND/FLOOR/CEIL, DATE_FORMAT and TO_TIMESTAMP_LTZ (UTC).
CREATE TABLE people (id INT, name STRING, amount DECIMAL(10, 2), ms BIGINT, note STRING)
WITH ('connector' = 'filesystem', 'path' = 'people.csv', 'format' = 'csv', 'csv.null-literal' = 'n/a');

CREATE TABLE derived (
  id INT, size STRING, whole INT, note STRING, upper_name STRING, lower_name STRING, name_len INT,
  part STRING, tag STRING, has_o BOOLEAN, odd_one BOOLEAN, small_amount BOOLEAN, no_note BOOLEAN,
  abs_amount DECIMAL(10, 2), rounded DECIMAL(10, 1), floored DECIMAL(10, 0), ceiled DECIMAL(10, 0),
  doubled DOUBLE, at_text STRING, at_utc TIMESTAMP_LTZ(3)
) WITH ('connector' = 'filesystem', 'path' = 'out/derived.csv', 'format' = 'csv');

INSERT INTO derived
SELECT id,
       CASE WHEN amount > 1000 THEN 'big' WHEN amount < 0 THEN 'refund' ELSE 'small' END AS size,
       CAST(amount AS INT) AS whole,
       COALESCE(note, 'none') AS note,
       UPPER(TRIM(name)) AS upper_name,
       LOWER(TRIM(name)) AS lower_name,
       CHAR_LENGTH(name) AS name_len,
       SUBSTRING(TRIM(name), 2, 3) AS part,
       TRIM(name) || '#' || CAST(id AS STRING) AS tag,
       name LIKE '%o%' AS has_o,
       id IN (1, 3) AS odd_one,
       amount BETWEEN 0 AND 100 AS small_amount,
       note IS NULL AS no_note,
       ABS(amount) AS abs_amount,
       ROUND(amount, 1) AS rounded,
       FLOOR(amount) AS floored,
       CEIL(amount) AS ceiled,
       CAST(amount AS DOUBLE) * 2 AS doubled,
       DATE_FORMAT(TO_TIMESTAMP_LTZ(ms, 3), 'yyyy-MM-dd HH:mm:ss') AS at_text,
       TO_TIMESTAMP_LTZ(ms, 3) AS at_utc
FROM people
WHERE id <> 99;
