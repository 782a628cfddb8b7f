// Comparing one expression's values on Flink and on fintrans-sql, cell by cell (one cell per row of
// the fuzz table). Values are compared as what they are, by fintrans-sql's result type: texts and
// booleans and integers exactly; DECIMALs by value (Flink prints its own scale, fintrans-sql the
// declared one); DOUBLE/FLOAT exactly as written (both print Java's Double.toString /
// Float.toString, engine/java-double.ts); timestamps by instant (Java drops zero seconds and fractions).

import type { Outcome } from './fintrans.js';

export const FLINK_NULL = '\u0002';

/** What Flink said about one expression (a line of fuzz-results.txt, see ConformanceMain.java). */
export type FlinkOutcome =
  | { readonly kind: 'ok'; readonly type: string; readonly cells: readonly (string | null)[] }
  | { readonly kind: 'rejected'; readonly why: string }
  | { readonly kind: 'failed'; readonly why: string };

export function parseFlinkLine(line: string): FlinkOutcome {
  const [status, a = '', b = ''] = line.split('\t');
  if (status === 'OK')
    return { kind: 'ok', type: a, cells: b.split('\u0001').map((c) => (c === FLINK_NULL ? null : c)) };
  if (status === 'REJECTED') return { kind: 'rejected', why: a };
  if (status === 'FAILED') return { kind: 'failed', why: a };
  throw new Error(`unreadable line of Flink's fuzz results: ${line.slice(0, 200)}`);
}

/**
 * As ConformanceMain.escape: backslashes doubled, control characters as \uXXXX; and as Java's
 * UTF-8 writer, a lone surrogate (half of a code point cut by a function) is '?'.
 */
function escape(s: string): string {
  return s
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?')
    .replace(/[\\\u0000-\u001f\u007f]/g, (c) =>
      c === '\\' ? '\\\\' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

const TIMESTAMP = /^(-?\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2})(:\d{2})?(\.\d+)?$/;

function timestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const fraction = (m[4] ?? '').replace(/0+$/, '');
  return `${m[1]} ${m[2]}${m[3] ?? ':00'}${fraction === '.' ? '' : fraction}`;
}

const exactNumber = (text: string): string =>
  /^-?\d+\.\d*$/.test(text) ? text.replace(/0+$/, '').replace(/\.$/, '') : text;

/** A non-null cell as compared, by fintrans-sql's type name (`DECIMAL(10, 2) NOT NULL` → DECIMAL). */
function normalise(text: string, type: string): string {
  const name = /^[A-Z_]+/.exec(type)?.[0] ?? type;
  switch (name) {
    case 'DECIMAL':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
      return exactNumber(text);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return timestamp(text);
    default:
      return text;
  }
}

export type Verdict =
  | { readonly kind: 'same' }
  | { readonly kind: 'refused' } // fintrans-sql refuses at plan time: allowed
  | { readonly kind: 'flink-rejected' | 'flink-failed'; readonly why: string } // Flink cannot: not compared
  | { readonly kind: 'different'; readonly detail: string };

/** `rowIds[k]` names row k in messages. */
export function compare(flink: FlinkOutcome, ours: Outcome, rowIds: readonly number[]): Verdict {
  if (ours.kind === 'rejected') return { kind: 'refused' };
  if (flink.kind === 'rejected') return { kind: 'flink-rejected', why: flink.why };
  if (flink.kind === 'failed') return { kind: 'flink-failed', why: flink.why };
  if (ours.kind === 'failed')
    return { kind: 'different', detail: `Flink ran it (${flink.type}), fintrans-sql failed: ${ours.why}` };
  const rows: string[] = [];
  for (let k = 0; k < Math.max(flink.cells.length, ours.cells.length); k++) {
    const f = flink.cells[k];
    const o = ours.cells[k];
    const fv = f === null || f === undefined ? 'NULL' : normalise(f, ours.type);
    const ov = o === null || o === undefined ? 'NULL' : normalise(escape(o), ours.type);
    if (fv !== ov)
      rows.push(
        `id=${rowIds[k]}: Flink ${f === null ? 'NULL' : f}, fintrans-sql ${o === null ? 'NULL' : o === undefined ? '(no row)' : escape(o)}`,
      );
  }
  if (rows.length === 0) return { kind: 'same' };
  return {
    kind: 'different',
    detail: `types: Flink ${flink.type}, fintrans-sql ${ours.type}\n${rows.join('\n')}`,
  };
}
