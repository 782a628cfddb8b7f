// Turning one field of a record (CSV text, or a JSON value) into a row value of a column's type,
// shared by the csv and json formats so both accept the same number, boolean and timestamp texts.
//
// Converters are compiled once per column and return the value, or one of two failure markers
// (symbols, so the hot path allocates nothing to say "no"); the message is built only on failure.

import { SqlError } from '../errors.js';
import { type SqlType, typeToString, withNullable } from '../types.js';
import { parseDecimal } from '../values.js';
import { parseLong } from '../int64.js';
import { parseDate, parseTime, truncateTime } from '../time/date-time.js';

/** The text is not a value of the column's type. */
export const NOT_A_VALUE: unique symbol = Symbol('not a value');
/** The text is a number, but too large (or too precise) for the column's type. */
export const OUT_OF_RANGE: unique symbol = Symbol('out of range');
export type ConvertFailure = typeof NOT_A_VALUE | typeof OUT_OF_RANGE;

/** Text -> row value, or a failure marker. Never returns null (empty / null-literal fields are the format's call). */
export type TextConverter = (text: string) => unknown;

/** `(text) => epoch ms | null`, e.g. parseSqlTimestamp. */
export type TimestampParser = (text: string) => number | null;

const INTEGRAL_RANGE: Record<string, readonly [number, number]> = {
  TINYINT: [-128, 127],
  SMALLINT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  // The part of BIGINT's range held as JS numbers (engine/types.ts); beyond it, see longConverter.
  BIGINT: [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

const RANGE_TEXT: Record<string, string> = {
  TINYINT: '-128 to 127',
  SMALLINT: '-32768 to 32767',
  INT: '-2147483648 to 2147483647',
  BIGINT: '-9223372036854775808 to 9223372036854775807',
};

/**
 * The values of an integral type that are plain JS numbers: the whole range, except for BIGINT
 * (the safe integers). Text outside it may still be a BIGINT: the converter decides.
 */
export function integralRange(type: SqlType): readonly [number, number] {
  return INTEGRAL_RANGE[type.name]!;
}

/** BIGINT text: a number within the safe range, a bigint up to 64 bits, OUT_OF_RANGE beyond. */
function longConverter(): TextConverter {
  const [min, max] = INTEGRAL_RANGE.BIGINT!;
  return (text) => {
    const v = parseIntegerText(text, min, max);
    if (v !== OUT_OF_RANGE) return v;
    return parseLong(text.trim()) ?? OUT_OF_RANGE;
  };
}

/** Integer text with optional sign, surrounding whitespace allowed (Flink trims too). */
export function parseIntegerText(text: string, min: number, max: number): number | ConvertFailure {
  let i = 0;
  let end = text.length;
  while (i < end && text.charCodeAt(i) <= 32) i++;
  while (end > i && text.charCodeAt(end - 1) <= 32) end--;
  let negative = false;
  const first = text.charCodeAt(i);
  if (first === 45 /* - */) {
    negative = true;
    i++;
  } else if (first === 43 /* + */) {
    i++;
  }
  if (i >= end) return NOT_A_VALUE;
  let v = 0;
  for (; i < end; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NOT_A_VALUE;
    v = v * 10 + d;
  }
  if (negative) v = 0 - v;
  return v < min || v > max ? OUT_OF_RANGE : v;
}

/** Decimal / scientific number text, NaN and Infinity (as Java's Double.parseDouble reads them). */
export function parseDoubleText(text: string): number | ConvertFailure {
  const t = text.trim();
  if (t === '') return NOT_A_VALUE;
  const n = Number(t);
  if (Number.isNaN(n)) return t === 'NaN' ? NaN : NOT_A_VALUE;
  // Number() also reads 0x.., 0b.., 0o.. literals, which are not numbers in a record.
  if (t.length > 2 && t.charCodeAt(0) === 48) {
    const c = t.charCodeAt(1) | 32;
    if (c === 120 || c === 98 || c === 111) return NOT_A_VALUE;
  }
  return n;
}

export function parseBooleanText(text: string): boolean | ConvertFailure {
  if (text === 'true') return true;
  if (text === 'false') return false;
  const t = text.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : NOT_A_VALUE;
}

/** Decimal text into an unscaled bigint at the column's scale, rejecting values over its precision. */
export function decimalConverter(type: SqlType): TextConverter {
  const scale = type.scale ?? 0;
  const limit = 10n ** BigInt(type.precision ?? 10);
  return (text) => {
    const v = parseDecimal(text, scale);
    if (v === null) return NOT_A_VALUE;
    return v >= limit || -v >= limit ? OUT_OF_RANGE : v;
  };
}

/** Timestamp text with `parse`, cut to the column's fractional precision when it is below ms. */
export function timestampConverter(type: SqlType, parse: TimestampParser): TextConverter {
  const precision = type.precision ?? 3;
  if (precision >= 3) {
    return (text) => {
      const ms = parse(text);
      return ms === null ? NOT_A_VALUE : ms;
    };
  }
  const unit = 10 ** (3 - precision);
  return (text) => {
    const ms = parse(text);
    return ms === null ? NOT_A_VALUE : Math.floor(ms / unit) * unit;
  };
}

/** DATE text as Flink's formats read it (java.sql.Date.valueOf): `yyyy-[m]m-[d]d`, a day that exists. */
function dateConverter(text: string): number | ConvertFailure {
  const t = text.trim();
  if (!DATE_TEXT.test(t)) return NOT_A_VALUE;
  return parseDate(t) ?? NOT_A_VALUE;
}
const DATE_TEXT = /^\d{4}-\d{1,2}-\d{1,2}$/;

/** TIME text (`HH:mm:ss`, an optional fraction), cut to the column's precision. */
function timeConverter(type: SqlType): TextConverter {
  const precision = type.precision ?? 0;
  return (text) => {
    const t = text.trim();
    if (!TIME_TEXT.test(t)) return NOT_A_VALUE;
    const ms = parseTime(t);
    return ms === null ? NOT_A_VALUE : truncateTime(ms, precision);
  };
}
const TIME_TEXT = /^\d{1,2}:\d{1,2}:\d{1,2}(\.\d{1,9})?$/;

/** The converter of one column's text. `format` names the format in errors about unsupported types. */
export function textConverter(
  type: SqlType,
  parseTimestamp: TimestampParser,
  format: string,
  column: string,
): TextConverter {
  switch (type.name) {
    case 'STRING':
      return (text) => text;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const [min, max] = integralRange(type);
      return (text) => parseIntegerText(text, min, max);
    }
    case 'BIGINT':
      return longConverter();
    case 'FLOAT':
    case 'DOUBLE':
      return parseDoubleText;
    case 'DECIMAL':
      return decimalConverter(type);
    case 'BOOLEAN':
      return parseBooleanText;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return timestampConverter(type, parseTimestamp);
    case 'DATE':
      return dateConverter;
    case 'TIME':
      return timeConverter(type);
    default:
      throw new SqlError(
        undefined,
        `format '${format}' cannot read column '${column}' of type ${type.name}`,
        `declare it as STRING, BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DATE, TIME, TIMESTAMP(3) or TIMESTAMP_LTZ(3)`,
      );
  }
}

/** How a column's type is named in record errors: "BIGINT", "DECIMAL(10, 2)", "TIMESTAMP(3)". */
export function typeLabel(type: SqlType): string {
  return typeToString(withNullable(type, true));
}

/**
 * Why a value did not convert, after the field's name: "'abc' is not a BIGINT". `shown` is the value
 * as the user wrote it (quoted text, or JSON); `timestampLayout` describes the expected layout.
 */
export function conversionProblem(
  shown: string,
  failure: ConvertFailure,
  type: SqlType,
  timestampLayout?: string,
): string {
  const label = typeLabel(type);
  if (failure === OUT_OF_RANGE) {
    if (type.name === 'DECIMAL')
      return `${shown} does not fit ${label} (at most ${(type.precision ?? 10) - (type.scale ?? 0)} digits before the point)`;
    return `${shown} is out of range for ${label} (${RANGE_TEXT[type.name]})`;
  }
  if ((type.name === 'TIMESTAMP' || type.name === 'TIMESTAMP_LTZ') && timestampLayout) {
    return `${shown} is not ${article(label)} ${label} in the ${timestampLayout}`;
  }
  return `${shown} is not ${article(label)} ${label}`;
}

function article(word: string): string {
  return /^[AEIOU]/.test(word) ? 'an' : 'a';
}

/** A field's text for messages: quoted, and cut when long. */
export function showText(text: string): string {
  return `'${text.length > 60 ? text.slice(0, 60) + '…' : text}'`;
}

/** Whether a line holds only whitespace (blank lines are skipped, not errors). Cheap when it starts with a visible character. */
export function isBlankLine(line: string): boolean {
  if (line.length === 0) return true;
  if (line.charCodeAt(0) > 32) return false;
  return line.trim().length === 0;
}
