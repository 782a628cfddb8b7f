// Timestamp text as Flink's older Java APIs read it: TO_TIMESTAMP's default layout (java.time,
// SMART) and its java.sql fallbacks, and UNIX_TIMESTAMP's lenient SimpleDateFormat.

import { describe, expect, it } from 'vitest';
import {
  javaParseInt,
  parseDefaultTimestamp,
  parseJavaSqlTimestamp,
} from '../../engine/time/lenient-timestamp.js';
import { compileLenientParser } from '../../engine/time/simple-date-format.js';
import { TimestampPatternError } from '../../engine/time/java-pattern.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number =>
  Date.UTC(y, mo - 1, d, h, mi, s, ms);

describe('TO_TIMESTAMP(s): Flink default layout, SMART', () => {
  it('reads yyyy-[M]M-[d]d with an optional [H]H:[m]m:[s]s[.f]', () => {
    expect(parseDefaultTimestamp('2017-07-23 00:55:22')).toBe(utc(2017, 7, 23, 0, 55, 22));
    expect(parseDefaultTimestamp('2017-7-3 5:5:5')).toBe(utc(2017, 7, 3, 5, 5, 5));
    expect(parseDefaultTimestamp('2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parseDefaultTimestamp('2017-07-23 00:55:22.5')).toBe(utc(2017, 7, 23, 0, 55, 22, 500));
    expect(parseDefaultTimestamp('2017-07-23 00:55:22.123456789')).toBe(utc(2017, 7, 23, 0, 55, 22, 123));
  });

  it('clamps the day to the month, turns 24:00:00 into the next midnight', () => {
    expect(parseDefaultTimestamp('2017-02-30 00:00:00')).toBe(utc(2017, 2, 28));
    expect(parseDefaultTimestamp('2016-02-30')).toBe(utc(2016, 2, 29));
    expect(parseDefaultTimestamp('2017-07-23 24:00:00')).toBe(utc(2017, 7, 24));
    expect(parseDefaultTimestamp('2017-07-23 24:00:01')).toBeNull();
    expect(parseDefaultTimestamp('2017-07-32')).toBeNull();
    expect(parseDefaultTimestamp('2017-13-01')).toBeNull();
  });

  it('refuses anything else: T, offsets, trailing text, missing seconds, garbage', () => {
    for (const t of [
      '2017-07-23T00:55:22',
      '2017-07-23 00:55:22+02:00',
      '2017-07-23 00:55:22 extra',
      '2017-07-23 00:55',
      'garbage',
      ' 2017-07-23',
      '17-07-23',
      '2017-123-01',
    ]) {
      expect(parseDefaultTimestamp(t), t).toBeNull();
    }
  });
});

describe("TO_TIMESTAMP(s, pattern)'s fallback: java.sql.Timestamp.valueOf / Date.valueOf", () => {
  it('reads loose digits and rolls impossible values over', () => {
    expect(parseJavaSqlTimestamp('2017-02-30 00:00:00')).toBe(utc(2017, 3, 2));
    expect(parseJavaSqlTimestamp('2017-07-23 24:00:00')).toBe(utc(2017, 7, 24));
    expect(parseJavaSqlTimestamp('2017-7-3 5:5:5')).toBe(utc(2017, 7, 3, 5, 5, 5));
    expect(parseJavaSqlTimestamp(' 2017-07-23 00:55:22.5 ')).toBe(utc(2017, 7, 23, 0, 55, 22, 500));
    expect(parseJavaSqlTimestamp('2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parseJavaSqlTimestamp('2017-02-30')).toBe(utc(2017, 3, 2));
  });

  it('gives null where Java throws', () => {
    for (const t of [
      '2017-07-23T00:55:22',
      '2017-07-23 00:55:22 extra',
      '2017-07-23 00:55:22+02:00',
      'garbage',
      '2017-07-32 00:00:00',
      '17-07-23 00:00:00',
      '2017-07-23 00:55:22.',
    ]) {
      expect(parseJavaSqlTimestamp(t), t).toBeNull();
    }
  });

  it("Integer.parseInt's rules", () => {
    expect(javaParseInt('+12', 0, 3)).toBe(12);
    expect(javaParseInt('-7', 0, 2)).toBe(-7);
    expect(javaParseInt('2147483648', 0, 10)).toBeNull();
    expect(javaParseInt('-2147483648', 0, 11)).toBe(-2147483648);
    expect(javaParseInt('1a', 0, 2)).toBeNull();
    expect(javaParseInt('-', 0, 1)).toBeNull();
  });
});

describe("UNIX_TIMESTAMP's lenient SimpleDateFormat", () => {
  const sql = compileLenientParser('yyyy-MM-dd HH:mm:ss');

  it('ignores trailing text and rolls values over', () => {
    expect(sql('2017-07-23 00:55:22 extra')).toBe(utc(2017, 7, 23, 0, 55, 22));
    expect(sql('2017-07-23 00:55:22+02:00')).toBe(utc(2017, 7, 23, 0, 55, 22));
    expect(sql('2017-02-30 00:00:00')).toBe(utc(2017, 3, 2));
    expect(sql('2017-07-23 24:00:00')).toBe(utc(2017, 7, 24));
    expect(sql('2017-7-3 5:5:5')).toBe(utc(2017, 7, 3, 5, 5, 5));
    expect(sql('2017-13-01 00:00:00')).toBe(utc(2018, 1, 1));
  });

  it('fails on text that does not follow the pattern', () => {
    expect(sql('2017-07-23T00:55:22')).toBeNull();
    expect(sql('garbage')).toBeNull();
    expect(sql('2017-07-23')).toBeNull();
  });

  it('abutting number fields read their width; names, AM/PM and zones (applied)', () => {
    expect(compileLenientParser('yyyyMMddHHmmss')('20170723005522')).toBe(utc(2017, 7, 23, 0, 55, 22));
    expect(compileLenientParser('dd MMM yyyy hh:mm a')('23 july 2017 01:06 PM')).toBe(
      utc(2017, 7, 23, 13, 6),
    );
    expect(compileLenientParser('EEEE, dd-MMM-yy HH:mm:ss z')('Sunday, 23-Jul-17 01:06:47 UTC')).toBe(
      utc(2017, 7, 23, 1, 6, 47),
    );
    expect(compileLenientParser('yyyy-MM-dd HH:mm:ss Z')('2017-07-23 01:06:47 +0200')).toBe(
      utc(2017, 7, 22, 23, 6, 47),
    );
    expect(compileLenientParser("yyyy-MM-dd'T'HH:mm:ssX")('2017-07-23T01:06:47Z')).toBe(
      utc(2017, 7, 23, 1, 6, 47),
    );
  });

  it('refuses letters it does not know', () => {
    expect(() => compileLenientParser('yyyy-ww')).toThrow(TimestampPatternError);
  });
});
