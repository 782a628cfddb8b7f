// The issue-15 built-ins: Java regex patterns translated to JS (engine/exec/java-regex.ts), where the
// two engines read the same text differently, must give Java's answer or be refused; the string,
// time and JSON helpers on the edge cases their conformance data cannot reach.
import { describe, expect, it } from 'vitest';
import { compileJavaRegex, JavaRegexError } from '../../engine/exec/java-regex.js';
import {
  position,
  splitIndex,
  lpad,
  rpad,
  initcap,
  concatWs,
  replace,
} from '../../engine/exec/functions-string.js';
import { timestampAdd, timestampDiff, extractField } from '../../engine/exec/functions-time.js';
import {
  compileJsonPath,
  JsonPathError,
  makeJsonExists,
  makeJsonQuery,
  makeJsonValue,
} from '../../engine/exec/functions-json.js';

const finds = (pattern: string, s: string): boolean => compileJavaRegex(pattern).test(s);

describe('Java regex semantics', () => {
  it('. does not match any Java line terminator (JS . matches \\u0085)', () => {
    expect(finds('^a.b$', 'a\u0085b')).toBe(false);
    expect(finds('^a.b$', 'a-b')).toBe(true);
    expect(finds('^.$', '😀')).toBe(true); // one code point
  });
  it('$ and \\Z also match before one final line terminator; \\z only at the end', () => {
    expect(finds('abc$', 'abc\n')).toBe(true);
    expect(finds('abc$', 'abc\r\n')).toBe(true);
    expect(finds('abc$', 'abc\n\n')).toBe(false);
    expect(finds('abc\\Z', 'abc\n')).toBe(true);
    expect(finds('abc\\z', 'abc\n')).toBe(false);
    expect(finds('\\Aabc', 'abc')).toBe(true);
  });
  it('\\s is ASCII whitespace only', () => {
    expect(finds('\\s', '\u00a0')).toBe(false);
    expect(finds('\\s', '\u2003')).toBe(false);
    expect(finds('[\\s]', '\t')).toBe(true);
    expect(finds('\\S', '\u2003')).toBe(true);
  });
  it('\\b sees letters of every script as word characters (Java 17)', () => {
    expect(finds('\\bn', 'Ün')).toBe(false);
    expect(finds('café\\b', 'café!')).toBe(true);
    expect(finds('\\Bn', 'Ün')).toBe(true);
  });
  it('POSIX classes are ASCII; Unicode categories stay Unicode', () => {
    expect(finds('^\\p{Alpha}+$', 'abc')).toBe(true);
    expect(finds('^\\p{Alpha}+$', 'é')).toBe(false);
    expect(finds('^\\p{L}+$', 'é')).toBe(true);
    expect(finds('^\\P{Digit}$', 'x')).toBe(true);
    expect(finds('^[\\p{Upper}_]+$', 'A_B')).toBe(true);
  });
  it('\\Q...\\E, octal, \\x{...}, \\a and \\e escapes', () => {
    expect(finds('^\\Qa.b*\\E$', 'a.b*')).toBe(true);
    expect(finds('^\\Qa.b*\\E$', 'aXb')).toBe(false);
    expect(finds('^\\0101$', 'A')).toBe(true);
    expect(finds('^\\x{1F600}$', '😀')).toBe(true);
    expect(finds('\\e', '\u001b')).toBe(true);
    expect(finds('^\\-\\]\\}$', '-]}')).toBe(true);
  });
  it('a ] or } outside a class is literal, as in Java', () => {
    expect(finds('^a]}$', 'a]}')).toBe(true);
  });
  it('refuses what JS cannot run the same way', () => {
    for (const p of [
      '(?i)abc',
      '(?>a+)',
      'a*+',
      'a{2}+',
      '[a[b]]',
      '[a-z&&[^e]]',
      '\\h',
      '\\v',
      '\\R',
      '\\X',
      '\\G',
      '\\cA',
      '[\\S]',
      '\\p{InGreek}',
      '\\p{javaLowerCase}',
      '[]a]',
    ]) {
      expect(() => compileJavaRegex(p), p).toThrow(JavaRegexError);
    }
  });
  it('reports invalid patterns as JavaRegexError', () => {
    for (const p of ['(a', 'a{', '[a', 'a\\', '\\x4', '\\u12'])
      expect(() => compileJavaRegex(p), p).toThrow(JavaRegexError);
  });
});

describe('string helpers as Flink evaluates them', () => {
  it('POSITION counts code points', () => {
    expect(position('smile', '😀 smile')).toBe(3);
    expect(position('', 'abc')).toBe(1);
    expect(position('z', 'abc')).toBe(0);
  });
  it('SPLIT_INDEX keeps empty pieces; an empty text has none; an empty separator splits on whitespace', () => {
    expect(splitIndex('ab,,cd,', ',', 1)).toBe('');
    expect(splitIndex('ab,,cd,', ',', 3)).toBe('');
    expect(splitIndex('ab,,cd,', ',', 4)).toBe(null);
    expect(splitIndex('', ',', 0)).toBe(null);
    expect(splitIndex('a b\tc', '', 2)).toBe('c');
    expect(splitIndex('abc', ',', -1)).toBe(null);
  });
  it('LPAD / RPAD cut or pad to n units; n < 0 or an empty pad is null', () => {
    expect(lpad('7', 3, '0')).toBe('007');
    expect(lpad('12345', 3, '0')).toBe('123');
    expect(rpad('ab', 7, 'xyz')).toBe('abxyzxy');
    expect(lpad('a', -1, 'x')).toBe(null);
    expect(rpad('a', 3, '')).toBe(null);
  });
  it('INITCAP, CONCAT_WS and REPLACE', () => {
    expect(initcap('hello wORLD-foo_bar 9lives éclair')).toBe('Hello World-Foo_Bar 9lives éClair');
    expect(concatWs('-', 'a', null, 'b')).toBe('a-b');
    expect(concatWs(null, 'a')).toBe(null);
    expect(replace('a.b.c', '.', '$&')).toBe('a$&b$&c');
    expect(replace('abc', '', '-')).toBe('-a-b-c-');
  });
});

describe('time helpers', () => {
  const ms = (iso: string): number => Date.parse(`${iso}Z`);
  it('TIMESTAMPADD in months clamps to the last day of the month', () => {
    expect(timestampAdd('MONTH')(1, ms('2017-01-31T10:00:00'))).toBe(ms('2017-02-28T10:00:00'));
    expect(timestampAdd('YEAR')(-1, ms('2020-02-29T23:59:59'))).toBe(ms('2019-02-28T23:59:59'));
    expect(timestampAdd('QUARTER')(1, ms('2016-12-31T23:59:59'))).toBe(ms('2017-03-31T23:59:59'));
  });
  it('TIMESTAMPDIFF in months counts a month once its day and time are reached, in both directions', () => {
    expect(timestampDiff('MONTH')(ms('2017-01-31T12:00:00'), ms('2016-12-31T23:59:59'))).toBe(-1);
    expect(timestampDiff('MONTH')(ms('2017-12-31T18:45:30'), ms('2017-03-31T12:00:00'))).toBe(-10);
    // Jan 31 + 1 month is Feb 28 (clamped): a whole month.
    expect(timestampDiff('MONTH')(ms('2017-01-31T12:00:00'), ms('2017-02-28T12:00:00'))).toBe(1);
    expect(timestampDiff('MONTH')(ms('2017-01-31T12:00:00'), ms('2017-02-28T11:59:59'))).toBe(0);
    expect(timestampDiff('DAY')(ms('2017-01-01T00:00:00'), ms('2016-12-31T23:59:59'))).toBe(0);
  });
  it('EXTRACT: ISO weeks, Sunday = 1', () => {
    expect(extractField('WEEK')(ms('2021-01-03T10:00:00'))).toBe(53);
    expect(extractField('DOW')(ms('2017-07-23T00:55:00'))).toBe(1);
    expect(extractField('DOY')(ms('2016-12-31T23:59:59'))).toBe(366);
  });
});

describe('JSON functions as Flink (Jackson + Jayway, strict paths)', () => {
  it('JSON_VALUE: scalars as Jackson reads them, NULL for null, objects, arrays, errors', () => {
    expect(makeJsonValue('$.x')('{"x": 1e2}')).toBe('100.0');
    expect(makeJsonValue('$.x')('{"x": -0}')).toBe('0');
    expect(makeJsonValue('$.x')('{"x": 12345678901234567890123}')).toBe('12345678901234567890123');
    expect(makeJsonValue('$.x')('{"x": null}')).toBe(null);
    expect(makeJsonValue('$.x')('{"x": [1]}')).toBe(null);
    expect(makeJsonValue('$.x[1]')('{"x": [1, "b"]}')).toBe('b');
    expect(makeJsonValue('$.x')('{"x": 1} trailing')).toBe('1');
    expect(makeJsonValue('$.x')('{"x": 01}')).toBe(null);
    expect(makeJsonValue('$.x')('')).toBe(null);
    expect(makeJsonValue("$['a b']")('{"a b": true}')).toBe('true');
  });
  it('JSON_EXISTS: FALSE for JSON null, a missing member, an index out of range, bad text', () => {
    expect(makeJsonExists('$.a')('{"a": 0}')).toBe(true);
    expect(makeJsonExists('$.a')('{"a": null}')).toBe(false);
    expect(makeJsonExists('$.a[2]')('{"a": [1]}')).toBe(false);
    expect(makeJsonExists('$')('nope')).toBe(false);
  });
  it('JSON_QUERY: compact Jackson text, repeated keys keep the first place and the last value', () => {
    expect(makeJsonQuery('$')('{"k": 1, "e": {}, "k": [2.50, "a\\u0001"]}')).toBe(
      '{"k":[2.5,"a\\u0001"],"e":{}}',
    );
    expect(makeJsonQuery('$.k')('{"k": 1}')).toBe(null);
  });
  it('refuses paths outside the subset', () => {
    for (const p of ['$.a[*]', '$..a', '$.a[-1]', '$.a[0:2]', 'lax $.a', 'a', '$[?(@.a)]', '$.*'])
      expect(() => compileJsonPath(p), p).toThrow(JsonPathError);
  });
});
