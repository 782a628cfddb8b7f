// Every error fintrans-sql raises on purpose. Errors are part of the interface: user errors carry
// where the problem is and what to write instead; the CLI prints them without a stack trace.

import { constants } from 'node:buffer';

/** A place in a SQL file. line and col are 1-based. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

export function formatPos(pos: SourcePos): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

/** Base of all deliberate errors. `userError` ones are printed as a message only. */
export abstract class FintransError extends Error {
  abstract readonly userError: boolean;
  /** Whether trying the same thing again can help (a broker restarting, a node busy). */
  readonly retriable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A mistake in the SQL text: syntax, unknown names, wrong types, unsupported constructs.
 * Message shape: `<file>:<line>:<col>: <what is wrong>` and, on a new line, `  hint: <what to write>`.
 */
export class SqlError extends FintransError {
  readonly userError = true;
  constructor(
    readonly pos: SourcePos | undefined,
    readonly problem: string,
    readonly hint?: string,
  ) {
    super(`${pos ? formatPos(pos) + ': ' : ''}${problem}${hint ? `\n  hint: ${hint}` : ''}`);
  }
}

/** A WITH option or SET value that is missing, unknown or malformed. */
export class OptionError extends SqlError {}

/** A record that does not decode under its table's format. */
export class RecordError extends FintransError {
  readonly userError = true;
  constructor(
    /** e.g. `data/tx.csv:17` or `transactions/2@1234` */
    readonly where: string,
    readonly raw: string,
    readonly reason: string,
    readonly table: string,
  ) {
    super(
      `bad record in table '${table}' at ${printable(where)}: ${printable(reason)}\n  record: ${printable(truncate(raw, 300))}\n` +
        `  hint: fix the input, or add 'csv.ignore-parse-errors' = 'true' (or 'json.ignore-parse-errors') to skip and count such records`,
    );
  }
}

/** A runtime failure talking to the outside world (a file, a broker, a search node). */
export class ConnectorError extends FintransError {
  readonly userError = true;
  override readonly retriable: boolean;
  constructor(message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, options);
    this.retriable = options?.retriable ?? false;
  }
}

/**
 * The job needs more than the process can give: heap memory, a string longer than JavaScript
 * allows, a deeper stack. The message names the limit that was hit and, on a `hint:` line, the
 * knob to turn or what to change in the job.
 */
export class ResourceError extends FintransError {
  readonly userError = true;
}

/** The longest string JavaScript (V8) can hold, in UTF-16 units. */
export const MAX_STRING_LENGTH: number = constants.MAX_STRING_LENGTH;

/**
 * The ResourceError for an error JavaScript itself throws when a limit is hit (a RangeError from
 * deep inside a compiled expression, a string concatenation, a JSON.stringify), or undefined when
 * `e` is not one of those.
 */
export function resourceErrorOf(e: unknown): ResourceError | undefined {
  if (!(e instanceof RangeError)) return undefined;
  switch (e.message) {
    case 'Maximum call stack size exceeded':
      return new ResourceError(
        'the job nests too deeply for the JavaScript stack (Maximum call stack size exceeded): most likely an expression with thousands of terms, such as a long OR chain or a CASE with thousands of branches\n' +
          '  hint: shorten the expression: write `x = 1 OR x = 2 OR ...` as `x IN (1, 2, ...)`, or split the condition over several queries',
      );
    case 'Invalid string length':
      return new ResourceError(
        `a text value grew past the longest string JavaScript can hold (${MAX_STRING_LENGTH} characters)\n` +
          '  hint: keep values shorter: fewer rows per LISTAGG group (a shorter window, more GROUP BY keys), or SUBSTRING(x, 1, n) on long columns',
      );
    default:
      return undefined;
  }
}

/** Something that should never happen: a bug in fintrans-sql, not in the job. */
export class InternalError extends FintransError {
  readonly userError = false;
  constructor(message: string) {
    super(`internal error (this is a bug in fintrans-sql, please report it): ${message}`);
  }
}

/** Control characters, and the invisible ones that reorder or break lines in a terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `s` with control characters written as escapes (`\n`, `\t`, `\x1b`, `\u202e`), for input
 * text shown to a person (bad records, late records): a record must not move the cursor, colour
 * or clear the terminal, or fake lines of output when printed.
 */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, (c) => {
    const code = c.charCodeAt(0);
    return (
      SHORT_ESCAPES[c] ??
      (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
    );
  });
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, max) + `… (${s.length - max} more characters)`;
}

/** Levenshtein distance, for "did you mean" hints. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let cur = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[n]!;
}

/** The closest candidate to `name` (case-insensitive), if it is close enough to be a likely typo. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.floor(name.length / 3));
  return best !== undefined && bestDist <= limit ? best : undefined;
}
