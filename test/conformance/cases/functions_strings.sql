-- String and conditional built-ins (issue 15): IF, NULLIF, IS [NOT] DISTINCT FROM, CONCAT_WS,
-- REPLACE, LPAD/RPAD, POSITION, INITCAP, SPLIT_INDEX, MD5, SHA256 over e-mail addresses, card
-- numbers, empty strings and text beyond U+FFFF.
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

CREATE TABLE out_strings (
  k INT, s STRING,
  if_k STRING, if_null INT, if_mixed BIGINT, nullif_s STRING, nullif_k INT,
  dist_sep BOOLEAN, not_dist_sep BOOLEAN, dist_nulls BOOLEAN, not_dist_null_value BOOLEAN,
  ws STRING, ws_nulls STRING, ws_null_sep STRING,
  rep STRING, rep_empty STRING, rep_sep STRING,
  lpad_n STRING, rpad_n STRING, lpad_cut STRING, rpad_multi STRING, lpad_neg STRING, rpad_empty_pad STRING,
  pos_sep INT, pos_empty INT, pos_missing INT, pos_unicode INT,
  initcap_s STRING, initcap_lit STRING,
  split_n STRING, split_0 STRING, split_neg STRING, split_ws STRING,
  md5_s STRING, sha256_s STRING, md5_empty STRING
) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');

INSERT INTO out_strings
SELECT k, s,
       IF(k = 1, 'one', 'other'),
       IF(n > 1, n, CAST(NULL AS INT)),
       IF(n > 2, CAST(k AS BIGINT), n * 1000),
       NULLIF(s, ''),
       NULLIF(k, 2),
       sep IS DISTINCT FROM 'é',
       sep IS NOT DISTINCT FROM '',
       NULLIF(s, '') IS DISTINCT FROM NULLIF(j, ''),
       CAST(NULL AS STRING) IS NOT DISTINCT FROM s,
       CONCAT_WS(sep, s, 'x', CAST(n AS STRING)),
       CONCAT_WS('|', NULLIF(s, ''), CAST(NULL AS STRING), 'z'),
       CONCAT_WS(CAST(NULL AS STRING), s, 'x'),
       REPLACE(s, 'l', 'L'),
       REPLACE('abc', '', '-'),
       REPLACE(s, sep, '$1'),
       LPAD(s, n, '*'),
       RPAD(s, n + 3, '.-'),
       LPAD('12345', 3, '0'),
       RPAD('ab', 7, 'xyz'),
       LPAD(s, -1, 'x'),
       RPAD(s, 3, ''),
       POSITION(sep IN s),
       POSITION('' IN s),
       POSITION('zz' IN s),
       POSITION('smile' IN s),
       INITCAP(s),
       INITCAP('hello wORLD-foo_bar 9lives éclair'),
       SPLIT_INDEX(s, sep, n),
       SPLIT_INDEX(s, sep, 0),
       SPLIT_INDEX(s, ',', -1),
       SPLIT_INDEX(s, '', 2),
       MD5(s),
       SHA256(s),
       MD5('')
FROM txt;
