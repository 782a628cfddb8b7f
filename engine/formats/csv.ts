// The 'csv' format, with Flink's option names. One record is one line; fields map to the table's
// physical columns by position. Quoted fields may hold the delimiter, doubled quotes and (in files) line breaks.

import { stringify, type Options as StringifyOptions } from 'csv-stringify/sync';
import { OptionError } from '../errors.js';
import type { OptionBag } from '../options.js';
import { parseSqlTimestamp } from '../time/sql-timestamp.js';
import { isIntegral, type Row, type SqlType } from '../types.js';
import { formatDecimal, valueToText } from '../values.js';
import type { DecodedColumn, FormatDefinition, RecordDecoder, RecordEncoder } from './api.js';
import {
  conversionProblem,
  integralRange,
  isBlankLine,
  showText,
  textConverter,
  type ConvertFailure,
  type TextConverter,
} from './field-values.js';
import { SKIP_RECORD, textBytes, utf8 } from './api.js';

export interface CsvOptions {
  readonly delimiter: string;
  /** '' when 'csv.disable-quote-character' is set. */
  readonly quote: string;
  /** '' when none. */
  readonly escape: string;
  readonly allowComments: boolean;
  readonly ignoreParseErrors: boolean;
  /** A field equal to it is NULL; undefined when not set. */
  readonly nullLiteral: string | undefined;
}

/** Reads every csv.* option, so that sources and sinks both leave none for bag.finish() to reject. */
export function readCsvOptions(bag: OptionBag): CsvOptions {
  const delimiter = bag.char('csv.field-delimiter', ',');
  const quoteSet = bag.has('csv.quote-character');
  const quoteChar = bag.char('csv.quote-character', '"');
  const disableQuote = bag.bool('csv.disable-quote-character', false);
  const escape = bag.char('csv.escape-character', '');
  const allowComments = bag.bool('csv.allow-comments', false);
  const ignoreParseErrors = bag.bool('csv.ignore-parse-errors', false);
  const nullLiteral = bag.optionalString('csv.null-literal');
  bag.optionalString('csv.array-element-delimiter'); // no ARRAY columns here; accepted for Flink DDL
  if (disableQuote && quoteSet) {
    throw new OptionError(
      undefined,
      `options 'csv.quote-character' and 'csv.disable-quote-character' contradict each other`,
      `keep only one of them`,
    );
  }
  const quote = disableQuote ? '' : quoteChar;
  if (quote === delimiter) {
    throw new OptionError(
      undefined,
      `option 'csv.quote-character' is the same character as 'csv.field-delimiter' ('${delimiter}')`,
      `choose different characters`,
    );
  }
  if (escape !== '' && (escape === delimiter || escape === quote)) {
    throw new OptionError(
      undefined,
      `option 'csv.escape-character' ('${escape}') must differ from the delimiter and the quote character`,
      `a quote inside a quoted field is written doubled (""); use e.g. 'csv.escape-character' = '\\\\' for backslash escapes`,
    );
  }
  return { delimiter, quote, escape, allowComments, ignoreParseErrors, nullLiteral };
}

const CSV_TIMESTAMP_LAYOUT = "SQL layout 'yyyy-MM-dd HH:mm:ss.SSS'";

/** decodePlain's answer for a line with a quote or escape character: use the quoted path. */
const QUOTED: unique symbol = Symbol('quoted');

class CsvDecoder implements RecordDecoder {
  private readonly count: number;
  private readonly names: string[];
  private readonly rowIndex: number[];
  private readonly types: SqlType[];
  private readonly converters: TextConverter[];
  /** An empty STRING field is '', an empty field of any other type is NULL (as in Flink). */
  private readonly emptyIsNull: boolean[];
  private readonly nullable: boolean[];
  private readonly delimiter: string;
  private readonly delimiterCode: number;
  private readonly quote: string;
  private readonly quoteCode: number;
  private readonly escape: string;
  private readonly escapeCode: number;
  private readonly allowComments: boolean;
  private readonly nullLiteral: string | undefined;
  /** Integral columns (read straight from the line's char codes by decodePlain) and their value ranges. */
  private readonly integral: boolean[];
  private readonly minValue: number[];
  private readonly maxValue: number[];
  /** Reused by the quoted-line path: the fields of the line being decoded. */
  private readonly fields: string[] = [];

  constructor(columns: readonly DecodedColumn[], o: CsvOptions) {
    this.count = columns.length;
    this.names = columns.map((c) => c.name);
    this.rowIndex = columns.map((c) => c.rowIndex);
    this.types = columns.map((c) => c.type);
    this.converters = columns.map((c) => textConverter(c.type, parseSqlTimestamp, 'csv', c.name));
    this.emptyIsNull = columns.map((c) => c.type.name !== 'STRING');
    this.nullable = columns.map((c) => c.type.nullable);
    // storeIntegral reads digits before it looks for the delimiter: not with a digit or '-' as one.
    const digitDelimiter = /[0-9-]/.test(o.delimiter);
    this.integral = columns.map((c) => !digitDelimiter && isIntegral(c.type));
    this.minValue = columns.map((c) => (isIntegral(c.type) ? integralRange(c.type)[0] : 0));
    this.maxValue = columns.map((c) => (isIntegral(c.type) ? integralRange(c.type)[1] : 0));
    this.delimiter = o.delimiter;
    this.delimiterCode = o.delimiter.charCodeAt(0);
    this.quote = o.quote;
    this.quoteCode = o.quote === '' ? -1 : o.quote.charCodeAt(0);
    this.escape = o.escape;
    this.escapeCode = o.escape === '' ? -1 : o.escape.charCodeAt(0);
    this.allowComments = o.allowComments;
    this.nullLiteral = o.nullLiteral;
  }

  decode(bytes: Buffer, start: number, end: number, row: Row): string | null {
    return this.decodeText(utf8(bytes, start, end), row);
  }

  decodeText(value: string, row: Row): string | null {
    let line = value;
    if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1); // a CRLF file
    if (isBlankLine(line)) return SKIP_RECORD;
    if (this.allowComments && line.charCodeAt(0) === 35 /* # */) return SKIP_RECORD;

    const plain = this.decodePlain(line, row);
    if (plain === null) return null;
    // A line the fast path rejects gets the quoted path's verdict when it holds a quote anywhere
    // (its message may be about the quoting); errors are rare, so the extra search costs nothing.
    if (plain !== QUOTED && (this.quoteCode === -1 || line.indexOf(this.quote) === -1)) return plain;

    const splitProblem = this.splitQuoted(line);
    if (splitProblem !== null) return splitProblem;
    const fields = this.fields;
    if (fields.length !== this.count) return this.countProblem(line, fields.length);
    for (let i = 0; i < this.count; i++) {
      const problem = this.store(i, fields[i]!, row, line);
      if (problem !== null) return problem;
    }
    return null;
  }

  /**
   * The fast path, for lines without escape characters and without a field that starts with the
   * quote character: each field is then the text between two delimiters (a quote inside an
   * unquoted field is plain text on the quoted path too). An integral field is read digit by digit from the line, which also finds its
   * end, so it needs neither a substring nor a delimiter search (most fields of a typical record
   * are numbers). Anything else in it (blanks, a '+', bad text, a null literal, a value out of
   * range) goes through store() with the field's text, so values and messages are those of the
   * general path. Other fields are found with indexOf, which beats a char loop. QUOTED: use the
   * quoted path.
   */
  private decodePlain(line: string, row: Row): string | null | typeof QUOTED {
    if (this.escapeCode !== -1 && line.indexOf(this.escape) !== -1) return QUOTED;
    const last = this.count - 1;
    const len = line.length;
    let start = 0;
    for (let i = 0; i <= last; i++) {
      if (line.charCodeAt(start) === this.quoteCode) return QUOTED;
      let end = this.integral[i] ? this.storeIntegral(i, line, start, row) : -1;
      if (end === -1) {
        end = line.indexOf(this.delimiter, start);
        if (end === -1) end = len;
        const problem = this.store(i, line.slice(start, end), row, line);
        if (problem !== null) return problem;
      }
      if (i < last ? end === len : end !== len) return this.fieldCountProblem(line);
      start = end + 1;
    }
    if (this.count === 0) return this.fieldCountProblem(line);
    return null;
  }

  /**
   * Reads an optionally negative run of digits at `start` into the row when it is the whole field
   * (followed by the delimiter or the end of the line) and within the column's range, and returns
   * where the field ends; -1 when the field is anything else.
   */
  private storeIntegral(i: number, line: string, start: number, row: Row): number {
    if (this.nullLiteral !== undefined) return -1;
    const len = line.length;
    let at = start;
    const negative = line.charCodeAt(at) === 45; /* - */
    if (negative) at++;
    const digitsFrom = at;
    let v = 0;
    for (; at < len; at++) {
      const d = line.charCodeAt(at) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (at === digitsFrom || (at < len && line.charCodeAt(at) !== this.delimiterCode)) return -1;
    if (negative) v = 0 - v;
    if (v < this.minValue[i]! || v > this.maxValue[i]!) return -1;
    row[this.rowIndex[i]!] = v;
    return at;
  }

  /** Converts field `i` into the row; returns a reason when it does not convert. */
  private store(i: number, text: string, row: Row, line: string): string | null {
    let v: unknown;
    if (text === this.nullLiteral || (text.length === 0 && this.emptyIsNull[i])) {
      if (!this.nullable[i]) return this.fieldProblem(line, i, 'is NULL but the column is declared NOT NULL');
      v = null;
    } else {
      v = this.converters[i]!(text);
      if (typeof v === 'symbol') {
        return this.fieldProblem(
          line,
          i,
          conversionProblem(showText(text), v as ConvertFailure, this.types[i]!, CSV_TIMESTAMP_LAYOUT),
        );
      }
    }
    row[this.rowIndex[i]!] = v;
    return null;
  }

  /** A field's problem, unless the real problem is a wrong number of fields (fields shifted). */
  private fieldProblem(line: string, i: number, problem: string): string {
    const found = this.countFields(line);
    if (found !== this.count) return this.countProblem(line, found);
    return `field '${this.names[i]}' (column ${i + 1}): ${problem}`;
  }

  private fieldCountProblem(line: string): string {
    return this.countProblem(line, this.countFields(line));
  }

  /**
   * "expected N fields, found M", naming the delimiter the record probably has when another common
   * one splits it into exactly N fields (a ';' file read with the default ',' is the usual case).
   */
  private countProblem(line: string, found: number): string {
    const problem = `expected ${this.count} fields, found ${found}`;
    if (found >= this.count) return problem;
    for (const d of [';', ',', '\t', '|']) {
      if (d === this.delimiter || line.split(d).length !== this.count) continue;
      const shown = d === '\t' ? '\\t' : d;
      return `${problem}; the record has '${shown}' between its fields: is the delimiter '${shown}'? write 'csv.field-delimiter' = '${shown}'`;
    }
    return problem;
  }

  private countFields(line: string): number {
    if (this.splitQuoted(line) === null) return this.fields.length;
    let n = 1;
    for (let at = line.indexOf(this.delimiter); at !== -1; at = line.indexOf(this.delimiter, at + 1)) n++;
    return n;
  }

  /**
   * Splits a line that has quotes or escapes into this.fields. Returns a reason when the quoting is
   * broken (a quote never closed, text after a closing quote, an escape at the end of the line).
   */
  private splitQuoted(line: string): string | null {
    const fields = this.fields;
    fields.length = 0;
    const len = line.length;
    const q = this.quoteCode;
    const e = this.escapeCode;
    const d = this.delimiterCode;
    let i = 0;
    for (;;) {
      let value = '';
      if (i < len && line.charCodeAt(i) === q) {
        i++;
        let from = i;
        for (;;) {
          if (i >= len) {
            return `field ${fields.length + 1} opens a quote (${this.quote}) that is never closed`;
          }
          const c = line.charCodeAt(i);
          if (c === e) {
            if (i + 1 >= len)
              return `field ${fields.length + 1} ends with the escape character '${this.escape}'`;
            value += line.slice(from, i) + line[i + 1];
            i += 2;
            from = i;
          } else if (c === q) {
            if (line.charCodeAt(i + 1) === q) {
              value += line.slice(from, i + 1); // a doubled quote is one quote
              i += 2;
              from = i;
            } else {
              value += line.slice(from, i);
              i++;
              break;
            }
          } else {
            i++;
          }
        }
        if (i < len && line.charCodeAt(i) !== d) {
          return `field ${fields.length + 1}: the closing quote must be followed by the delimiter '${this.delimiter}' (write a quote inside a quoted field doubled: "")`;
        }
      } else {
        let from = i;
        while (i < len) {
          const c = line.charCodeAt(i);
          if (c === d) break;
          if (c === e) {
            if (i + 1 >= len)
              return `field ${fields.length + 1} ends with the escape character '${this.escape}'`;
            value += line.slice(from, i) + line[i + 1];
            i += 2;
            from = i;
          } else {
            i++;
          }
        }
        value += line.slice(from, i);
      }
      fields.push(value);
      if (i >= len) return null;
      i++; // the delimiter; a delimiter at the very end starts one more (empty) field
    }
  }
}

class CsvEncoder implements RecordEncoder {
  readonly header: string;
  private readonly batchOptions: StringifyOptions;
  private readonly valueOptions: StringifyOptions;

  constructor(fields: readonly { name: string; type: SqlType }[], o: CsvOptions) {
    const types = fields.map((f) => f.type);
    const scales = fields.map((f) => f.type.scale ?? 0);
    const nullText = o.nullLiteral ?? '';
    // Row values are cast per column type (a number is an INT, a DOUBLE or a TIMESTAMP depending on it).
    const cast: StringifyOptions['cast'] = {
      string: (v) => v,
      number: (v, ctx) => valueToText(v, types[ctx.index]!),
      bigint: (v, ctx) => formatDecimal(v, scales[ctx.index]!),
      boolean: (v) => (v ? 'true' : 'false'),
      null: () => nullText,
      undefined: () => nullText,
      object: (v) => JSON.stringify(v),
      date: (v) => v.toISOString(),
    };
    const quoting: StringifyOptions = {
      delimiter: o.delimiter,
      quote: o.quote,
      // csv-stringify doubles the quote by default; with an escape character, fields holding it
      // are quoted and it is doubled, so the decoder reads them back unchanged.
      escape: o.escape !== '' ? o.escape : o.quote,
      ...(o.escape !== '' ? { quoted_match: [o.escape] } : {}),
    };
    this.batchOptions = { ...quoting, cast, eof: true };
    this.valueOptions = { ...quoting, cast, eof: false };
    this.header = stringify([fields.map((f) => f.name)], { ...quoting, eof: false });
  }

  encodeLines(rows: readonly Row[]): string {
    if (rows.length === 0) return '';
    return stringify(rows as Row[], this.batchOptions);
  }

  encodeValue(row: Row): Buffer {
    return textBytes(stringify([row], this.valueOptions));
  }
}

export const csvFormat: FormatDefinition = {
  name: 'csv',
  fileExtension: 'csv',
  createDecoder(columns, options) {
    return new CsvDecoder(columns, readCsvOptions(options));
  },
  ignoreParseErrors(options) {
    return options.bool('csv.ignore-parse-errors', false);
  },
  createEncoder(fields, options) {
    return new CsvEncoder(fields, readCsvOptions(options));
  },
  recordQuote(options) {
    return readCsvOptions(options).quote || undefined;
  },
};
