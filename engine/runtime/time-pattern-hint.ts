// Why a TO_TIMESTAMP gave NULL for a record, in words: the column, the text it was given, the
// pattern, and a usual layout that reads the text when one does. Used where a NULL time attribute
// stops a job (source-runner.ts) and by `validate`, which tries each input's first record (issue 21).

import { compileScalar } from '../exec/compile.js';
import { compileToTimestamp, parseDefaultTimestamp } from '../exec/functions.js';
import type { Expr } from '../plan/expr.js';
import type { TableColumn, TableDef } from '../plan/logical.js';
import type { Row } from '../types.js';

/**
 * Layouts a record's time is usually written in, tried in this order for the hint. The first is
 * the demo's (Go's RFC 850); then ISO-8601 / RFC 3339, SQL, RFC 1123 and common local layouts.
 */
export const KNOWN_TIME_PATTERNS: readonly string[] = [
  'EEEE, dd-MMM-yy HH:mm:ss z',
  "yyyy-MM-dd'T'HH:mm:ssX",
  "yyyy-MM-dd'T'HH:mm:ss.SSSX",
  "yyyy-MM-dd'T'HH:mm:ss",
  "yyyy-MM-dd'T'HH:mm:ss.SSS",
  'yyyy-MM-dd HH:mm:ss',
  'yyyy-MM-dd HH:mm:ss.SSS',
  'EEE, dd MMM yyyy HH:mm:ss z',
  'dd/MM/yyyy HH:mm:ss',
  'MM/dd/yyyy HH:mm:ss',
  'yyyy/MM/dd HH:mm:ss',
  'dd.MM.yyyy HH:mm:ss',
  'dd-MMM-yyyy HH:mm:ss',
  'yyyyMMddHHmmss',
];

/** KNOWN_TIME_PATTERNS compiled, the first time a hint needs them. */
let knownParsers: (readonly [string, (text: string) => number | null])[] | undefined;

/** One TO_TIMESTAMP(text [, 'pattern']) of a table's computed column, compiled to be tried on a row. */
export interface TimestampCall {
  readonly column: TableColumn;
  /** The text argument over the table row. */
  readonly text: (row: Row) => unknown;
  /** The text argument's column name, when it is a column. */
  readonly textColumn: string | undefined;
  /** The pattern as written, or undefined for TO_TIMESTAMP(s) (Flink's default layout). */
  readonly pattern: string | undefined;
  readonly parse: (text: string) => number | null;
}

/** Why a call gave NULL for a row: what it was given and a pattern that reads it (if any). */
export interface TimestampMiss {
  readonly call: TimestampCall;
  readonly text: string;
  /** `TO_TIMESTAMP(tx_time, 'pattern') does not read tx_time = '...'` */
  readonly problem: string;
  /** A usual pattern that reads the text, if one does. */
  readonly better: string | undefined;
  /** `TO_TIMESTAMP(tx_time, 'better')`, when there is a better pattern. */
  readonly rewrite: string | undefined;
}

/** Every TO_TIMESTAMP(text [, 'literal pattern']) over text in the table's computed columns. */
export function timestampCalls(table: TableDef, only?: TableColumn): TimestampCall[] {
  const out: TimestampCall[] = [];
  for (const column of table.columns) {
    if (column.kind !== 'computed' || !column.expr || (only && column !== only)) continue;
    visit(column.expr, (e) => {
      if (e.kind !== 'call' || e.fn !== 'TO_TIMESTAMP') return;
      const [arg, patternArg] = e.args;
      if (!arg || arg.type.name !== 'STRING') return;
      if (patternArg && (patternArg.kind !== 'literal' || typeof patternArg.value !== 'string')) return;
      const pattern = patternArg ? (patternArg.value as string) : undefined;
      out.push({
        column,
        text: compileScalar(arg),
        textColumn: arg.kind === 'column' ? arg.name : undefined,
        pattern,
        parse: pattern === undefined ? parseDefaultTimestamp : compileToTimestamp(pattern),
      });
    });
  }
  return out;
}

/** The first call that gives NULL for a non-NULL text of the row, explained; undefined if none. */
export function timestampMiss(calls: readonly TimestampCall[], row: Row): TimestampMiss | undefined {
  for (const call of calls) {
    const text = call.text(row);
    if (typeof text !== 'string' || call.parse(text) !== null) continue;
    const arg = call.textColumn ?? 'text';
    const written = call.pattern === undefined ? '' : `, ${sqlString(call.pattern)}`;
    const value = call.textColumn ? `${call.textColumn} = ${sqlString(text)}` : `the text ${sqlString(text)}`;
    knownParsers ??= KNOWN_TIME_PATTERNS.map((p) => [p, compileToTimestamp(p)] as const);
    const better = knownParsers.find(([p, parse]) => p !== call.pattern && parse(text) !== null)?.[0];
    return {
      call,
      text,
      problem: `TO_TIMESTAMP(${arg}${written}) does not read ${value}`,
      better,
      rewrite: better === undefined ? undefined : `TO_TIMESTAMP(${arg}, ${sqlString(better)})`,
    };
  }
  return undefined;
}

export function visitExpr(e: Expr, f: (e: Expr) => void): void {
  visit(e, f);
}

function visit(e: Expr, f: (e: Expr) => void): void {
  f(e);
  if (e.kind === 'call') e.args.forEach((a) => visit(a, f));
  else if (e.kind === 'cast') visit(e.arg, f);
  else if (e.kind === 'case') {
    for (const w of e.whens) {
      visit(w.when, f);
      visit(w.then, f);
    }
    if (e.otherwise) visit(e.otherwise, f);
  }
}

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
