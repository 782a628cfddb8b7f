import { describe, expect, it } from 'vitest';
import { OptionError } from '../../engine/errors.js';
import type { DecodedColumn, FormatDefinition, RecordDecoder } from '../../engine/formats/api.js';
import { FORMAT_NAMES, SKIP_RECORD, getFormat } from '../../engine/formats/registry.js';
import { OptionBag } from '../../engine/options.js';
import { T, type Row, type SqlType } from '../../engine/types.js';

const csv = getFormat('csv')!;
const json = getFormat('json')!;

const tinyint: SqlType = { name: 'TINYINT', nullable: true };
const smallint: SqlType = { name: 'SMALLINT', nullable: true };
const float: SqlType = { name: 'FLOAT', nullable: true };

type Spec = [string, SqlType];

function columns(specs: Spec[]): DecodedColumn[] {
  return specs.map(([name, type], rowIndex) => ({ name, type, rowIndex }));
}

function fields(specs: Spec[]): { name: string; type: SqlType }[] {
  return specs.map(([name, type]) => ({ name, type }));
}

function decoder(
  format: FormatDefinition,
  specs: Spec[],
  options: Record<string, string> = {},
): RecordDecoder {
  const bag = OptionBag.of(options, "table 't'");
  const d = format.createDecoder(columns(specs), bag);
  bag.finish();
  return d;
}

function encoder(format: FormatDefinition, specs: Spec[], options: Record<string, string> = {}) {
  const bag = OptionBag.of(options, "table 't'");
  const e = format.createEncoder(fields(specs), bag);
  bag.finish();
  return e;
}

/** Decodes one line; returns the row, or the reason as { error }. */
/** A record given as text goes through decodeText, as bytes (an encoder's output) through decode. */
function decodeLine(d: RecordDecoder, line: string | Buffer): Row | { error: string } {
  const row: Row = [];
  const reason = typeof line === 'string' ? d.decodeText!(line, row) : d.decode(line, 0, line.length, row);
  return reason === null ? row : { error: reason };
}

const ts = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0) =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

// One column of every type a format reads, and a row of values for it.
const ALL_TYPES: Spec[] = [
  ['name', T.string()],
  ['ok', T.boolean()],
  ['tiny', tinyint],
  ['small', smallint],
  ['count', T.int()],
  ['big', T.bigint()],
  ['ratio', float],
  ['score', T.double()],
  ['amount', T.decimal(10, 2)],
  ['at', T.timestamp(3)],
  ['seen', T.timestampLtz(3)],
];
const ALL_ROW: Row = [
  'Ana',
  true,
  -5,
  300,
  -70000,
  9007199254740991,
  0.5,
  2.25,
  1234n,
  ts(2017, 7, 23, 1, 6, 47, 123),
  ts(2020, 1, 2, 3, 4, 5),
];

describe('registry', () => {
  it('finds every format by name and nothing else', () => {
    for (const name of FORMAT_NAMES) expect(getFormat(name)?.name).toBe(name);
    expect(getFormat('protobuf')).toBeUndefined();
    expect(FORMAT_NAMES).toEqual(['csv', 'json', 'raw', 'debezium-json', 'avro', 'avro-confluent']);
  });
});

describe('csv decoding', () => {
  it('converts every type', () => {
    const d = decoder(csv, ALL_TYPES);
    expect(
      decodeLine(
        d,
        'Ana,TRUE, -5 ,300,-70000,9007199254740991,0.5,2.25,12.34,2017-07-23 01:06:47.123,2020-01-02 03:04:05',
      ),
    ).toEqual(ALL_ROW);
  });

  it('puts each field at the row position of its column', () => {
    const d = csv.createDecoder(
      [
        { name: 'a', type: T.string(), rowIndex: 2 },
        { name: 'b', type: T.int(), rowIndex: 0 },
      ],
      OptionBag.of({}),
    );
    const row: Row = [undefined, 'computed', undefined];
    expect(d.decodeText!('x,7', row)).toBeNull();
    expect(row).toEqual([7, 'computed', 'x']);
  });

  it.each([
    [';', 'Ana;12.50;3'],
    [' ', 'Ana 12.50 3'],
    ['\\t', 'Ana\t12.50\t3'],
    ['|', 'Ana|12.50|3'],
  ])('reads the field delimiter %j', (delimiter, line) => {
    const d = decoder(
      csv,
      [
        ['c', T.string()],
        ['amount', T.decimal(10, 2)],
        ['n', T.int()],
      ],
      { 'csv.field-delimiter': delimiter },
    );
    expect(decodeLine(d, line)).toEqual(['Ana', 1250n, 3]);
  });

  it('unquotes fields holding the delimiter and doubled quotes', () => {
    const d = decoder(csv, [
      ['a', T.string()],
      ['b', T.string()],
      ['n', T.int()],
    ]);
    expect(decodeLine(d, '"x,y","say ""hi""",1')).toEqual(['x,y', 'say "hi"', 1]);
    expect(decodeLine(d, '"",plain,"2"')).toEqual(['', 'plain', 2]);
    expect(decodeLine(d, 'a,b,')).toEqual(['a', 'b', null]);
  });

  it('uses the configured quote character, or none', () => {
    const single = decoder(
      csv,
      [
        ['a', T.string()],
        ['b', T.string()],
      ],
      { 'csv.quote-character': "'" },
    );
    expect(decodeLine(single, `'x,y',"z"`)).toEqual(['x,y', '"z"']);
    const none = decoder(
      csv,
      [
        ['a', T.string()],
        ['b', T.string()],
      ],
      { 'csv.disable-quote-character': 'true' },
    );
    expect(decodeLine(none, '"x,"y"')).toEqual(['"x', '"y"']);
  });

  it('reads backslash escapes when an escape character is set', () => {
    const d = decoder(
      csv,
      [
        ['a', T.string()],
        ['b', T.string()],
      ],
      { 'csv.escape-character': '\\' },
    );
    expect(decodeLine(d, 'x\\,y,"q\\"uote"')).toEqual(['x,y', 'q"uote']);
  });

  it('reports broken quoting', () => {
    const d = decoder(csv, [
      ['a', T.string()],
      ['b', T.string()],
    ]);
    expect(decodeLine(d, '"open,b')).toEqual({ error: expect.stringContaining('never closed') });
    expect(decodeLine(d, '"a"x,b')).toEqual({
      error: expect.stringContaining('closing quote must be followed by the delimiter'),
    });
  });

  it('reads the null literal, and empty fields of non-STRING columns as NULL', () => {
    const specs: Spec[] = [
      ['s', T.string()],
      ['n', T.bigint()],
      ['t', T.timestamp()],
    ];
    const withLiteral = decoder(csv, specs, { 'csv.null-literal': 'NULL' });
    expect(decodeLine(withLiteral, 'NULL,NULL,NULL')).toEqual([null, null, null]);
    expect(decodeLine(withLiteral, ',,')).toEqual(['', null, null]);
    const plain = decoder(csv, specs);
    expect(decodeLine(plain, ',,')).toEqual(['', null, null]);
    expect(decodeLine(plain, 'NULL,1,')).toEqual(['NULL', 1, null]);
  });

  it('rejects NULL in a NOT NULL column', () => {
    const d = decoder(csv, [
      ['id', T.bigint(false)],
      ['s', T.string()],
    ]);
    expect(decodeLine(d, ',x')).toEqual({
      error: "field 'id' (column 1): is NULL but the column is declared NOT NULL",
    });
  });

  it('reports a wrong number of fields', () => {
    const d = decoder(csv, [
      ['a', T.string()],
      ['b', T.string()],
      ['c', T.int()],
      ['amount', T.bigint()],
    ]);
    expect(decodeLine(d, 'x,y,1')).toEqual({ error: 'expected 4 fields, found 3' });
    expect(decodeLine(d, 'x,y,1,2,3')).toEqual({ error: 'expected 4 fields, found 5' });
    expect(decodeLine(d, '"x,y",1,2,3,4')).toEqual({ error: 'expected 4 fields, found 5' });
    // A field that does not convert because the fields are shifted is a field count problem.
    expect(decodeLine(d, 'x,y,oops')).toEqual({ error: 'expected 4 fields, found 3' });
    // A record that another common delimiter splits into the table's columns: that one is named.
    expect(decodeLine(d, 'x;y;1;2')).toEqual({
      error:
        "expected 4 fields, found 1; the record has ';' between its fields: is the delimiter ';'? write 'csv.field-delimiter' = ';'",
    });
    expect(decodeLine(d, 'x\ty\t1\t2')).toEqual({
      error:
        "expected 4 fields, found 1; the record has '\\t' between its fields: is the delimiter '\\t'? write 'csv.field-delimiter' = '\\t'",
    });
  });

  it('names the field, its position and the type when a value does not convert', () => {
    const d = decoder(csv, [
      ['a', T.string()],
      ['b', T.string()],
      ['c', T.int()],
      ['amount', T.bigint()],
    ]);
    expect(decodeLine(d, 'x,y,1,abc')).toEqual({ error: "field 'amount' (column 4): 'abc' is not a BIGINT" });
    expect(decodeLine(d, 'x,y,12.5,1')).toEqual({ error: "field 'c' (column 3): '12.5' is not an INT" });
    expect(decodeLine(d, 'x,y,2147483648,1')).toEqual({
      error: expect.stringContaining("field 'c' (column 3): '2147483648' is out of range for INT"),
    });
    expect(decodeLine(d, 'x,y,1,9223372036854775808')).toEqual({
      error:
        "field 'amount' (column 4): '9223372036854775808' is out of range for BIGINT (-9223372036854775808 to 9223372036854775807)",
    });
  });

  it('rejects texts that are not numbers, booleans, decimals or SQL timestamps', () => {
    const cases: [SqlType, string][] = [
      [T.int(), '1e3'],
      [T.int(), '0x10'],
      [tinyint, '128'],
      [smallint, '-32769'],
      [T.double(), 'abc'],
      [T.double(), '0x10'],
      [T.double(), '1.5.2'],
      [T.boolean(), 'yes'],
      [T.decimal(10, 2), '12;5'],
      [T.decimal(10, 2), '1.2.3'],
      [T.decimal(5, 2), '1234.5'],
      [T.timestamp(), '2017-07-23T01:06:47Z'],
      [T.timestamp(), 'yesterday'],
    ];
    for (const [type, text] of cases) {
      const d = decoder(csv, [['v', type]]);
      expect(decodeLine(d, text), `${text} as ${type.name}`).toEqual({
        error: expect.stringMatching(/^field 'v' \(column 1\): /),
      });
    }
  });

  it('accepts the number texts Flink accepts', () => {
    const d = decoder(csv, [
      ['i', T.int()],
      ['d', T.double()],
      ['m', T.decimal(10, 2)],
    ]);
    expect(decodeLine(d, '+7,1e3,-0.005')).toEqual([7, 1000, -1n]);
    expect(decodeLine(d, '-0,NaN,.5')).toEqual([0, NaN, 50n]);
  });

  it('skips blank lines, and # lines only with csv.allow-comments', () => {
    const plain = decoder(csv, [
      ['a', T.string()],
      ['b', T.int()],
    ]);
    expect(plain.decodeText!('', [])).toBe(SKIP_RECORD);
    expect(plain.decodeText!('   ', [])).toBe(SKIP_RECORD);
    expect(plain.decodeText!('# note,1', [])).toBeNull();
    expect(plain.decodeText!('# note', [])).toBe('expected 2 fields, found 1');
    const comments = decoder(
      csv,
      [
        ['a', T.string()],
        ['b', T.int()],
      ],
      { 'csv.allow-comments': 'true' },
    );
    expect(comments.decodeText!('# note', [])).toBe(SKIP_RECORD);
    expect(decodeLine(comments, 'x,1')).toEqual(['x', 1]);
  });

  it('drops the carriage return of CRLF lines', () => {
    const d = decoder(csv, [
      ['a', T.string()],
      ['b', T.int()],
    ]);
    expect(decodeLine(d, 'x,1\r')).toEqual(['x', 1]);
  });
});

describe('csv encoding', () => {
  it('writes a header and every type as Flink prints it', () => {
    const e = encoder(csv, ALL_TYPES);
    expect(e.header).toBe('name,ok,tiny,small,count,big,ratio,score,amount,at,seen');
    expect(e.encodeLines([ALL_ROW])).toBe(
      'Ana,true,-5,300,-70000,9007199254740991,0.5,2.25,12.34,2017-07-23 01:06:47.123,2020-01-02 03:04:05.000\n',
    );
    expect(e.encodeValue([null, false, 0, 0, 0, 0, 1, 1e10, -5n, 0, 0]).toString('utf8')).toBe(
      ',false,0,0,0,0,1.0,1.0E10,-0.05,1970-01-01 00:00:00.000,1970-01-01 00:00:00.000',
    );
  });

  it('round-trips every type', () => {
    const d = decoder(csv, ALL_TYPES);
    const e = encoder(csv, ALL_TYPES);
    expect(decodeLine(d, e.encodeValue(ALL_ROW).toString('utf8'))).toEqual(ALL_ROW);
  });

  it('quotes fields that hold the delimiter or the quote, and round-trips them', () => {
    const specs: Spec[] = [
      ['a', T.string()],
      ['b', T.string()],
      ['n', T.int()],
    ];
    const e = encoder(csv, specs);
    const rows: Row[] = [
      ['x,y', 'say "hi"', 1],
      ['plain', '', 2],
    ];
    const text = e.encodeLines(rows);
    expect(text).toBe('"x,y","say ""hi""",1\nplain,,2\n');
    const d = decoder(csv, specs);
    expect(
      text
        .split('\n')
        .slice(0, 2)
        .map((l) => decodeLine(d, l)),
    ).toEqual(rows);
  });

  it('uses the delimiter, quote and escape options', () => {
    const specs: Spec[] = [
      ['a', T.string()],
      ['b', T.decimal(5, 1)],
    ];
    const semi = encoder(csv, specs, { 'csv.field-delimiter': ';' });
    expect(semi.header).toBe('a;b');
    expect(
      semi.encodeLines([
        ['x;y', 15n],
        ['x,y', 1n],
      ]),
    ).toBe('"x;y";1.5\nx,y;0.1\n');
    const space = encoder(csv, specs, { 'csv.field-delimiter': ' ' });
    expect(space.encodeValue(['a b', 15n]).toString('utf8')).toBe('"a b" 1.5');

    const escaped: Record<string, string> = { 'csv.escape-character': '\\' };
    const e = encoder(csv, specs, escaped);
    const d = decoder(csv, specs, escaped);
    for (const s of ['back\\slash', 'q"uote', 'com,ma']) {
      expect(decodeLine(d, e.encodeValue([s, 1n]).toString('utf8'))).toEqual([s, 1n]);
    }
  });

  it('writes NULL as the null literal, or as an empty field', () => {
    const specs: Spec[] = [
      ['s', T.string()],
      ['n', T.bigint()],
    ];
    expect(
      encoder(csv, specs, { 'csv.null-literal': 'NULL' }).encodeValue([null, null]).toString('utf8'),
    ).toBe('NULL,NULL');
    expect(encoder(csv, specs).encodeValue([null, null]).toString('utf8')).toBe(',');
    expect(encoder(csv, specs).encodeLines([])).toBe('');
  });
});

describe('csv options', () => {
  it('reads csv.ignore-parse-errors', () => {
    expect(csv.ignoreParseErrors(OptionBag.of({}))).toBe(false);
    expect(csv.ignoreParseErrors(OptionBag.of({ 'csv.ignore-parse-errors': 'true' }))).toBe(true);
    expect(csv.ignoreParseErrors(OptionBag.of({ 'csv.ignore-parse-errors': 'FALSE' }))).toBe(false);
    expect(() => csv.ignoreParseErrors(OptionBag.of({ 'csv.ignore-parse-errors': 'yes' }))).toThrow(
      /'yes' is not a boolean/,
    );
    // The json option is not the csv one.
    expect(csv.ignoreParseErrors(OptionBag.of({ 'json.ignore-parse-errors': 'true' }))).toBe(false);
  });

  it('takes every Flink csv option out of the bag', () => {
    const bag = OptionBag.of({
      'csv.field-delimiter': ';',
      'csv.quote-character': "'",
      'csv.allow-comments': 'true',
      'csv.ignore-parse-errors': 'true',
      'csv.escape-character': '\\',
      'csv.null-literal': 'n/a',
      'csv.array-element-delimiter': '|',
    });
    csv.createDecoder(columns([['a', T.string()]]), bag);
    expect(() => bag.finish()).not.toThrow();
  });

  it('leaves unknown options for bag.finish() to report, with a did-you-mean', () => {
    const bag = OptionBag.of({ 'csv.field-delimeter': ';' }, "table 'tx'");
    csv.createDecoder(columns([['a', T.string()]]), bag);
    expect(() => bag.finish()).toThrow(OptionError);
    expect(() => bag.finish()).toThrow(
      /unknown option 'csv.field-delimeter'.*\n.*did you mean 'csv.field-delimiter'/,
    );
    const sinkBag = OptionBag.of({ 'csv.nul-literal': 'x' });
    csv.createEncoder(fields([['a', T.string()]]), sinkBag);
    expect(() => sinkBag.finish()).toThrow(/did you mean 'csv.null-literal'/);
  });

  it('rejects malformed and contradictory options', () => {
    const make = (o: Record<string, string>) => () =>
      csv.createDecoder(columns([['a', T.string()]]), OptionBag.of(o));
    expect(make({ 'csv.field-delimiter': ';;' })).toThrow(/not a single character/);
    expect(make({ 'csv.quote-character': "'", 'csv.disable-quote-character': 'true' })).toThrow(OptionError);
    expect(make({ 'csv.field-delimiter': '"' })).toThrow(/same character/);
  });

  it('rejects column types the format cannot read', () => {
    expect(() => csv.createDecoder(columns([['i', T.interval()]]), OptionBag.of({}))).toThrow(
      /cannot read column 'i' of type INTERVAL/,
    );
  });
});

describe('json decoding', () => {
  it('converts every type, by field name, in any order', () => {
    const d = decoder(json, ALL_TYPES);
    const line = JSON.stringify({
      seen: '2020-01-02 03:04:05',
      name: 'Ana',
      ok: true,
      tiny: -5,
      small: 300,
      count: -70000,
      big: 9007199254740991,
      ratio: 0.5,
      score: 2.25,
      amount: 12.34,
      at: '2017-07-23 01:06:47.123',
      extra: 'ignored',
    });
    expect(decodeLine(d, line)).toEqual(ALL_ROW);
  });

  it('reads BIGINT beyond 2^53 exactly from the record text (JSON.parse would round it)', () => {
    const d = decoder(json, [
      ['id', T.bigint()],
      ['n', T.int()],
    ]);
    expect(decodeLine(d, '{"id":1234567890123456789,"n":1}')).toEqual([1234567890123456789n, 1]);
    expect(decodeLine(d, '{"n":2,"id":-9223372036854775808}')).toEqual([-9223372036854775808n, 2]);
    expect(decodeLine(d, '{"id":"9007199254740993","n":3}')).toEqual([9007199254740993n, 3]);
    expect(decodeLine(d, '{"id":9007199254740991,"n":4}')).toEqual([9007199254740991, 4]);
    expect(decodeLine(d, '{"id":9223372036854775808,"n":5}')).toEqual({
      error:
        "field 'id': 9223372036854775808 is out of range for BIGINT (-9223372036854775808 to 9223372036854775807)",
    });
    expect(decodeLine(d, '{"id":1,"n":2147483648}')).toEqual({
      error: expect.stringContaining("field 'n': 2147483648 is out of range for INT"),
    });
  });

  it('is lenient about scalars the way Flink is', () => {
    const d = decoder(json, [
      ['n', T.bigint()],
      ['x', T.double()],
      ['m', T.decimal(10, 2)],
      ['b', T.boolean()],
      ['s', T.string()],
      ['o', T.string()],
    ]);
    expect(decodeLine(d, '{"n":"42","x":"1.5","m":"3.456","b":"TRUE","s":12.5,"o":{"k":[1,true]}}')).toEqual([
      42,
      1.5,
      346n,
      true,
      '12.5',
      '{"k":[1,true]}',
    ]);
    expect(decodeLine(d, '{"n":1,"x":2,"m":3,"b":false,"s":true,"o":null}')).toEqual([
      1,
      2,
      300n,
      false,
      'true',
      null,
    ]);
  });

  it('reads a missing field as NULL, or fails naming it with json.fail-on-missing-field', () => {
    const specs: Spec[] = [
      ['customer', T.string()],
      ['lat', T.double()],
    ];
    expect(decodeLine(decoder(json, specs), '{"customer":"Ana"}')).toEqual(['Ana', null]);
    expect(
      decodeLine(decoder(json, specs, { 'json.fail-on-missing-field': 'true' }), '{"customer":"Ana"}'),
    ).toEqual({
      error: "field 'lat' is missing (the table sets 'json.fail-on-missing-field' = 'true')",
    });
    // An explicit null is not missing.
    expect(
      decodeLine(
        decoder(json, specs, { 'json.fail-on-missing-field': 'true' }),
        '{"customer":"Ana","lat":null}',
      ),
    ).toEqual(['Ana', null]);
  });

  it('does not take inherited object properties for missing fields', () => {
    const d = decoder(json, [
      ['constructor', T.string()],
      ['toString', T.string()],
    ]);
    expect(decodeLine(d, '{"toString":"x"}')).toEqual([null, 'x']);
  });

  it('reads the PyFlink transaction record with ISO-8601 timestamps', () => {
    const specs: Spec[] = [
      ['customer', T.string()],
      ['transaction_type', T.string()],
      ['online_payment_amount', T.decimal(10, 2)],
      ['in_store_payment_amount', T.decimal(10, 2)],
      ['lat', T.double()],
      ['lon', T.double()],
      ['transaction_datetime', T.timestamp(3)],
    ];
    const d = decoder(json, specs, {
      'json.timestamp-format.standard': 'ISO-8601',
      'json.fail-on-missing-field': 'true',
    });
    const record =
      '{"customer": "Ana", "transaction_type": "supermarket", "online_payment_amount": 0, "in_store_payment_amount": 12.5, "lat": 44.8, "lon": 20.4, "transaction_datetime": "2017-07-23T01:06:47Z"}';
    expect(decodeLine(d, record)).toEqual([
      'Ana',
      'supermarket',
      0n,
      1250n,
      44.8,
      20.4,
      ts(2017, 7, 23, 1, 6, 47),
    ]);
  });

  it('reads timestamps per json.timestamp-format.standard, and points to the other standard', () => {
    const specs: Spec[] = [['at', T.timestamp(3)]];
    const sql = decoder(json, specs);
    const iso = decoder(json, specs, { 'json.timestamp-format.standard': 'ISO-8601' });
    expect(decodeLine(sql, '{"at":"2017-07-23 01:06:47.500"}')).toEqual([ts(2017, 7, 23, 1, 6, 47, 500)]);
    expect(decodeLine(iso, '{"at":"2017-07-23T01:06:47.500Z"}')).toEqual([ts(2017, 7, 23, 1, 6, 47, 500)]);
    const wrong = decodeLine(sql, '{"at":"2017-07-23T01:06:47Z"}') as { error: string };
    expect(wrong.error).toMatch(
      /^field 'at': '2017-07-23T01:06:47Z' is not a TIMESTAMP\(3\) in the SQL layout/,
    );
    expect(wrong.error).toContain("set 'json.timestamp-format.standard' = 'ISO-8601'");
    expect(decodeLine(iso, '{"at":"2017-07-23 01:06:47.000"}')).toEqual({
      error: expect.stringContaining("= 'SQL'"),
    });
    expect(decodeLine(iso, '{"at":1500771207000}')).toEqual({
      error: expect.stringContaining("field 'at': 1500771207000 is not a TIMESTAMP(3)"),
    });
  });

  it('cuts timestamps to the column precision', () => {
    const d = decoder(json, [['at', T.timestamp(0)]]);
    expect(decodeLine(d, '{"at":"2017-07-23 01:06:47.999"}')).toEqual([ts(2017, 7, 23, 1, 6, 47)]);
  });

  it('explains values that do not convert', () => {
    const d = decoder(json, [
      ['amount', T.bigint()],
      ['n', T.int()],
      ['ok', T.boolean()],
    ]);
    expect(decodeLine(d, '{"amount":"abc"}')).toEqual({ error: "field 'amount': 'abc' is not a BIGINT" });
    expect(decodeLine(d, '{"n":12.5}')).toEqual({ error: "field 'n': 12.5 is not an INT" });
    expect(decodeLine(d, '{"n":3000000000}')).toEqual({
      error: expect.stringContaining("field 'n': 3000000000 is out of range for INT"),
    });
    expect(decodeLine(d, '{"ok":[true]}')).toEqual({ error: "field 'ok': [true] is not a BOOLEAN" });
  });

  it('reports invalid JSON and records that are not objects', () => {
    const d = decoder(json, [['a', T.string()]]);
    expect(decodeLine(d, '{"a":')).toEqual({ error: expect.stringMatching(/^not valid JSON: /) });
    expect(decodeLine(d, '[1,2]')).toEqual({ error: 'expected a JSON object, found an array' });
    expect(decodeLine(d, '42')).toEqual({ error: 'expected a JSON object, found a number (42)' });
    expect(decodeLine(d, 'null')).toEqual({ error: 'expected a JSON object, found null' });
    expect(d.decodeText!('', [])).toBe(SKIP_RECORD);
    expect(d.decodeText!('  \t', [])).toBe(SKIP_RECORD);
  });

  it('rejects a NULL for a NOT NULL column', () => {
    const d = decoder(json, [['id', T.bigint(false)]]);
    expect(decodeLine(d, '{}')).toEqual({
      error: "field 'id' is missing but the column is declared NOT NULL",
    });
    expect(decodeLine(d, '{"id":null}')).toEqual({
      error: "field 'id' is null but the column is declared NOT NULL",
    });
  });
});

describe('json encoding', () => {
  it('writes BIGINT beyond 2^53 as an exact JSON number (CSV too)', () => {
    const row: Row = [1234567890123456789n, -9223372036854775808n, 42];
    const types: Spec[] = [
      ['a', T.bigint()],
      ['b', T.bigint()],
      ['c', T.bigint()],
    ];
    expect(encoder(json, types).encodeValue(row).toString('utf8')).toBe(
      '{"a":1234567890123456789,"b":-9223372036854775808,"c":42}',
    );
    expect(encoder(csv, types).encodeValue(row).toString('utf8')).toBe(
      '1234567890123456789,-9223372036854775808,42',
    );
  });

  it('writes every type, one object per line, without a header', () => {
    const e = encoder(json, ALL_TYPES);
    expect(e.header).toBeNull();
    expect(e.encodeValue(ALL_ROW).toString('utf8')).toBe(
      '{"name":"Ana","ok":true,"tiny":-5,"small":300,"count":-70000,"big":9007199254740991,"ratio":0.5,"score":2.25,' +
        '"amount":12.34,"at":"2017-07-23 01:06:47.123","seen":"2020-01-02 03:04:05.000"}',
    );
    expect(e.encodeLines([ALL_ROW, ALL_TYPES.map(() => null)]).split('\n')).toHaveLength(3);
    expect(e.encodeValue(ALL_TYPES.map(() => null)).toString('utf8')).toBe(
      `{${ALL_TYPES.map(([n]) => `"${n}":null`).join(',')}}`,
    );
  });

  it('round-trips every type under both timestamp standards', () => {
    for (const standard of ['SQL', 'ISO-8601']) {
      const o = { 'json.timestamp-format.standard': standard };
      const line = encoder(json, ALL_TYPES, o).encodeValue(ALL_ROW).toString('utf8');
      expect(decodeLine(decoder(json, ALL_TYPES, o), line)).toEqual(ALL_ROW);
    }
  });

  it('writes timestamps per json.timestamp-format.standard', () => {
    const at = ts(2017, 7, 23, 1, 6, 47);
    expect(
      encoder(json, [['at', T.timestamp()]])
        .encodeValue([at])
        .toString('utf8'),
    ).toBe('{"at":"2017-07-23 01:06:47.000"}');
    expect(
      encoder(json, [['at', T.timestamp()]], { 'json.timestamp-format.standard': 'ISO-8601' })
        .encodeValue([at])
        .toString('utf8'),
    ).toBe('{"at":"2017-07-23T01:06:47.000Z"}');
  });

  it('escapes names and strings, and writes non-finite doubles as strings', () => {
    const e = encoder(json, [
      ['we"ird', T.string()],
      ['d', T.double()],
    ]);
    const line = e.encodeValue(['line\nbreak "q"', NaN]).toString('utf8');
    expect(line).toBe('{"we\\"ird":"line\\nbreak \\"q\\"","d":"NaN"}');
    expect(JSON.parse(line)).toEqual({ 'we"ird': 'line\nbreak "q"', d: 'NaN' });
  });
});

describe('json options', () => {
  it('reads json.ignore-parse-errors', () => {
    expect(json.ignoreParseErrors(OptionBag.of({}))).toBe(false);
    expect(json.ignoreParseErrors(OptionBag.of({ 'json.ignore-parse-errors': 'true' }))).toBe(true);
    expect(json.ignoreParseErrors(OptionBag.of({ 'csv.ignore-parse-errors': 'true' }))).toBe(false);
  });

  it('takes every Flink json option out of the bag and reports unknown ones', () => {
    const bag = OptionBag.of({
      'json.fail-on-missing-field': 'false',
      'json.ignore-parse-errors': 'true',
      'json.timestamp-format.standard': 'ISO-8601',
      'json.map-null-key.mode': 'LITERAL',
      'json.map-null-key.literal': 'null',
      'json.encode.decimal-as-plain-number': 'true',
    });
    json.createEncoder(fields([['a', T.string()]]), bag);
    expect(() => bag.finish()).not.toThrow();

    const typo = OptionBag.of({ 'json.fail-on-missing-fields': 'true' });
    json.createDecoder(columns([['a', T.string()]]), typo);
    expect(() => typo.finish()).toThrow(
      /unknown option 'json.fail-on-missing-fields'[\s\S]*did you mean 'json.fail-on-missing-field'/,
    );
  });

  it('rejects a bad timestamp standard and contradictory options', () => {
    expect(() => json.createDecoder([], OptionBag.of({ 'json.timestamp-format.standard': 'iso' }))).toThrow(
      /'iso' is not one of 'SQL', 'ISO-8601'/,
    );
    expect(() =>
      json.createDecoder(
        [],
        OptionBag.of({ 'json.fail-on-missing-field': 'true', 'json.ignore-parse-errors': 'true' }),
      ),
    ).toThrow(OptionError);
  });
});

describe('decimal exactness', () => {
  const specs: Spec[] = [
    ['a', T.decimal(10, 2)],
    ['b', T.decimal(10, 2)],
    ['big', T.decimal(38, 18)],
  ];
  const bigText = '12345678901234567890.123456789012345678';
  const bigUnscaled = 12345678901234567890123456789012345678n;

  it('reads 0.1 and 0.2 exactly, so their sum is exactly 0.3', () => {
    for (const [format, line] of [
      [csv, `0.1,0.2,${bigText}`],
      [json, `{"a":0.1,"b":0.2,"big":"${bigText}"}`],
    ] as const) {
      const row = decodeLine(decoder(format, specs), line) as Row;
      expect(row).toEqual([10n, 20n, bigUnscaled]);
      expect((row[0] as bigint) + (row[1] as bigint)).toBe(30n);
    }
  });

  it('writes decimals digit for digit, and reads them back unchanged', () => {
    const row: Row = [30n, -1n, bigUnscaled];
    for (const format of [csv, json]) {
      const line = encoder(format, specs).encodeValue(row).toString('utf8');
      expect(line).toContain('0.30');
      expect(line).toContain('-0.01');
      expect(line).toContain(bigText);
      expect(decodeLine(decoder(format, specs), line)).toEqual(row);
    }
  });

  it('reads long JSON numbers from the record text, not through a double', () => {
    const d = decoder(json, [
      ['big', T.decimal(38, 18)],
      ['s', T.string()],
      ['n', T.string()],
    ]);
    const line = `{"s":"\\"big\\": 1,", "n": {"big": [1, "]"]}, "big" : ${bigText} }`;
    expect(decodeLine(d, line)).toEqual([bigUnscaled, '"big": 1,', '{"big":[1,"]"]}']);
    expect(decodeLine(d, '{"big":1e400}')).toEqual({
      error: expect.stringContaining("field 'big': 1e400 does not fit DECIMAL(38, 18)"),
    });
  });

  it('rounds half up to the column scale, and rejects values over its precision', () => {
    const d = decoder(csv, [['m', T.decimal(5, 2)]]);
    expect(decodeLine(d, '0.125')).toEqual([13n]);
    expect(decodeLine(d, '-0.125')).toEqual([-13n]);
    expect(decodeLine(d, '999.99')).toEqual([99999n]);
    expect(decodeLine(d, '1000')).toEqual({
      error: expect.stringContaining("'1000' does not fit DECIMAL(5, 2)"),
    });
  });
});

describe('raw format', () => {
  const raw = getFormat('raw')!;
  it('passes the whole value through one STRING column both ways', () => {
    const dec = raw.createDecoder(
      [{ name: 'message', type: { name: 'STRING', nullable: true }, rowIndex: 1 }],
      OptionBag.of({}),
    );
    const row: unknown[] = [undefined, undefined];
    expect(dec.decodeText!('a;b, "c"', row)).toBeNull();
    expect(row[1]).toBe('a;b, "c"');
    const enc = raw.createEncoder(
      [{ name: 'message', type: { name: 'STRING', nullable: true } }],
      OptionBag.of({}),
    );
    expect(enc.header).toBeNull();
    expect(enc.encodeValue(['x y']).toString('utf8')).toBe('x y');
    expect(enc.encodeLines([['a'], [null]])).toBe('a\n\n');
  });
  it('needs exactly one STRING column', () => {
    expect(() =>
      raw.createEncoder([{ name: 'n', type: { name: 'BIGINT', nullable: true } }], OptionBag.of({})),
    ).toThrow("'format' = 'raw' needs exactly one physical STRING column");
  });
});
