// The CSV decoder reads integral fields digit by digit straight from the line (no substring, no
// delimiter search). It must decode exactly as the general path does: same values, same NULLs,
// same messages. The general path is forced here with a null literal that never occurs in the
// lines (with 'csv.null-literal' set, every field goes through the text converters).

import { describe, expect, it } from 'vitest';
import type { RecordDecoder } from '../../engine/formats/api.js';
import { getFormat } from '../../engine/formats/registry.js';
import { OptionBag } from '../../engine/options.js';
import { T, type Row, type SqlType } from '../../engine/types.js';

const csv = getFormat('csv')!;
const tinyint: SqlType = { name: 'TINYINT', nullable: true };

function decoder(types: SqlType[], options: Record<string, string>): RecordDecoder {
  return csv.createDecoder(
    types.map((type, rowIndex) => ({ name: `c${rowIndex}`, type, rowIndex })),
    OptionBag.of(options),
  );
}

function decode(d: RecordDecoder, line: string): Row | { error: string } {
  const row: Row = [];
  const reason = d.decodeText!(line, row);
  return reason === null ? row : { error: String(reason) };
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('CSV integral fields read from the line', () => {
  const cases: [string, SqlType[], Record<string, string>][] = [
    [
      'BIGINT, STRING, INT, TINYINT with ;',
      [T.bigint(), T.string(), T.int(), tinyint],
      { 'csv.field-delimiter': ';' },
    ],
    ['BIGINT NOT NULL, TINYINT with ,', [T.bigint(false), tinyint], {}],
    ['one BIGINT', [T.bigint()], {}],
  ];
  for (const [name, types, options] of cases) {
    it(`${name}: same rows and messages as the general path over random lines`, () => {
      const fast = decoder(types, options);
      const general = decoder(types, { ...options, 'csv.null-literal': 'NULL-NEVER-THERE' });
      const delimiter = options['csv.field-delimiter'] ?? ',';
      const alphabet = ['0', '1', '7', '9', '9', '-', '+', ' ', 'a', '.', delimiter, delimiter];
      const rnd = prng(types.length);
      let fastRows = 0;
      for (let n = 0; n < 20_000; n++) {
        let line = '';
        const length = Math.floor(rnd() * 14);
        for (let i = 0; i < length; i++) line += alphabet[Math.floor(rnd() * alphabet.length)];
        if (line.trim() === '') continue; // blank lines are skipped before any field is read
        const expected = decode(general, line);
        expect(decode(fast, line), JSON.stringify(line)).toEqual(expected);
        if (Array.isArray(expected)) fastRows++;
      }
      expect(fastRows).toBeGreaterThan(100);
    });
  }

  it('edge values: signs, range limits, empty fields, too many or too few fields', () => {
    const d = decoder([T.bigint(), tinyint], { 'csv.field-delimiter': ';' });
    expect(decode(d, '-0;-128')).toEqual([0, -128]);
    expect(decode(d, '9007199254740991;127')).toEqual([9007199254740991, 127]);
    expect(decode(d, ';')).toEqual([null, null]);
    expect(decode(d, '12;128')).toEqual({
      error: "field 'c1' (column 2): '128' is out of range for TINYINT (-128 to 127)",
    });
    // Past the safe integers a BIGINT is a bigint (engine/types.ts), up to Java's long range.
    expect(decode(d, '9007199254740992;1')).toEqual([9007199254740992n, 1]);
    expect(decode(d, '-9223372036854775808;1')).toEqual([-9223372036854775808n, 1]);
    expect(decode(d, '9223372036854775808;1')).toEqual({
      error:
        "field 'c0' (column 1): '9223372036854775808' is out of range for BIGINT (-9223372036854775808 to 9223372036854775807)",
    });
    expect(decode(d, '1;2;3')).toEqual({ error: 'expected 2 fields, found 3' });
    expect(decode(d, '12')).toEqual({ error: 'expected 2 fields, found 1' });
    expect(decode(d, ' 12 ;+5')).toEqual([12, 5]);
  });
});

describe('CSV quote characters inside unquoted fields', () => {
  it('decode like the quoted path', () => {
    const types = [T.bigint(), T.string(), T.int()];
    const d = decoder(types, { 'csv.field-delimiter': ';' });
    // The reference: one more field holding an escape character sends every line down the
    // quoted path (the lines hold no other backslash, so the escape changes nothing else).
    const quoted = decoder([...types, T.string()], {
      'csv.field-delimiter': ';',
      'csv.escape-character': '\\',
    });
    // Fields of every shape: numbers, words, quoted (with a delimiter or a doubled quote inside),
    // quotes inside unquoted text, broken quoting; 2 to 4 of them.
    const shapes = [
      '12',
      '-7',
      '',
      'ab',
      ' 5',
      '"ab"',
      '"1"',
      '"a;b"',
      '"a""b"',
      'a"b',
      '7"',
      '"ab',
      '"a"b',
      '""',
    ];
    const rnd = prng(11);
    let rows = 0;
    let withQuote = 0;
    for (let n = 0; n < 20_000; n++) {
      const fields: string[] = [];
      const count = 2 + Math.floor(rnd() * 3);
      for (let i = 0; i < count; i++) fields.push(shapes[Math.floor(rnd() * shapes.length)]!);
      const line = fields.join(';');
      if (line.trim() === '') continue;
      const got = decode(d, line);
      const reference = decode(quoted, `${line};\\z`);
      if (Array.isArray(reference)) {
        expect(got, JSON.stringify(line)).toEqual(reference.slice(0, 3));
        rows++;
        if (line.includes('"')) withQuote++;
      } else {
        expect(Array.isArray(got), JSON.stringify(line)).toBe(false);
      }
    }
    expect(rows).toBeGreaterThan(300);
    expect(withQuote).toBeGreaterThan(50);
  });

  it('a rejected line holding a quote gets the message of the quoted path', () => {
    const d = decoder([T.bigint(), T.string()], { 'csv.field-delimiter': ';' });
    expect(decode(d, 'a"b;x')).toEqual({ error: "field 'c0' (column 1): 'a\"b' is not a BIGINT" });
    expect(decode(d, '12;a"b')).toEqual([12, 'a"b']);
    expect(decode(d, 'abc;"x')).toMatchObject({ error: expect.stringContaining('never closed') });
    expect(decode(d, '1;2;"x')).toMatchObject({ error: expect.stringContaining('never closed') });
  });
});
