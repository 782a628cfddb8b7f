// The 'text' data set of the conformance corpus: hand-written records for the string, regex, JSON
// and date-part functions (e-mail addresses, card numbers, separators, unicode, empty strings,
// JSON documents, event times across year, month and ISO-week boundaries). Semicolon-delimited,
// read with 'csv.disable-quote-character' = 'true' (the JSON texts hold double quotes):
//   k;s;sep;n;j;tx
// k is a small group key, n a small int (an index or a length), tx the event time (ascending).

const ROWS: readonly string[] = [
  '1;alice@example.com;@;1;{"a":1,"b":{"c":"x"},"arr":[1,2,3]};2016-12-31 23:59:59',
  '1;Bob.Smith@Bank.CO.uk;.;2;{"a":"text","b":null};2017-01-01 00:00:00',
  '2;4111-1111-1111-1111;-;3;{"a":true,"arr":[]};2017-01-02 08:30:15',
  '2;  hello   world  ;;0;[1,2];2017-03-31 12:00:00',
  '3;😀 smile café;é;-1;not json;2017-07-23 00:55:00',
  '3;ab,,cd,;,;2;{};2017-12-31 18:45:30',
  '1;THE quick-brown fox_99x;o;5;{"a":{"b":[10,20]}};2020-02-29 23:59:59',
  '2;line1\ttab end.;e;4;{"a":1.5,"b":"q"};2020-12-31 06:07:08',
  '3;;x;0;;2021-01-03 10:00:00',
  '1;Ünïcödé Straße 12b;ß;12;{"a":"Ü"};2021-01-04 00:00:01',
];

export function textDataSet(): { ext: 'csv'; text: string } {
  return { ext: 'csv', text: ROWS.join('\n') + '\n' };
}
