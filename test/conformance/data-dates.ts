// The 'dates' data set of the conformance corpus: DATE and TIME columns as Flink's CSV format reads
// them (`yyyy-MM-dd`, `HH:mm:ss`), with dates before 1970 and far from it, leap days, month ends,
// and times at the edges of the day. Semicolon-delimited:
//   k;d;tm;ds;tx
// k is a small group key, d a DATE, tm a TIME, ds a date as text (for TO_DATE and CAST), tx the
// event time (ascending).

const ROWS: readonly string[] = [
  '1;2024-03-01;10:00:00;2024-03-01;2017-07-23 00:55:00',
  '1;1969-12-31;23:59:59;1969-12-31;2017-07-23 00:55:01',
  '2;1970-01-01;00:00:00;1970-01-01;2017-07-23 00:55:02',
  '2;2020-02-29;12:30:15;2020-02-29;2017-07-23 00:55:03',
  '3;1900-02-28;00:00:01;1900-02-28;2017-07-23 00:55:04',
  '3;1600-12-31;06:07:08;1600-12-31;2017-07-23 00:55:05',
  '1;2024-03-01;23:00:00;2024-3-1;2017-07-23 00:55:06',
  '2;2017-01-01;08:30:00;2017-01-01;2017-07-23 00:55:07',
  '3;1969-01-01;13:14:15;1969-01-01;2017-07-23 00:55:08',
  '1;0001-01-01;01:02:03;9999-12-31;2017-07-23 00:55:09',
];

export function datesDataSet(): { ext: 'csv'; text: string } {
  return { ext: 'csv', text: ROWS.join('\n') + '\n' };
}
