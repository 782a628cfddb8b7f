// Index names and document ids, as Flink's Elasticsearch connector makes them.
//
// Index: a static name ('alerts') or a dynamic one with {field} / {field|java-pattern} /
// {now()|java-pattern} parts ('alerts-{window_end|yyyy-MM-dd}'). A TIMESTAMP field without a
// pattern is written 'yyyy_MM_dd_HH_mm_ss' (Flink's default); other fields as their text.
//
// Document id: the PRIMARY KEY fields' text joined by 'document-id.key-delimiter' ('_'), the text
// of each being what Flink's KeyExtractor writes (a TIMESTAMP as Java's LocalDateTime.toString,
// '2017-07-23T10:00', '2017-07-23T10:00:05.250'), so the same row gets the same _id in both.

import { ConnectorError, didYouMean } from '../../engine/errors.js';
import { TimestampPatternError, compileTimestampFormatter } from '../../engine/time/java-pattern.js';
import type { Row, Schema, SqlType } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';

export interface IndexName {
  /** The option's text, for messages. */
  readonly text: string;
  /** True when the name depends on the row (or the clock). */
  readonly dynamic: boolean;
  /** The index for one row. Throws ConnectorError when a field naming the index is NULL. */
  nameFor(row: Row): string;
}

type Part = (row: Row) => string;

const DEFAULT_TIMESTAMP_PATTERN = 'yyyy_MM_dd_HH_mm_ss';
/** Characters Elasticsearch/OpenSearch refuse in index names. */
const FORBIDDEN = /[\\/*?"<>| ,#:]/;

/**
 * Compiles the 'index' option. `fail(problem, hint)` makes the plan-time error (an OptionError
 * at the table) for a pattern that cannot work.
 */
export function compileIndexName(
  text: string,
  schema: Schema,
  fail: (problem: string, hint?: string) => Error,
): IndexName {
  const parts: Part[] = [];
  let dynamic = false;
  const re = /\{([^{}]*)\}/g;
  let last = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (m.index > last) parts.push(staticPart(text.slice(last, m.index), text, fail));
    parts.push(dynamicPart(m[1]!, text, schema, fail));
    dynamic = true;
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push(staticPart(text.slice(last), text, fail));
  if (/^[-_+]/.test(text)) throw fail(`index name '${text}' must not start with '-', '_' or '+'`);
  if (!dynamic) {
    const name = text;
    return { text, dynamic, nameFor: () => name };
  }
  return {
    text,
    dynamic,
    nameFor: (row) => {
      let s = '';
      for (const p of parts) s += p(row);
      return s;
    },
  };
}

function staticPart(piece: string, text: string, fail: (problem: string, hint?: string) => Error): Part {
  if (piece.includes('{') || piece.includes('}'))
    throw fail(`unbalanced '{' or '}' in index '${text}'`, `write e.g. 'alerts-{window_end|yyyy-MM-dd}'`);
  if (piece !== piece.toLowerCase())
    throw fail(
      `index name '${text}' has upper-case letters, which Elasticsearch refuses`,
      `write it in lower case: '${text.toLowerCase()}'`,
    );
  const bad = FORBIDDEN.exec(piece);
  if (bad)
    throw fail(`index name '${text}' contains '${bad[0]}', which Elasticsearch refuses in index names`);
  return () => piece;
}

function dynamicPart(
  inner: string,
  text: string,
  schema: Schema,
  fail: (problem: string, hint?: string) => Error,
): Part {
  const bar = inner.indexOf('|');
  const field = (bar < 0 ? inner : inner.slice(0, bar)).trim();
  const pattern = bar < 0 ? undefined : inner.slice(bar + 1).trim();
  const formatter = (p: string): ((ms: number) => string) => {
    try {
      return compileTimestampFormatter(p);
    } catch (e) {
      if (e instanceof TimestampPatternError)
        throw fail(`in index '${text}': ${e.message}`, `use a Java date pattern, e.g. 'yyyy-MM-dd'`);
      throw e;
    }
  };
  if (field === 'now()') {
    const f = formatter(pattern ?? DEFAULT_TIMESTAMP_PATTERN);
    return () => f(Date.now());
  }
  const i = schema.findIndex((c) => c.name === field);
  if (i < 0) {
    const guess = didYouMean(
      field,
      schema.map((c) => c.name),
    );
    throw fail(
      `index '${text}' names field '${field}', which is not a column of the table`,
      guess
        ? `did you mean '{${guess}${pattern !== undefined ? `|${pattern}` : ''}}'?`
        : `use one of: ${schema.map((c) => c.name).join(', ')}`,
    );
  }
  const type = schema[i]!.type;
  const isTime = type.name === 'TIMESTAMP' || type.name === 'TIMESTAMP_LTZ';
  if (pattern !== undefined && !isTime) {
    throw fail(
      `index '${text}': a pattern ('|${pattern}') needs a TIMESTAMP field, but '${field}' is ${type.name}`,
      `write '{${field}}' to use its value as it is`,
    );
  }
  const f = isTime ? formatter(pattern ?? DEFAULT_TIMESTAMP_PATTERN) : undefined;
  return (row) => {
    const v = row[i];
    if (v === null || v === undefined) {
      throw new ConnectorError(
        `elasticsearch sink: a row has NULL in '${field}', which names the index ('${text}'); the row cannot be written`,
      );
    }
    return f ? f(v as number) : keyText(v, type);
  };
}

/** A builder of document ids for the given PRIMARY KEY column indexes, or undefined for none. */
export function documentIdBuilder(
  schema: Schema,
  primaryKey: readonly number[] | undefined,
  delimiter: string,
): ((row: Row) => string) | undefined {
  if (!primaryKey || primaryKey.length === 0) return undefined;
  const idx = [...primaryKey];
  const types = idx.map((i) => schema[i]!.type);
  if (idx.length === 1) {
    const i = idx[0]!;
    const t = types[0]!;
    return (row) => keyText(row[i], t);
  }
  return (row) => {
    let s = '';
    for (let k = 0; k < idx.length; k++) {
      if (k > 0) s += delimiter;
      s += keyText(row[idx[k]!], types[k]!);
    }
    return s;
  };
}

/**
 * One key field's text, as Flink's KeyExtractor writes it (String.valueOf of the Java value): as in
 * CSV output, except NULL ('null') and timestamps (LocalDateTime.toString).
 */
export function keyText(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return 'null';
  if (type.name === 'TIMESTAMP' || type.name === 'TIMESTAMP_LTZ') return localDateTimeText(v as number);
  return valueToText(v, type)!;
}

/** Epoch ms as java.time.LocalDateTime.toString: seconds and milliseconds only when not zero. */
export function localDateTimeText(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2017-07-23T10:00:05.250Z
  const base = iso.slice(0, 16);
  const sec = iso.slice(17, 19);
  const milli = iso.slice(20, 23);
  if (milli !== '000') return `${base}:${sec}.${milli}`;
  if (sec !== '00') return `${base}:${sec}`;
  return base;
}
