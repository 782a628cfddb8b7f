import { describe, expect, it } from 'vitest';
import {
  TimestampPatternError,
  cachedPrefixOfPattern,
  compileTimestampFormatter,
  compileTimestampParser,
} from '../../engine/time/java-pattern.js';
import {
  DEFAULT_TO_TIMESTAMP_PATTERN,
  civilFromEpochDay,
  epochDayFromCivil,
  parseIsoTimestamp,
  parseSqlTimestamp,
} from '../../engine/time/sql-timestamp.js';

const SEED_PATTERN = 'EEEE, dd-MMM-yy HH:mm:ss z';
const JULY_23 = Date.UTC(2017, 6, 23, 1, 6, 47); // a Sunday
const HOUR = 3_600_000;

/** One parse with a fresh parser (no cache state carried between assertions). */
function parse(pattern: string, text: string): number | null {
  return compileTimestampParser(pattern)(text);
}

/** Epoch ms of any proleptic year, including years 0-99 and negative ones that Date.UTC maps to 19xx. */
function utc(year: number, month: number, day: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const d = new Date(Date.UTC(2000, month - 1, day, h, mi, s, ms));
  d.setUTCFullYear(year);
  return d.getTime();
}

/** Small deterministic PRNG so failures reproduce. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('compileTimestampParser: the seed layouts', () => {
  it('parses the generator layout with a weekday, two-digit year and zone name', () => {
    expect(parse(SEED_PATTERN, 'Sunday, 23-Jul-17 01:06:47 UTC')).toBe(JULY_23);
  });

  it("parses ISO text with a quoted 'Z' and with XXX", () => {
    expect(parse("yyyy-MM-dd'T'HH:mm:ss'Z'", '2017-07-23T01:06:47Z')).toBe(JULY_23);
    expect(parse("yyyy-MM-dd'T'HH:mm:ssXXX", '2017-07-23T01:06:47Z')).toBe(JULY_23);
  });

  it('agrees with parseSqlTimestamp for the default TO_TIMESTAMP pattern', () => {
    expect(DEFAULT_TO_TIMESTAMP_PATTERN).toBe('yyyy-MM-dd HH:mm:ss');
    const p = compileTimestampParser(DEFAULT_TO_TIMESTAMP_PATTERN);
    for (const text of [
      '2017-07-23 01:06:47',
      '1969-12-31 23:59:59',
      '2020-02-29 12:00:00',
      '2000-01-01 00:00:00',
    ]) {
      expect(p(text)).toBe(parseSqlTimestamp(text));
    }
  });
});

describe('compileTimestampParser: letters', () => {
  it('years: y, yy (2000-2099), yyyy, u, uuuu, and a sign when wider than the letters', () => {
    expect(parse('y-MM-dd', '2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse('y-MM-dd', '17-07-23')).toBe(utc(17, 7, 23));
    expect(parse('yy-MM-dd', '17-07-23')).toBe(utc(2017, 7, 23));
    expect(parse('yy-MM-dd', '00-01-01')).toBe(utc(2000, 1, 1));
    expect(parse('yy-MM-dd', '99-12-31')).toBe(utc(2099, 12, 31));
    expect(parse('yy-MM-dd', '2017-07-23')).toBeNull();
    expect(parse('yyyy-MM-dd', '2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse('yyyy-MM-dd', '017-07-23')).toBeNull();
    expect(parse('yyyy-MM-dd', '+10000-01-01')).toBe(utc(10000, 1, 1));
    expect(parse('yyyy-MM-dd', '+2017-01-01')).toBeNull();
    expect(parse('u-MM-dd', '1999-12-31')).toBe(utc(1999, 12, 31));
    expect(parse('uuuu-MM-dd', '1999-12-31')).toBe(utc(1999, 12, 31));
    expect(parse('uuuu-MM-dd', '-0001-03-01')).toBe(utc(-1, 3, 1));
    expect(parse('yyyy-MM-dd', '-0001-03-01')).toBeNull(); // y is the year of the era: no sign
  });

  it('months: M, MM, MMM, MMMM, names case-insensitive', () => {
    expect(parse('yyyy-M-dd', '2017-7-23')).toBe(utc(2017, 7, 23));
    expect(parse('yyyy-M-dd', '2017-12-23')).toBe(utc(2017, 12, 23));
    expect(parse('yyyy-MM-dd', '2017-7-23')).toBeNull();
    expect(parse('dd MMM yyyy', '23 Jul 2017')).toBe(utc(2017, 7, 23));
    expect(parse('dd MMM yyyy', '23 JUL 2017')).toBe(utc(2017, 7, 23));
    expect(parse('dd MMM yyyy', '23 sep 2017')).toBe(utc(2017, 9, 23));
    expect(parse('dd MMM yyyy', '23 July 2017')).toBeNull();
    expect(parse('dd MMMM yyyy', '23 July 2017')).toBe(utc(2017, 7, 23));
    expect(parse('dd MMMM yyyy', '23 september 2017')).toBe(utc(2017, 9, 23));
    expect(parse('dd MMMM yyyy', '23 Jul 2017')).toBeNull();
    expect(parse('yyyy-MM', '2017-13')).toBeNull();
    expect(parse('yyyy-MM', '2017-00')).toBeNull();
  });

  it('days: d, dd, and day of year D, DD, DDD', () => {
    expect(parse('d/M/yyyy', '5/7/2017')).toBe(utc(2017, 7, 5));
    expect(parse('dd/MM/yyyy', '05/07/2017')).toBe(utc(2017, 7, 5));
    expect(parse('dd/MM/yyyy', '5/07/2017')).toBeNull();
    // SMART (Flink's DateTimeFormatter.ofPattern): a day past the month's end is its last day.
    expect(parse('yyyy-MM-dd', '2017-04-31')).toBe(utc(2017, 4, 30));
    expect(parse('yyyy-MM-dd', '2017-02-30')).toBe(utc(2017, 2, 28));
    expect(parse('yyyy-MM-dd', '2017-07-32')).toBeNull();
    expect(parse('yyyy-D', '2020-60')).toBe(utc(2020, 2, 29));
    expect(parse('yyyy-DD', '2020-60')).toBe(utc(2020, 2, 29));
    expect(parse('yyyy-DDD', '2020-366')).toBe(utc(2020, 12, 31));
    expect(parse('yyyy-DDD', '2020-060')).toBe(utc(2020, 2, 29));
    expect(parse('yyyy-DDD', '2019-366')).toBeNull();
    expect(parse('yyyy-DDD', '2019-000')).toBeNull();
    // a day of year given with a date must agree with it
    expect(parse('yyyy-MM-dd DDD', '2017-07-23 204')).toBe(utc(2017, 7, 23));
    expect(parse('yyyy-MM-dd DDD', '2017-07-23 205')).toBeNull();
  });

  it('hours: H, HH, k (1-24), h/hh and K with a (AM/PM)', () => {
    expect(parse('yyyy-MM-dd H:mm', '2017-07-23 7:05')).toBe(utc(2017, 7, 23, 7, 5));
    expect(parse('yyyy-MM-dd HH:mm', '2017-07-23 17:05')).toBe(utc(2017, 7, 23, 17, 5));
    // SMART: 24:00 is the next midnight; 24:30 is no time.
    expect(parse('yyyy-MM-dd HH:mm', '2017-07-23 24:00')).toBe(utc(2017, 7, 24));
    expect(parse('yyyy-MM-dd HH:mm', '2017-07-23 24:30')).toBeNull();
    expect(parse('yyyy-MM-dd kk:mm', '2017-07-23 24:30')).toBe(utc(2017, 7, 23, 0, 30));
    expect(parse('yyyy-MM-dd kk:mm', '2017-07-23 00:30')).toBeNull();
    expect(parse('yyyy-MM-dd hh:mm a', '2017-07-23 12:30 AM')).toBe(utc(2017, 7, 23, 0, 30));
    expect(parse('yyyy-MM-dd hh:mm a', '2017-07-23 12:30 PM')).toBe(utc(2017, 7, 23, 12, 30));
    expect(parse('yyyy-MM-dd hh:mm a', '2017-07-23 01:30 pm')).toBe(utc(2017, 7, 23, 13, 30));
    expect(parse('yyyy-MM-dd h:mm a', '2017-07-23 9:30 AM')).toBe(utc(2017, 7, 23, 9, 30));
    expect(parse('yyyy-MM-dd hh:mm a', '2017-07-23 13:30 PM')).toBeNull();
    expect(parse('yyyy-MM-dd hh:mm a', '2017-07-23 00:30 AM')).toBeNull();
    expect(parse('yyyy-MM-dd K:mm a', '2017-07-23 11:30 PM')).toBe(utc(2017, 7, 23, 23, 30));
    expect(parse('yyyy-MM-dd K:mm a', '2017-07-23 0:30 PM')).toBe(utc(2017, 7, 23, 12, 30));
    expect(parse('yyyy-MM-dd K:mm a', '2017-07-23 12:30 PM')).toBeNull();
    // h without a is read as AM
    expect(parse('yyyy-MM-dd hh:mm', '2017-07-23 12:30')).toBe(utc(2017, 7, 23, 0, 30));
    // H with a must agree with it
    expect(parse('yyyy-MM-dd HH:mm a', '2017-07-23 13:30 PM')).toBe(utc(2017, 7, 23, 13, 30));
    expect(parse('yyyy-MM-dd HH:mm a', '2017-07-23 13:30 AM')).toBeNull();
  });

  it('minutes and seconds: m, mm, s, ss', () => {
    expect(parse('yyyy-MM-dd H:m:s', '2017-07-23 1:6:7')).toBe(utc(2017, 7, 23, 1, 6, 7));
    expect(parse('yyyy-MM-dd H:m:s', '2017-07-23 1:16:17')).toBe(utc(2017, 7, 23, 1, 16, 17));
    expect(parse('yyyy-MM-dd HH:mm:ss', '2017-07-23 01:06:7')).toBeNull();
    expect(parse('yyyy-MM-dd HH:mm:ss', '2017-07-23 01:60:00')).toBeNull();
    expect(parse('yyyy-MM-dd HH:mm:ss', '2017-07-23 01:06:60')).toBeNull();
  });

  it('fractions: S to SSSSSSSSS take exactly that many digits and keep the milliseconds', () => {
    const base = utc(2017, 7, 23, 1, 6, 47);
    const cases: [string, string, number][] = [
      ['S', '5', 500],
      ['SS', '12', 120],
      ['SSS', '123', 123],
      ['SSSS', '1234', 123],
      ['SSSSS', '12345', 123],
      ['SSSSSS', '123456', 123],
      ['SSSSSSS', '1234567', 123],
      ['SSSSSSSS', '12345678', 123],
      ['SSSSSSSSS', '999999999', 999],
    ];
    for (const [letters, digits, ms] of cases) {
      expect(parse(`yyyy-MM-dd HH:mm:ss.${letters}`, `2017-07-23 01:06:47.${digits}`), letters).toBe(
        base + ms,
      );
    }
    expect(parse('yyyy-MM-dd HH:mm:ss.SSS', '2017-07-23 01:06:47.12')).toBeNull();
    expect(parse('yyyy-MM-dd HH:mm:ss.SSS', '2017-07-23 01:06:47.1234')).toBeNull();
    expect(parse('yyyy-MM-dd HH:mm:ss.SSS', '2017-07-23 01:06:47')).toBeNull();
  });

  it('adjacent numbers without separators leave the fixed-width ones their digits', () => {
    expect(parse('yyyyMMdd', '20170723')).toBe(utc(2017, 7, 23));
    expect(parse('yyyyMMddHHmmss', '20170723010647')).toBe(JULY_23);
    expect(parse('yyyyMMddHHmmssSSS', '20170723010647123')).toBe(JULY_23 + 123);
    expect(parse('yyyyMMdd', '201707231')).toBeNull(); // the year takes 5 digits, leaving month 72
    expect(parse('yyyyMMdd', '2017072')).toBeNull();
  });

  it('day of week E, EEE, EEEE is parsed and must match the date', () => {
    expect(parse('E yyyy-MM-dd', 'Sun 2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse('EEE yyyy-MM-dd', 'sun 2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse('EEEE yyyy-MM-dd', 'Sunday 2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse('EEEE yyyy-MM-dd', 'Monday 2017-07-24')).toBe(utc(2017, 7, 24));
    expect(parse('EEE yyyy-MM-dd', 'Mon 2017-07-23')).toBeNull();
    expect(parse(SEED_PATTERN, 'Monday, 23-Jul-17 01:06:47 UTC')).toBeNull();
    expect(parse('EEEE yyyy-MM-dd', 'Sun 2017-07-23')).toBeNull();
    expect(parse('EEE yyyy-MM-dd', 'Sunday 2017-07-23')).toBeNull();
  });

  // Zones and offsets are read and checked, not applied: Flink keeps the local date-time fields.
  it('zone names z: UTC, GMT, UT, Z, common abbreviations, GMT+hh:mm', () => {
    const p = compileTimestampParser('yyyy-MM-dd HH:mm:ss z');
    const at = (zone: string) => p(`2017-07-23 01:06:47 ${zone}`);
    for (const zone of ['UTC', 'GMT', 'UT', 'Z', 'utc']) expect(at(zone), zone).toBe(JULY_23);
    const offsets: [string, number][] = [
      ['EST', -5],
      ['EDT', -4],
      ['CST', -6],
      ['CDT', -5],
      ['MST', -7],
      ['MDT', -6],
      ['PST', -8],
      ['PDT', -7],
      ['CET', 1],
      ['CEST', 2],
      ['BST', 1],
    ];
    for (const [zone] of offsets) expect(at(zone), zone).toBe(JULY_23);
    expect(at('GMT+01:00')).toBe(JULY_23);
    expect(at('UTC-5')).toBe(JULY_23);
    expect(at('Europe/Berlin')).toBeNull();
    expect(at('XYZ')).toBeNull();
    expect(at('')).toBeNull();
  });

  it('offsets Z (+0000), X XX XXX (Z allowed) and x xx xxx (digits only)', () => {
    const cases: [string, string, number | null][] = [
      ['Z', '+0000', 0],
      ['Z', '-0800', -8],
      ['Z', '+0130', 1.5],
      ['Z', 'Z', null],
      ['Z', '+01:00', null],
      ['ZZZZZ', '+01:00', 1],
      ['ZZZZZ', 'Z', 0],
      ['X', 'Z', 0],
      ['X', '+01', 1],
      ['X', '+0130', 1.5],
      ['XX', '+0130', 1.5],
      ['XX', '+01', null],
      ['XXX', '+01:30', 1.5],
      ['XXX', '-08:00', -8],
      ['XXX', 'Z', 0],
      ['XXX', '+0130', null],
      ['XXX', '+19:00', null],
      ['x', '+00', 0],
      ['x', 'Z', null],
      ['xx', '-0530', -5.5],
      ['xxx', '+05:30', 5.5],
      ['xxx', 'Z', null],
      ['XXXXX', '+01:00:30', 1 + 30 / 3600],
    ];
    for (const [letters, offset, hours] of cases) {
      const got = parse(`yyyy-MM-dd'T'HH:mm:ss${letters}`, `2017-07-23T01:06:47${offset}`);
      expect(got, `${letters} ${offset}`).toBe(hours === null ? null : JULY_23);
    }
  });

  it('zone ids VV: UTC ids and offsets; region ids are a parse failure', () => {
    const p = compileTimestampParser("yyyy-MM-dd'T'HH:mm:ss'['VV']'");
    expect(p('2017-07-23T01:06:47[UTC]')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47[Z]')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47[Etc/UTC]')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47[+02:00]')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47[UTC+01:00]')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47[Europe/Berlin]')).toBeNull();
  });

  it('a zone given twice must agree', () => {
    expect(parse('HH:mm XXX z', '01:00 +00:00 UTC')).toBe(HOUR);
    expect(parse('HH:mm XXX z', '01:00 +01:00 UTC')).toBeNull();
  });

  it("quoted literals, '' for a quote, and punctuation", () => {
    expect(parse("yyyy-MM-dd'T'HH:mm", '2017-07-23T01:06')).toBe(utc(2017, 7, 23, 1, 6));
    expect(parse("yyyy-MM-dd'T'HH:mm", '2017-07-23t01:06')).toBeNull();
    expect(parse("'day' d 'of' MMMM yyyy", 'day 23 of July 2017')).toBe(utc(2017, 7, 23));
    expect(parse("yyyy''MM", "2017'07")).toBe(utc(2017, 7, 1));
    expect(parse("'o''clock' HH", "o'clock 05")).toBe(5 * HOUR);
    expect(parse('yyyy/MM/dd, HH.mm', '2017/07/23, 01.06')).toBe(utc(2017, 7, 23, 1, 6));
  });

  it('missing fields default to 1970-01-01 00:00:00.000 UTC', () => {
    expect(parse('HH:mm', '01:06')).toBe(utc(1970, 1, 1, 1, 6));
    expect(parse('yyyy', '2017')).toBe(utc(2017, 1, 1));
    expect(parse('yyyy-MM', '2017-07')).toBe(utc(2017, 7, 1));
    expect(parse('MM-dd', '07-23')).toBe(utc(1970, 7, 23));
    expect(parse("'x'", 'x')).toBe(0);
  });

  it('a field given twice must agree', () => {
    expect(parse('yyyy-MM-dd yyyy', '2017-07-23 2017')).toBe(utc(2017, 7, 23));
    expect(parse('yyyy-MM-dd yyyy', '2017-07-23 2018')).toBeNull();
  });
});

describe('compileTimestampParser: optional sections', () => {
  it('parses with and without the optional parts, nested', () => {
    const p = compileTimestampParser('yyyy-MM-dd[ HH:mm[:ss[.SSS]]]');
    expect(p('2017-07-23')).toBe(utc(2017, 7, 23));
    expect(p('2017-07-23 01:06')).toBe(utc(2017, 7, 23, 1, 6));
    expect(p('2017-07-23 01:06:47')).toBe(JULY_23);
    expect(p('2017-07-23 01:06:47.123')).toBe(JULY_23 + 123);
    expect(p('2017-07-23 01')).toBeNull(); // the section fails, the rest is left over
    expect(p('2017-07-23 01:06:47.')).toBeNull();
  });

  it('alternative layouts in consecutive sections', () => {
    const p = compileTimestampParser("yyyy-MM-dd['T'HH:mm:ss][ HH:mm:ss][XXX]");
    expect(p('2017-07-23T01:06:47')).toBe(JULY_23);
    expect(p('2017-07-23 01:06:47')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47+01:00')).toBe(JULY_23);
    expect(p('2017-07-23T01:06:47Z')).toBe(JULY_23);
  });

  it('a section that does not match leaves no parsed fields behind', () => {
    // The first section reads dd = 20 from "2017" before failing at '.'; were it kept, it would
    // conflict with dd = 23 parsed later.
    expect(parse("[dd'.'MM'.']yyyy-MM-dd", '2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse("[dd'.'MM'.']yyyy-MM-dd", '23.07.2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parse("[dd'.'MM'.']yyyy-MM-dd", '22.07.2017-07-23')).toBeNull();
  });

  it('accepts an unclosed section to the end of the pattern, as Java does', () => {
    const p = compileTimestampParser('yyyy-MM-dd[ HH:mm');
    expect(p('2017-07-23')).toBe(utc(2017, 7, 23));
    expect(p('2017-07-23 01:06')).toBe(utc(2017, 7, 23, 1, 6));
  });
});

describe('compileTimestampParser: text that does not match is null', () => {
  it.each([
    '',
    'garbage',
    'Sunday, 23-Jul-17 01:06:47',
    'Sunday, 23-Jul-17 01:06:47 UTC ',
    ' Sunday, 23-Jul-17 01:06:47 UTC',
    'Sunday, 23-Jul-17 01:06:47 UTCX',
    'Sunday 23-Jul-17 01:06:47 UTC',
    'Sunday, 23-Jly-17 01:06:47 UTC',
    'Sunday, 23-Jul-2017 01:06:47 UTC',
    'Sunday, 23-Jul-17 1:06:47 UTC',
    'Sunday, 23-Jul-17 01:06:4x UTC',
    'Sunday, 32-Jul-17 01:06:47 UTC',
  ])('%j', (text) => {
    expect(parse(SEED_PATTERN, text)).toBeNull();
  });
});

describe('patterns that cannot be compiled throw, naming the letter and the pattern', () => {
  it.each([
    ['yyyy-QQ', "'Q'"],
    ['G yyyy', "'G'"],
    ['YYYY-MM-dd', "'Y'"],
    ['yyyy-MM-dd HH:mm:ss.nnn', "'n'"],
    ['yyyy-MM-ddTHH:mm', "'T'"],
    ['MMMMM', "'MMMMM'"],
    ['ddd', "'ddd'"],
    ['HHH', "'HHH'"],
    ['EEEEE', "'EEEEE'"],
    ['aa', "'aa'"],
    ['V', "'V'"],
    ['ZZZZ', "'ZZZZ'"],
    ['zzzz', "'zzzz'"],
    ['SSSSSSSSSS', "'SSSSSSSSSS'"],
  ])('%s', (pattern, named) => {
    const compile = () => compileTimestampParser(pattern);
    expect(compile).toThrow(TimestampPatternError);
    expect(compile).toThrow(named);
    expect(compile).toThrow(`'${pattern}'`);
    expect(() => compileTimestampFormatter(pattern)).toThrow(TimestampPatternError);
  });

  it('suggests quoting literal text', () => {
    expect(() => compileTimestampParser('yyyy-MM-ddTHH:mm')).toThrow("single quotes, e.g. 'T'");
  });

  it('rejects unbalanced quotes and brackets and reserved characters', () => {
    expect(() => compileTimestampParser("yyyy-MM-dd'T")).toThrow(/unterminated quote.*'yyyy-MM-dd'T'/);
    expect(() => compileTimestampParser('yyyy]')).toThrow("']' at position 5 closes no '['");
    expect(() => compileTimestampParser('yyyy#')).toThrow("reserved character '#'");
    expect(() => compileTimestampParser('yyyy{')).toThrow("reserved character '{'");
  });
});

describe('compileTimestampFormatter', () => {
  const t = Date.UTC(2017, 6, 23, 1, 6, 47, 89); // Sunday, day 204 of the year

  it.each([
    ['y', '2017'],
    ['yy', '17'],
    ['yyyy', '2017'],
    ['yyyyy', '02017'],
    ['u', '2017'],
    ['uuuu', '2017'],
    ['M', '7'],
    ['MM', '07'],
    ['MMM', 'Jul'],
    ['MMMM', 'July'],
    ['d', '23'],
    ['dd', '23'],
    ['D', '204'],
    ['DD', '204'],
    ['DDD', '204'],
    ['H', '1'],
    ['HH', '01'],
    ['h', '1'],
    ['hh', '01'],
    ['k', '1'],
    ['kk', '01'],
    ['K', '1'],
    ['a', 'AM'],
    ['m', '6'],
    ['mm', '06'],
    ['s', '47'],
    ['ss', '47'],
    ['S', '0'],
    ['SS', '08'],
    ['SSS', '089'],
    ['SSSSSS', '089000'],
    ['SSSSSSSSS', '089000000'],
    ['E', 'Sun'],
    ['EEE', 'Sun'],
    ['EEEE', 'Sunday'],
    ['z', 'UTC'],
    ['VV', 'UTC'],
    ['Z', '+0000'],
    ['ZZZZZ', 'Z'],
    ['X', 'Z'],
    ['XX', 'Z'],
    ['XXX', 'Z'],
    ['x', '+00'],
    ['xx', '+0000'],
    ['xxx', '+00:00'],
    ["'T'", 'T'],
    ["''", "'"],
    ["'o''clock'", "o'clock"],
    ['[yyyy]', '2017'],
  ])('%s -> %s', (pattern, expected) => {
    expect(compileTimestampFormatter(pattern)(t)).toBe(expected);
  });

  it('formats the seed layout and ISO layouts', () => {
    expect(compileTimestampFormatter(SEED_PATTERN)(JULY_23)).toBe('Sunday, 23-Jul-17 01:06:47 UTC');
    expect(compileTimestampFormatter("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")(JULY_23 + 5)).toBe(
      '2017-07-23T01:06:47.005Z',
    );
    expect(compileTimestampFormatter('yyyy-MM-dd HH:mm:ss')(-1)).toBe('1969-12-31 23:59:59');
    expect(compileTimestampFormatter('EEEE yyyy-MM-dd HH:mm:ss.SSS')(-1)).toBe(
      'Wednesday 1969-12-31 23:59:59.999',
    );
  });

  it('12-hour clocks at midnight and noon', () => {
    const f = compileTimestampFormatter('h K k a');
    expect(f(utc(2017, 7, 23, 0))).toBe('12 0 24 AM');
    expect(f(utc(2017, 7, 23, 12))).toBe('12 0 12 PM');
    expect(f(utc(2017, 7, 23, 23))).toBe('11 11 23 PM');
  });

  it('years that need a sign or an era', () => {
    expect(compileTimestampFormatter('yyyy-MM-dd')(utc(10000, 1, 1))).toBe('+10000-01-01');
    expect(compileTimestampFormatter('uuuu-MM-dd')(utc(-1, 3, 1))).toBe('-0001-03-01');
    expect(compileTimestampFormatter('yyyy')(utc(-1, 3, 1))).toBe('0002'); // 2 BC
    expect(compileTimestampFormatter('yyyy')(utc(10, 3, 1))).toBe('0010');
  });

  it('round-trips: parse(format(ms)) gives back ms', () => {
    const rnd = prng(42);
    const patterns: [string, number, number, number][] = [
      // pattern, earliest, latest, resolution in ms
      ["yyyy-MM-dd'T'HH:mm:ss.SSSXXX", utc(1600, 1, 1), utc(2400, 1, 1), 1],
      ['uuuu-MM-dd HH:mm:ss.SSSSSS', utc(1, 1, 1), utc(9999, 12, 31), 1],
      [SEED_PATTERN, utc(2000, 1, 1), utc(2100, 1, 1) - 1000, 1000],
      ['EEE, d MMM yyyy hh:mm:ss a Z', utc(1900, 1, 1), utc(2100, 1, 1), 1000],
      ['yyyyMMddHHmmssSSS', utc(1000, 1, 1), utc(9999, 1, 1), 1],
      ['yyyy-DDD kk:mm:ss.SS z', utc(1800, 1, 1), utc(2200, 1, 1), 10],
      ['d MMMM u K:m:s.S a VV', utc(1, 1, 1), utc(3000, 1, 1), 100],
    ];
    for (const [pattern, from, to, resolution] of patterns) {
      const format = compileTimestampFormatter(pattern);
      const parseIt = compileTimestampParser(pattern);
      for (let i = 0; i < 500; i++) {
        const ms = Math.floor((from + rnd() * (to - from)) / resolution) * resolution;
        const text = format(ms);
        expect(parseIt(text), `${pattern}: ${text}`).toBe(ms);
      }
    }
  });
});

describe('compileTimestampParser: prefix cache', () => {
  it('covers the fixed date/hour/minute prefix of a pattern, and nothing it cannot', () => {
    expect(cachedPrefixOfPattern(SEED_PATTERN)).toBe('EEEE, dd-MMM-yy HH:mm:');
    expect(cachedPrefixOfPattern('yyyy-MM-dd HH:mm:ss.SSS')).toBe('yyyy-MM-dd HH:mm:');
    expect(cachedPrefixOfPattern('d/M/yyyy H:m:s')).toBe('d/M/yyyy H:m:');
    expect(cachedPrefixOfPattern('yyyy-MM-dd')).toBe('yyyy-MM-dd');
    // the variable-width year runs into the next digits: no safe prefix
    expect(cachedPrefixOfPattern('yyyyMMddHHmmss')).toBeNull();
    // a variable-width field at the end of the prefix could read further digits
    expect(cachedPrefixOfPattern('yyyy-MM-dd H')).toBe('yyyy-MM-dd ');
    expect(cachedPrefixOfPattern('ss')).toBeNull();
    expect(cachedPrefixOfPattern('[yyyy-]MM')).toBeNull();
  });

  it('a variable-width field at the end of the prefix is read again when its width changes', () => {
    const p = compileTimestampParser('yyyy-M-d H:m:s');
    expect(p('2017-7-23 1:5:07')).toBe(utc(2017, 7, 23, 1, 5, 7));
    expect(p('2017-7-23 1:55:07')).toBe(utc(2017, 7, 23, 1, 55, 7));
    expect(p('2017-7-23 1:5:08')).toBe(utc(2017, 7, 23, 1, 5, 8));
    expect(p('2017-7-2 1:5:08')).toBe(utc(2017, 7, 2, 1, 5, 8));
    expect(p('2017-7-23 11:5:08')).toBe(utc(2017, 7, 23, 11, 5, 8));
    // m runs straight into ss, so it cannot end a cached prefix
    const q = compileTimestampParser('yyyy-MM-dd HH:mss');
    expect(q('2017-07-23 01:507')).toBe(utc(2017, 7, 23, 1, 5, 7));
    expect(q('2017-07-23 01:5507')).toBe(utc(2017, 7, 23, 1, 55, 7));
  });

  it('gives exactly the uncached results over varied input, including prefix changes and bad text', () => {
    const rnd = prng(7);
    const patterns = [
      SEED_PATTERN,
      'yyyy-MM-dd HH:mm:ss.SSS',
      'd/M/yyyy H:m:s',
      'dd MMMM yyyy hh:mm:ss a',
      "yyyy-MM-dd'T'HH:mm:ssXXX",
      'EEE yyyy-DDD HH:mm:ss z',
    ];
    const mutate = (text: string): string => {
      const i = Math.floor(rnd() * text.length);
      switch (Math.floor(rnd() * 4)) {
        case 0:
          return text.slice(0, i) + String.fromCharCode(48 + Math.floor(rnd() * 10)) + text.slice(i + 1);
        case 1:
          return text.slice(0, i);
        case 2:
          return text.slice(0, i) + text.slice(i + 1);
        default:
          return text.slice(0, i) + 'x' + text.slice(i);
      }
    };
    for (const pattern of patterns) {
      const stats = { prefixHits: 0 };
      const cached = compileTimestampParser(pattern, { stats });
      const uncached = compileTimestampParser(pattern, { prefixCache: false });
      const format = compileTimestampFormatter(pattern);
      const exact = pattern.includes('SSS') ? 1 : 1000;
      let ms = utc(2017, 7, 23, 1, 6, 47);
      for (let i = 0; i < 5000; i++) {
        const r = rnd();
        if (r < 0.01)
          ms += Math.floor(rnd() * 4e11) - 2e11; // jump years back or forward
        else if (r < 0.05)
          ms += Math.floor(rnd() * 2 * 86_400_000) - 86_400_000; // another day
        else ms += Math.floor(rnd() * 5000); // the usual: a few seconds later
        if (ms < utc(2000, 1, 1) || ms >= utc(2100, 1, 1)) ms = utc(2017, 7, 23); // yy covers 2000-2099
        const value = Math.floor(ms / exact) * exact;
        let text = format(value);
        if (rnd() < 0.2) text = mutate(text);
        const expected = uncached(text);
        expect(cached(text), `${pattern}: ${text}`).toBe(expected);
        if (text === format(value)) expect(expected, `${pattern}: ${text}`).toBe(value);
      }
      expect(stats.prefixHits, pattern).toBeGreaterThan(2500);
    }
  });

  it('a prefix that parsed but failed later does not poison the next record', () => {
    const p = compileTimestampParser('yyyy-MM-dd HH:mm:ss');
    expect(p('2017-07-23 24:06:47')).toBeNull(); // prefix cached, resolves to an impossible time
    expect(p('2017-07-23 24:06:48')).toBeNull();
    expect(p('2017-02-30 01:06:48')).toBe(utc(2017, 2, 28, 1, 6, 48)); // SMART: the month's last day
    expect(p('2017-07-23 01:06:4')).toBeNull();
    expect(p('2017-07-23 01:06:47')).toBe(JULY_23);
    expect(p('2017-07-23 01:06')).toBeNull(); // shorter than the cached prefix
    expect(p('2017-07-23 01:06:47')).toBe(JULY_23);
  });
});

describe('parseSqlTimestamp', () => {
  it('accepts Flink SQL layouts', () => {
    expect(parseSqlTimestamp('2017-07-23 01:06:47')).toBe(JULY_23);
    expect(parseSqlTimestamp('2017-07-23T01:06:47')).toBe(JULY_23);
    expect(parseSqlTimestamp('2017-07-23')).toBe(utc(2017, 7, 23));
    expect(parseSqlTimestamp('2017-7-3 1:6:7')).toBe(utc(2017, 7, 3, 1, 6, 7));
    expect(parseSqlTimestamp('  2017-07-23 01:06:47 ')).toBe(JULY_23);
    expect(parseSqlTimestamp('0001-01-01 00:00:00')).toBe(utc(1, 1, 1));
    expect(parseSqlTimestamp('9999-12-31 23:59:59.999')).toBe(utc(9999, 12, 31, 23, 59, 59, 999));
  });

  it('reads 1 to 9 fraction digits, keeping the milliseconds', () => {
    const digits = '123456789';
    const expected = [100, 120, 123, 123, 123, 123, 123, 123, 123];
    for (let n = 1; n <= 9; n++) {
      expect(parseSqlTimestamp(`2017-07-23 01:06:47.${digits.slice(0, n)}`), `${n} digits`).toBe(
        JULY_23 + expected[n - 1]!,
      );
    }
    expect(parseSqlTimestamp('2017-07-23 01:06:47.1234567890')).toBeNull();
    expect(parseSqlTimestamp('2017-07-23 01:06:47.')).toBeNull();
    expect(parseSqlTimestamp('2017-07-23 01:06:47.12a')).toBeNull();
  });

  it('handles leap days and times before 1970', () => {
    expect(parseSqlTimestamp('2020-02-29 00:00:00')).toBe(utc(2020, 2, 29));
    expect(parseSqlTimestamp('2000-02-29')).toBe(utc(2000, 2, 29));
    expect(parseSqlTimestamp('2019-02-29')).toBeNull();
    expect(parseSqlTimestamp('1900-02-29')).toBeNull();
    expect(parseSqlTimestamp('1969-12-31 23:59:59.999')).toBe(-1);
    expect(parseSqlTimestamp('1900-01-01 00:00:00')).toBe(utc(1900, 1, 1));
    expect(parseSqlTimestamp('1601-03-01 12:00:00.5')).toBe(utc(1601, 3, 1, 12, 0, 0, 500));
  });

  it.each([
    '',
    '   ',
    'abc',
    '2017-07-23 01:06',
    '2017-07-23 01:06:47Z',
    '2017-07-23x',
    '2017-07-23 T',
    '17-07-23',
    '2017/07/23',
    '2017-13-01',
    '2017-00-10',
    '2017-04-31',
    '2017-07-00',
    '2017-07-23 24:00:00',
    '2017-07-23 23:60:00',
    '2017-07-23 23:59:60',
    '2017-07-23  01:06:47',
    '2017-007-23',
    '2017-07-23 001:06:47',
    '+2017-07-23',
  ])('null for %j', (text) => {
    expect(parseSqlTimestamp(text)).toBeNull();
  });
});

describe('parseIsoTimestamp', () => {
  it('accepts ISO-8601 with Z, offsets, or no zone (UTC)', () => {
    expect(parseIsoTimestamp('2017-07-23T01:06:47Z')).toBe(JULY_23);
    expect(parseIsoTimestamp('2017-07-23T01:06:47.123Z')).toBe(JULY_23 + 123);
    expect(parseIsoTimestamp('2017-07-23T01:06:47.123456789Z')).toBe(JULY_23 + 123);
    expect(parseIsoTimestamp('2017-07-23T01:06:47.1Z')).toBe(JULY_23 + 100);
    expect(parseIsoTimestamp('2017-07-23T01:06:47')).toBe(JULY_23);
    expect(parseIsoTimestamp('2017-07-23T01:06:47+02:00')).toBe(JULY_23 - 2 * HOUR);
    expect(parseIsoTimestamp('2017-07-23T01:06:47-05:30')).toBe(JULY_23 + 5.5 * HOUR);
    expect(parseIsoTimestamp('2017-07-23T01:06:47+0200')).toBe(JULY_23 - 2 * HOUR);
    expect(parseIsoTimestamp('2017-07-23T01:06:47+02')).toBe(JULY_23 - 2 * HOUR);
    expect(parseIsoTimestamp('2017-07-23t01:06:47z')).toBe(JULY_23);
    expect(parseIsoTimestamp('2017-07-23T01:06Z')).toBe(utc(2017, 7, 23, 1, 6));
    expect(parseIsoTimestamp('2020-02-29T00:00:00Z')).toBe(utc(2020, 2, 29));
    expect(parseIsoTimestamp('1960-01-01T00:00:00-01:00')).toBe(utc(1960, 1, 1, 1));
    expect(parseIsoTimestamp('1969-12-31T23:59:59.999Z')).toBe(-1);
  });

  it.each([
    '',
    '2017-07-23',
    '2017-07-23 01:06:47Z',
    '2017-07-23T1:06:47Z',
    '2017-7-23T01:06:47Z',
    '2017-07-23T25:00:00Z',
    '2017-07-23T01:06:47+19:00',
    '2017-07-23T01:06:47+02:0',
    '2017-07-23T01:06:47+2:00',
    '2017-07-23T01:06:47Zjunk',
    '2019-02-29T00:00:00Z',
    '2017-07-23T01:06:47.Z',
    '2017-07-23T01:06:47.1234567890Z',
    '2017-07-23T01:06:47 Z',
    '2017-07-23T01:06:',
    '2017-07-23T01',
  ])('null for %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeNull();
  });
});

describe('calendar arithmetic', () => {
  it('epochDayFromCivil and civilFromEpochDay agree with Date over many centuries', () => {
    const out = [0, 0, 0];
    for (let day = epochDayFromCivil(-400, 1, 1); day <= epochDayFromCivil(2800, 12, 31); day += 37) {
      const d = new Date(day * 86_400_000);
      civilFromEpochDay(day, out);
      expect(out).toEqual([d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()]);
      expect(epochDayFromCivil(out[0]!, out[1]!, out[2]!)).toBe(day);
    }
  });
});
