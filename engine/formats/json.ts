// The 'json' format, with Flink's option names: one JSON object per record, fields by column name.
// Like Flink it is lenient about how scalars are written: "12" reads as a number column, 12 as a
// STRING column, a nested object as its JSON text in a STRING column.

import { OptionError } from '../errors.js';
import type { OptionBag } from '../options.js';
import { parseIsoTimestamp, parseSqlTimestamp } from '../time/sql-timestamp.js';
import type { Row, SqlType } from '../types.js';
import {
  formatDecimal,
  formatDouble,
  formatFloat,
  formatTimestamp,
  formatTimestampIso,
  valueToText,
} from '../values.js';
import type { DecodedColumn, FormatDefinition, RecordDecoder, RecordEncoder } from './api.js';
import {
  NOT_A_VALUE,
  OUT_OF_RANGE,
  conversionProblem,
  decimalConverter,
  integralRange,
  isBlankLine,
  showText,
  textConverter,
  type ConvertFailure,
  type TextConverter,
} from './field-values.js';
import { SKIP_RECORD, textBytes, utf8 } from './api.js';

export type TimestampStandard = 'SQL' | 'ISO-8601';

export interface JsonOptions {
  readonly failOnMissingField: boolean;
  readonly ignoreParseErrors: boolean;
  readonly timestampStandard: TimestampStandard;
}

/**
 * Reads every json.* option (or `<prefix>.*`: debezium-json has the same ones), so that sources
 * and sinks both leave none for bag.finish() to reject.
 */
export function readJsonOptions(bag: OptionBag, prefix = 'json'): JsonOptions {
  const failOnMissingField = prefix === 'json' ? bag.bool('json.fail-on-missing-field', false) : false;
  const ignoreParseErrors = bag.bool(`${prefix}.ignore-parse-errors`, false);
  const timestampStandard = bag.oneOf(
    `${prefix}.timestamp-format.standard`,
    ['SQL', 'ISO-8601'] as const,
    'SQL',
  );
  // Only matter for MAP columns / Flink's encoder; DECIMAL is always written as a plain number here.
  bag.optionalString(`${prefix}.map-null-key.mode`);
  bag.optionalString(`${prefix}.map-null-key.literal`);
  bag.bool(`${prefix}.encode.decimal-as-plain-number`, false);
  if (failOnMissingField && ignoreParseErrors) {
    throw new OptionError(
      undefined,
      `options 'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be 'true'`,
      `keep 'json.fail-on-missing-field' to stop on incomplete records, or 'json.ignore-parse-errors' to skip them`,
    );
  }
  return { failOnMissingField, ignoreParseErrors, timestampStandard };
}

const SQL_LAYOUT = "SQL layout 'yyyy-MM-dd HH:mm:ss.SSS'";
const ISO_LAYOUT = "ISO-8601 layout '2017-07-23T01:06:47Z'";

/** A parsed JSON value -> row value, or a failure marker. Never called with null / undefined. */
type JsonConverter = (v: unknown) => unknown;

/** A DECIMAL or BIGINT given as a JSON number too long to trust its double: read its text in the record. */
const NEEDS_RECORD_TEXT: unique symbol = Symbol('needs record text');

function jsonConverter(
  type: SqlType,
  parseTimestamp: (text: string) => number | null,
  column: string,
): JsonConverter {
  const fromText: TextConverter = textConverter(type, parseTimestamp, 'json', column);
  switch (type.name) {
    case 'STRING':
      return (v) => (typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT': {
      const [min, max] = integralRange(type);
      // A BIGINT past the safe integers lost digits in JSON.parse: its text in the record decides.
      const beyond = type.name === 'BIGINT' ? NEEDS_RECORD_TEXT : OUT_OF_RANGE;
      return (v) => {
        if (typeof v === 'number') {
          if (!Number.isInteger(v)) return NOT_A_VALUE;
          return v < min || v > max ? beyond : v + 0; // + 0: JSON's -0 is 0 as a whole number
        }
        return typeof v === 'string' ? fromText(v) : NOT_A_VALUE;
      };
    }
    case 'FLOAT':
    case 'DOUBLE':
      return (v) => (typeof v === 'number' ? v : typeof v === 'string' ? fromText(v) : NOT_A_VALUE);
    case 'DECIMAL': {
      // JSON.parse has made the number a double; String() gives back the shortest text that is that
      // double, which is the text the record had for any value of up to 15 significant digits.
      // Longer texts may have lost digits: the decoder then reads the number's text in the record.
      const fromNumberText = decimalConverter(type);
      return (v) => {
        if (typeof v === 'number') {
          const text = String(v);
          return text.length > 16 || !Number.isFinite(v) ? NEEDS_RECORD_TEXT : fromNumberText(text);
        }
        return typeof v === 'string' ? fromText(v) : NOT_A_VALUE;
      };
    }
    case 'BOOLEAN':
      return (v) => (typeof v === 'boolean' ? v : typeof v === 'string' ? fromText(v) : NOT_A_VALUE);
    default: // timestamps: text only
      return (v) => (typeof v === 'string' ? fromText(v) : NOT_A_VALUE);
  }
}

function showJson(v: unknown): string {
  if (typeof v === 'string') return showText(v);
  const text = JSON.stringify(v);
  return text.length > 60 ? text.slice(0, 60) + '…' : text;
}

function describeNonObject(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v} (${showJson(v)})`;
}

export class JsonDecoder implements RecordDecoder {
  private readonly count: number;
  private readonly names: string[];
  /** Names that objects inherit (e.g. 'constructor') must be looked up as own properties only. */
  private readonly inherited: boolean[];
  private readonly rowIndex: number[];
  private readonly types: SqlType[];
  private readonly nullable: boolean[];
  private readonly converters: JsonConverter[];
  /** For DECIMAL and BIGINT columns: the converter of a number's text in the record (NEEDS_RECORD_TEXT). */
  private readonly fromRecordText: (TextConverter | null)[];

  constructor(
    columns: readonly DecodedColumn[],
    readonly o: JsonOptions,
  ) {
    const parse = o.timestampStandard === 'SQL' ? parseSqlTimestamp : parseIsoTimestamp;
    this.count = columns.length;
    this.names = columns.map((c) => c.name);
    this.inherited = columns.map((c) => c.name in Object.prototype);
    this.rowIndex = columns.map((c) => c.rowIndex);
    this.types = columns.map((c) => c.type);
    this.nullable = columns.map((c) => c.type.nullable);
    this.converters = columns.map((c) => jsonConverter(c.type, parse, c.name));
    this.fromRecordText = columns.map((c) =>
      c.type.name === 'DECIMAL'
        ? decimalConverter(c.type)
        : c.type.name === 'BIGINT'
          ? textConverter(c.type, parse, 'json', c.name)
          : null,
    );
  }

  decode(bytes: Buffer, start: number, end: number, row: Row): string | null {
    return this.decodeText(utf8(bytes, start, end), row);
  }

  decodeText(value: string, row: Row): string | null {
    if (isBlankLine(value)) return SKIP_RECORD;
    let record: unknown;
    try {
      record = JSON.parse(value);
    } catch (e) {
      return `not valid JSON: ${(e as Error).message}`;
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) {
      return `expected a JSON object, found ${describeNonObject(record)}`;
    }
    return this.decodeObject(record as Record<string, unknown>, row, () => value);
  }

  /**
   * Fills the row from a parsed object. `text` gives the object's JSON text, read only for numbers
   * too long for a double (rare), so a nested object (Debezium's "after") costs nothing more.
   */
  decodeObject(fields: Record<string, unknown>, row: Row, text: () => string | undefined): string | null {
    for (let i = 0; i < this.count; i++) {
      const name = this.names[i]!;
      const raw = this.inherited[i] && !Object.hasOwn(fields, name) ? undefined : fields[name];
      let v: unknown;
      if (raw === undefined) {
        if (this.o.failOnMissingField) {
          return `field '${name}' is missing (the table sets 'json.fail-on-missing-field' = 'true')`;
        }
        v = null;
      } else if (raw === null) {
        v = null;
      } else {
        v = this.converters[i]!(raw);
        if (v === NEEDS_RECORD_TEXT) {
          const whole = text();
          const valueText = whole === undefined ? undefined : topLevelValueText(whole, name);
          v = valueText === undefined ? NOT_A_VALUE : this.fromRecordText[i]!(valueText);
          if (typeof v === 'symbol')
            return `field '${name}': ${conversionProblem(valueText ?? String(raw), v as ConvertFailure, this.types[i]!)}`;
        }
        if (typeof v === 'symbol')
          return `field '${name}': ${this.problem(raw, v as ConvertFailure, this.types[i]!)}`;
      }
      if (v === null && !this.nullable[i]) {
        return `field '${name}' is ${raw === undefined ? 'missing' : 'null'} but the column is declared NOT NULL`;
      }
      row[this.rowIndex[i]!] = v;
    }
    return null;
  }

  private problem(raw: unknown, failure: ConvertFailure, type: SqlType): string {
    const isTimestamp = type.name === 'TIMESTAMP' || type.name === 'TIMESTAMP_LTZ';
    if (!isTimestamp) return conversionProblem(showJson(raw), failure, type);
    const sql = this.o.timestampStandard === 'SQL';
    const base = conversionProblem(showJson(raw), failure, type, sql ? SQL_LAYOUT : ISO_LAYOUT);
    // The usual mistake is the other standard: say which option reads it.
    if (typeof raw === 'string' && (sql ? parseIsoTimestamp(raw) : parseSqlTimestamp(raw)) !== null) {
      return `${base}; it is ${sql ? 'ISO-8601' : 'SQL'} text: set 'json.timestamp-format.standard' = '${sql ? 'ISO-8601' : 'SQL'}'`;
    }
    return base;
  }
}

/**
 * The text of member `name` of the top-level object in `json` (valid JSON: JSON.parse accepted it),
 * the last one when repeated, as JSON.parse keeps the last. Rarely used, so it favours simplicity.
 */
export function topLevelValueText(json: string, name: string): string | undefined {
  let found: string | undefined;
  let i = skipSpace(json, 0) + 1; // past '{'
  for (;;) {
    i = skipSpace(json, i);
    if (json.charCodeAt(i) !== 34 /* " */) return found; // '}'
    const keyEnd = endOfString(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipSpace(json, skipSpace(json, keyEnd) + 1); // past ':'
    const valueEnd = endOfValue(json, i);
    if (key === name) found = json.slice(i, valueEnd);
    i = skipSpace(json, valueEnd);
    if (json.charCodeAt(i) !== 44 /* , */) return found;
    i++;
  }
}

function skipSpace(json: string, i: number): number {
  while (i < json.length && json.charCodeAt(i) <= 32) i++;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function endOfString(json: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const c = json.charCodeAt(j);
    if (c === 34) return j + 1;
    j += c === 92 /* \ */ ? 2 : 1;
  }
}

function endOfValue(json: string, i: number): number {
  const c = json.charCodeAt(i);
  if (c === 34) return endOfString(json, i);
  if (c === 123 /* { */ || c === 91 /* [ */) {
    let depth = 0;
    let j = i;
    for (;;) {
      const d = json.charCodeAt(j);
      if (d === 34) {
        j = endOfString(json, j);
        continue;
      }
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) depth--;
      j++;
      if (depth === 0) return j;
    }
  }
  let j = i;
  while (j < json.length) {
    const d = json.charCodeAt(j);
    if (d === 44 || d === 125 || d === 93 || d <= 32) break;
    j++;
  }
  return j;
}

/** A non-null row value -> JSON text. */
type JsonWriter = (v: unknown) => string;

function jsonWriter(type: SqlType, standard: TimestampStandard): JsonWriter {
  switch (type.name) {
    case 'DECIMAL': {
      const scale = type.scale ?? 0;
      return (v) => formatDecimal(v as bigint, scale); // exact: written as text, never via a double
    }
    case 'FLOAT':
    case 'DOUBLE': {
      // JSON has no NaN / Infinity; Jackson (Flink) writes them as strings. A FLOAT by Float.toString.
      const text = type.name === 'FLOAT' ? formatFloat : formatDouble;
      return (v) => (Number.isFinite(v as number) ? text(v as number) : `"${text(v as number)}"`);
    }
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return (v) => String(v);
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'DATE':
    case 'TIME':
      return (v) => `"${valueToText(v, type)}"`; // `"2024-03-01"`, `"10:00:00"`, as Flink writes them
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return standard === 'SQL'
        ? (v) => `"${formatTimestamp(v as number)}"`
        : (v) => `"${formatTimestampIso(v as number)}"`;
    default:
      return (v) => JSON.stringify(typeof v === 'bigint' ? v.toString() : v) ?? 'null';
  }
}

export class JsonEncoder implements RecordEncoder {
  readonly header = null;
  /** '{"a":', ',"b":', ... : the text before each value. */
  private readonly prefixes: string[];
  private readonly writers: JsonWriter[];

  constructor(fields: readonly { name: string; type: SqlType }[], o: JsonOptions) {
    this.prefixes = fields.map((f, i) => `${i === 0 ? '{' : ','}${JSON.stringify(f.name)}:`);
    this.writers = fields.map((f) => jsonWriter(f.type, o.timestampStandard));
  }

  encodeValue(row: Row): Buffer {
    return textBytes(this.encodeText(row));
  }

  encodeText(row: Row): string {
    const n = this.prefixes.length;
    if (n === 0) return '{}';
    let line = '';
    for (let i = 0; i < n; i++) {
      const v = row[i];
      line += this.prefixes[i]! + (v === null || v === undefined ? 'null' : this.writers[i]!(v));
    }
    return line + '}';
  }

  encodeLines(rows: readonly Row[]): string {
    let text = '';
    for (const row of rows) text += this.encodeText(row) + '\n';
    return text;
  }
}

export const jsonFormat: FormatDefinition = {
  name: 'json',
  fileExtension: 'json',
  createDecoder(columns, options) {
    return new JsonDecoder(columns, readJsonOptions(options));
  },
  ignoreParseErrors(options) {
    return options.bool('json.ignore-parse-errors', false);
  },
  createEncoder(fields, options) {
    return new JsonEncoder(fields, readJsonOptions(options));
  },
};
