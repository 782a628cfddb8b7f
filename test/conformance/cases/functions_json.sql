-- JSON_VALUE, JSON_EXISTS, JSON_QUERY over JSON texts, malformed text and '' (NULL / FALSE as
-- Flink's defaults ON EMPTY / ON ERROR), JSON null, numbers as Jackson reads them, nested paths.
-- conformance: data txt text
CREATE TABLE txt (
  k   INT,
  s   STRING,
  sep STRING,
  n   INT,
  j   STRING,
  tx  STRING,
  ts AS TO_TIMESTAMP(tx),
  WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv', 'csv.field-delimiter' = ';', 'csv.disable-quote-character' = 'true');

CREATE TABLE out_json (
  k INT, j STRING,
  v_a STRING, v_bc STRING, v_b STRING, v_arr1 STRING, v_root STRING, v_ab1 STRING, v_quoted STRING, v_num STRING,
  e_a BOOLEAN, e_b BOOLEAN, e_arr5 BOOLEAN, e_root BOOLEAN, e_missing BOOLEAN,
  q_b STRING, q_arr STRING, q_root STRING, q_a STRING, q_lit STRING
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_json
SELECT k, j,
       JSON_VALUE(j, '$.a'),
       JSON_VALUE(j, '$.b.c'),
       JSON_VALUE(j, '$.b'),
       JSON_VALUE(j, '$.arr[1]'),
       JSON_VALUE(j, '$'),
       JSON_VALUE(j, '$.a.b[1]'),
       JSON_VALUE(j, '$[''a'']'),
       JSON_VALUE('{"x":1e2,"y":-0,"z":12345678901234,"w":"t\u00e9"}', '$.x') || '|' || JSON_VALUE('{"y":-0}', '$.y') || '|' || JSON_VALUE('{"z":12345678901234}', '$.z'),
       JSON_EXISTS(j, '$.a'),
       JSON_EXISTS(j, '$.b'),
       JSON_EXISTS(j, '$.arr[5]'),
       JSON_EXISTS(j, '$'),
       JSON_EXISTS(j, '$.missing'),
       JSON_QUERY(j, '$.b'),
       JSON_QUERY(j, '$.arr'),
       JSON_QUERY(j, '$'),
       JSON_QUERY(j, '$.a'),
       JSON_QUERY('{"k": [1, 2.50, -1E2, {"n": null, "t": "a\"b\n\u0001/é"}], "k": 3, "e": {}, "k": [true]}', '$') || JSON_QUERY('{"k": [1, 2.50, -1E2, {"n": null, "t": "a\"b\n\u0001/é"}]}', '$.k')
FROM txt;
