// The 'edge' data set of the conformance corpus: a few hand-written records at the edges of the
// number, string and timestamp types (ids beyond 2^53, longs at their limits, ints that overflow,
// code points beyond U+FFFF, timestamp texts Flink accepts or refuses). Semicolon-delimited:
//   k;id;big;i;tiny;small;d;b;s;t;tx
// k is a small group key, tx the event time (ascending, one minute), t a timestamp text to parse.

const ROWS: readonly string[] = [
  '1;1234567890123456789;9007199254740991;2147483647;100;32767;1.5E10;true;😀 smile;2017-02-30 00:00:00;2017-07-23 00:55:00',
  '1;-9223372036854775808;9007199254740990;-957;-128;-32768;-0.5;false;ｱbc;2017-07-23T00:55:22;2017-07-23 00:55:01',
  '2;9223372036854775807;3;1000000;127;300;2.675;true;abc😀;2017-07-23 00:55:22+02:00;2017-07-23 00:55:05',
  '2;42;-9007199254740991;-2147483648;-1;-300;0.00001;false;café;garbage;2017-07-23 00:55:07',
  '1;-1;1;123;5;5;-2.5;true;日本語テキスト;2017-07-23 00:55:22 extra;2017-07-23 00:55:09',
  '3;9007199254740993;9007199254740993;-1;0;0;0.1;false;𝔘nicode;2017-7-3 5:5:5;2017-07-23 00:55:10',
  '3;-9007199254740993;2;7;-7;-7;0.2;true;zz;2017-07-23 00:55:22.5;2017-07-23 00:55:12',
  '2;3000000000001;-2;2147483600;64;16384;0.3;true;Ω;2017-07-23 24:00:00;2017-07-23 00:55:14',
];

export function edgeDataSet(): { ext: 'csv'; text: string } {
  return { ext: 'csv', text: ROWS.join('\n') + '\n' };
}
