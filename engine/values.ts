// Conversions between row values (see engine/types.ts) and text, shared by formats, functions and
// sinks, so that every place prints a DECIMAL or a TIMESTAMP the same way.

import type { SqlType } from './types.js';
import { formatDate, formatTime } from './time/date-time.js';
import { javaDoubleToString, javaFloatToString } from './java-double.js';

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Parses decimal text into an unscaled bigint at `scale`, rounding half up (as Flink does when a
 * value has more fractional digits than the type). Returns null when the text is not a number.
 */
export function parseDecimal(text: string, scale: number): bigint | null {
  const m = DECIMAL_RE.exec(text.trim());
  if (!m) return null;
  const [, sign, intPart = '', fracPartRaw = '', expRaw] = m;
  if (intPart === '' && fracPartRaw === '') return null;
  let digits = intPart + fracPartRaw;
  let fracLen = fracPartRaw.length - (expRaw ? Number(expRaw) : 0);
  if (fracLen < 0) {
    digits += '0'.repeat(-fracLen);
    fracLen = 0;
  }
  let unscaled = BigInt(digits === '' ? '0' : digits);
  if (fracLen > scale) {
    const div = 10n ** BigInt(fracLen - scale);
    const q = unscaled / div;
    const r = unscaled % div;
    unscaled = r * 2n >= div ? q + 1n : q;
  } else if (fracLen < scale) {
    unscaled *= 10n ** BigInt(scale - fracLen);
  }
  return sign === '-' ? -unscaled : unscaled;
}

/** An unscaled bigint at `scale` as plain decimal text: 1234n, 2 -> "12.34"; -5n, 2 -> "-0.05". */
export function formatDecimal(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const neg = unscaled < 0n;
  const s = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}

/** Changes the scale of an unscaled decimal, rounding half up when digits are dropped. */
export function rescaleDecimal(unscaled: bigint, from: number, to: number): bigint {
  if (from === to) return unscaled;
  if (to > from) return unscaled * 10n ** BigInt(to - from);
  const div = 10n ** BigInt(from - to);
  const q = unscaled / div;
  const r = unscaled % div;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice >= div) return unscaled < 0n ? q - 1n : q + 1n;
  return q;
}

export function decimalToNumber(unscaled: bigint, scale: number): number {
  return scale === 0 ? Number(unscaled) : Number(formatDecimal(unscaled, scale));
}

/** A double as DECIMAL at `scale` as Flink converts it: BigDecimal.valueOf (Java's Double.toString digits), HALF_UP. */
export function numberToDecimal(n: number, scale: number): bigint | null {
  if (!Number.isFinite(n)) return null;
  return parseDecimal(javaDoubleToString(n), scale);
}

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad3(n: number): string {
  return n < 10 ? '00' + n : n < 100 ? '0' + n : String(n);
}

/** Epoch ms as `yyyy-MM-dd HH:mm:ss.SSS` in UTC: how timestamps appear in CSV output and messages. */
export function formatTimestamp(ms: number, precision = 3): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const year = y >= 0 && y < 10000 ? String(y).padStart(4, '0') : String(y);
  // As Flink's DateTimeUtils.formatTimestamp: trailing zeros of the fraction are dropped down to the
  // type's precision (a TIMESTAMP(0) prints none, a TIMESTAMP(3) three), digits that are not zero stay.
  let fraction = pad3(d.getUTCMilliseconds()).padEnd(Math.max(3, precision), '0');
  while (fraction.length > precision && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return (
    `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}${fraction ? `.${fraction}` : ''}`
  );
}

/** Epoch ms as ISO-8601 with `Z` (`2017-07-23T01:06:47.000Z`): JSON output with the ISO-8601 standard. */
export function formatTimestampIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A DOUBLE as Flink prints it: Java 17's Double.toString (`1.0`, `0.5`, `1.0E10`, `4.9E-324`). */
export const formatDouble: (x: number) => string = javaDoubleToString;

/** A FLOAT as Flink prints it: Java 17's Float.toString. */
export const formatFloat: (x: number) => string = javaFloatToString;

/** A row value as text for CSV output and the print sink. null is returned as null (the caller decides). */
export function valueToText(v: unknown, type: SqlType): string | null {
  if (v === null || v === undefined) return null;
  switch (type.name) {
    case 'DECIMAL':
      return formatDecimal(v as bigint, type.scale ?? 0);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return formatTimestamp(v as number);
    case 'DATE':
      return formatDate(v as number);
    case 'TIME':
      return formatTime(v as number, type.precision ?? 0);
    case 'FLOAT':
      return formatFloat(v as number);
    case 'DOUBLE':
      return formatDouble(v as number);
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    default:
      return String(v);
  }
}
