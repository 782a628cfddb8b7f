// The table the expression fuzzer evaluates over: one column per supported type, rows at the edges
// of each type (NULLs, 0 and -0.0, INT/BIGINT/SMALLINT/TINYINT limits, BIGINT beyond 2^53, big
// DECIMALs, empty and padded strings, code points beyond U+FFFF, timestamps at the epoch, before it
// and on leap days). Both engines read the same CSV file; 'NULL' is the null literal, so an empty
// string ("") and NULL are different values.

export interface FuzzColumn {
  readonly name: string;
  readonly sqlType: string;
}

export const FUZZ_TABLE = 'fuzz';

/** `id` numbers the rows (results are matched by it); the generator never uses it. */
export const FUZZ_COLUMNS: readonly FuzzColumn[] = [
  { name: 'id', sqlType: 'INT' },
  { name: 'i', sqlType: 'INT' },
  { name: 'j', sqlType: 'INT' },
  { name: 'bi', sqlType: 'BIGINT' },
  { name: 'si', sqlType: 'SMALLINT' },
  { name: 'ti', sqlType: 'TINYINT' },
  { name: 'd', sqlType: 'DOUBLE' },
  { name: 'm', sqlType: 'DECIMAL(10, 2)' },
  { name: 'g', sqlType: 'DECIMAL(30, 6)' },
  { name: 'b', sqlType: 'BOOLEAN' },
  { name: 's', sqlType: 'STRING' },
  { name: 't', sqlType: 'STRING' },
  { name: 'ts', sqlType: 'TIMESTAMP(3)' },
];

// id;i;j;bi;si;ti;d;m;g;b;s;t;ts  (t: texts that look like numbers, booleans and timestamps)
const ROWS: readonly string[] = [
  '1;0;0;0;0;0;0.0;0.00;0.000000;false;"";"0";1970-01-01 00:00:00.000',
  '2;1;-1;-1;1;-1;-0.0;-0.01;-0.000001;true;abc;"-7";1969-12-31 23:59:59.999',
  '3;2147483647;2147483647;9223372036854775807;32767;127;1.5E10;99999999.99;999999999999999999999999.999999;true;"😀 smile";"2017-07-23 00:55:22";2016-02-29 23:59:59.999',
  '4;-2147483648;-1;-9223372036854775808;-32768;-128;-2.5;-99999999.99;-123456789012345678901234.5;false;" padded ";"2016-02-29 12:00:00";2000-02-29 00:00:00.000',
  '5;NULL;7;NULL;NULL;NULL;NULL;NULL;NULL;NULL;NULL;NULL;NULL',
  '6;7;NULL;9007199254740993;300;64;0.1;2.67;2.675000;NULL;café;"true";2017-07-23 00:55:00.250',
  '7;-957;3;1234567890123456789;-300;-7;2.675;0.05;0.000001;false;"%_a\\b";"1.5";1999-12-31 23:59:59.000',
  '8;100;100;3000000000001;16384;100;1.0E308;12345.67;1000000000.5;true;𝔘nicode Ω;"garbage";2038-01-19 03:14:07.000',
  '9;-1;2;-9007199254740993;5;5;4.9E-324;-0.50;-0.5;true;ÄÖü ß;" 42 ";1900-03-01 12:34:56.789',
  '10;123456;-123456;42;-1;1;-1.0E-5;1.00;12.345678;false;"a,b;c";"2017-7-3 5:5:5";2024-02-29 12:00:00.000',
];

export function fuzzCsv(): string {
  return ROWS.join('\n') + '\n';
}

export const FUZZ_ROW_COUNT = ROWS.length;

/** The CREATE TABLE both engines run (the same text, only the path differs). */
export function fuzzTableDdl(path: string): string {
  const cols = FUZZ_COLUMNS.map((c) => `  ${c.name} ${c.sqlType}`).join(',\n');
  return (
    `CREATE TABLE ${FUZZ_TABLE} (\n${cols}\n) WITH (\n` +
    `  'connector' = 'filesystem',\n  'path' = '${path.replace(/'/g, "''")}',\n  'format' = 'csv',\n` +
    `  'csv.field-delimiter' = ';',\n  'csv.null-literal' = 'NULL'\n)`
  );
}
