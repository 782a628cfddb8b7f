// Cuts window table-valued functions out of a query's text, because node-sql-parser cannot parse
// `TABLE(HOP(TABLE t, DESCRIPTOR(ts), INTERVAL '1' MINUTE, INTERVAL '10' MINUTES))`. Each one is
// replaced by a placeholder table name padded to the same length (keeping the number of line
// breaks), so every offset node-sql-parser reports for the rest of the query is unchanged.

import { didYouMean } from '../errors.js';
import { SQL_INTERVAL_UNIT_MS } from '../time/units.js';
import type { WindowTvf } from './ast.js';
import { isKeyword, isName, isOp, type LineIndex, type Token, tokenText, TokenCursor } from './tokenize.js';

type WindowKind = WindowTvf['kind'];

const KINDS: ReadonlySet<string> = new Set(['TUMBLE', 'HOP', 'CUMULATE', 'SESSION']);

/** What each kind's interval arguments are called, required ones first; the last is the optional offset. */
const INTERVAL_ARGS: Readonly<Record<WindowKind, { required: readonly string[]; offset: boolean }>> = {
  TUMBLE: { required: ['size'], offset: true },
  HOP: { required: ['slide', 'size'], offset: true },
  CUMULATE: { required: ['step', 'size'], offset: true },
  SESSION: { required: ['gap'], offset: false },
};

export function placeholderName(index: number): string {
  return `__window_${index}`;
}

export interface CutWindows {
  /** The text from `textStart` to `textEnd` with each window TVF replaced by its placeholder. */
  readonly text: string;
  readonly windows: WindowTvf[];
  /** The file offsets [start, end) of each cut-out span. */
  readonly spans: { readonly start: number; readonly end: number }[];
}

/**
 * Finds every `TABLE(<kind>(...))` among tokens [from, to) and replaces it in the range
 * [textStart, textEnd) of `text` (the file's text as node-sql-parser sees it, same offsets).
 */
export function cutWindowTvfs(
  tokens: readonly Token[],
  from: number,
  to: number,
  lines: LineIndex,
  text: string,
  textStart: number,
  textEnd: number,
): CutWindows {
  const windows: WindowTvf[] = [];
  const spans: { start: number; end: number }[] = [];
  const pieces: string[] = [];
  let copiedUpTo = textStart;
  for (let i = from; i < to; i++) {
    if (!isKeyword(tokens[i], 'TABLE') || !isOp(tokens[i + 1], '(')) continue;
    const kindTok = tokens[i + 2];
    if (
      !kindTok ||
      kindTok.kind !== 'ident' ||
      !KINDS.has(kindTok.value.toUpperCase()) ||
      !isOp(tokens[i + 3], '(')
    )
      continue;
    if (i + 3 >= to) continue;

    const cur = new TokenCursor(tokens, i + 4, to, lines);
    const placeholder = placeholderName(windows.length);
    const spec = parseWindowCall(cur, tokens[i]!, kindTok, placeholder, lines);
    const closeOuter = cur.peek();
    if (!closeOuter || !isOp(closeOuter, ')')) {
      throw cur.errorHere(
        `expected ')' to close TABLE(${spec.kind}(...))`,
        `write TABLE(${spec.kind}(TABLE t, DESCRIPTOR(ts), ...))`,
      );
    }
    windows.push(spec);

    const spanStart = tokens[i]!.start;
    const spanEnd = closeOuter.end;
    pieces.push(
      text.slice(copiedUpTo, spanStart),
      padPlaceholder(placeholder, text.slice(spanStart, spanEnd)),
    );
    spans.push({ start: spanStart, end: spanEnd });
    copiedUpTo = spanEnd;
    i = cur.i; // continue after the outer ')'
  }
  pieces.push(text.slice(copiedUpTo, textEnd));
  return { text: pieces.join(''), windows, spans };
}

/** `placeholder` + spaces + as many line breaks as `span` has: same length, same line count. */
function padPlaceholder(placeholder: string, span: string): string {
  let breaks = 0;
  for (let k = 0; k < span.length; k++) if (span.charCodeAt(k) === 10) breaks++;
  const spaces = span.length - placeholder.length - breaks;
  if (spaces < 0) throw new Error(`window TVF text shorter than its placeholder: ${span}`); // cannot happen: see header
  return placeholder + ' '.repeat(spaces) + '\n'.repeat(breaks);
}

/** Parses `TABLE t [PARTITION BY a, b], DESCRIPTOR(ts), INTERVAL ... [, INTERVAL ...] )` (inner call). */
function parseWindowCall(
  cur: TokenCursor,
  tableTok: Token,
  kindTok: Token,
  placeholder: string,
  lines: LineIndex,
): WindowTvf {
  const kind = kindTok.value.toUpperCase() as WindowKind;
  let partitionText = '';
  const example = (table: string, col: string): string => exampleCall(kind, table + partitionText, col);

  if (!cur.acceptKeyword('TABLE')) {
    throw cur.errorHere(
      `${kind} needs the table to window as its first argument, written TABLE <name>`,
      `write ${example('t', 'ts')}`,
    );
  }
  const tableNameTok = cur.peek();
  const table = readDottedName(cur, `a table name after TABLE`, `write ${example('t', 'ts')}`);

  const partitionBy: string[] = [];
  const partitionTok = cur.peek();
  if (cur.acceptKeyword('PARTITION')) {
    cur.expectKeyword('BY', `write ${kind}(TABLE ${table} PARTITION BY account_id, DESCRIPTOR(ts), ...)`);
    if (kind !== 'SESSION') {
      throw cur.errorAt(
        partitionTok!,
        `PARTITION BY is only supported in SESSION windows, not in ${kind}`,
        `remove PARTITION BY ...; group by the columns instead`,
      );
    }
    const parenthesized = cur.acceptOp('(') !== undefined;
    for (;;) {
      partitionBy.push(
        cur.expectName(
          'a column name in PARTITION BY',
          `write SESSION(TABLE ${table} PARTITION BY a, b, DESCRIPTOR(ts), INTERVAL '5' MINUTES)`,
        ).value,
      );
      if (parenthesized) {
        if (cur.acceptOp(')')) break;
        cur.expectOp(',');
      } else {
        // The list ends where the DESCRIPTOR argument starts: `PARTITION BY a, b, DESCRIPTOR(ts)`.
        if (!isOp(cur.peek(), ',') || isKeyword(cur.peek(1), 'DESCRIPTOR')) break;
        cur.next();
      }
    }
    partitionText = ` PARTITION BY ${partitionBy.join(', ')}`;
  }

  if (!cur.acceptOp(',')) {
    throw cur.errorHere(`expected ',' after TABLE ${table}`, `write ${example(table, 'ts')}`);
  }

  const descTok = cur.peek();
  if (!isKeyword(descTok, 'DESCRIPTOR')) {
    const col = isName(descTok) ? descTok.value : 'ts';
    throw cur.errorHere(
      `${kind} needs its time column written as DESCRIPTOR(${col})`,
      `write ${example(table, col)}`,
    );
  }
  cur.next();
  cur.expectOp('(', `write DESCRIPTOR(ts)`);
  const timeTok = cur.expectName(
    'the time column inside DESCRIPTOR(...)',
    `write DESCRIPTOR(ts) with the table's time attribute column`,
  );
  cur.expectOp(')', `DESCRIPTOR takes one column: DESCRIPTOR(${timeTok.value})`);

  const argNames = INTERVAL_ARGS[kind];
  const intervals: { ms: number; tok: Token }[] = [];
  while (cur.acceptOp(',')) {
    const isOffset = intervals.length === argNames.required.length;
    intervals.push(parseInterval(cur, kind, isOffset));
  }
  if (intervals.length < argNames.required.length) {
    const need =
      argNames.required.length === 1 ? `a ${argNames.required[0]}` : argNames.required.join(' and ');
    throw cur.errorAt(kindTok, `${kind} needs ${need}`, `write ${example(table, timeTok.value)}`);
  }
  const maxArgs = argNames.required.length + (argNames.offset ? 1 : 0);
  if (intervals.length > maxArgs) {
    const takes = argNames.required.join(' and ') + (argNames.offset ? ' and an optional offset' : '');
    throw cur.errorAt(
      intervals[maxArgs]!.tok,
      `too many intervals: ${kind} takes ${takes}`,
      `write ${example(table, timeTok.value)}`,
    );
  }
  if (!isOp(cur.peek(), ')')) {
    throw cur.errorHere(`expected ')' to close ${kind}(...)`, `write ${example(table, timeTok.value)}`);
  }
  cur.next();

  const firstMs = intervals[0]!.ms;
  const sizeMs = argNames.required.length === 2 ? intervals[1]!.ms : undefined;
  for (let k = 0; k < argNames.required.length; k++) {
    if (intervals[k]!.ms <= 0) {
      throw cur.errorAt(
        intervals[k]!.tok,
        `the ${kind} ${argNames.required[k]} must be greater than zero`,
        `write ${example(table, timeTok.value)}`,
      );
    }
  }
  if (sizeMs !== undefined && sizeMs % firstMs !== 0) {
    const first = argNames.required[0];
    throw cur.errorAt(
      intervals[1]!.tok,
      `the ${kind} size must be a whole multiple of its ${first}`,
      `e.g. ${first} INTERVAL '1' MINUTE with size INTERVAL '10' MINUTES`,
    );
  }

  return {
    placeholder,
    kind,
    table,
    tablePos: lines.pos(tableNameTok!.start),
    timeColumn: timeTok.value,
    timeColumnPos: lines.pos(timeTok.start),
    partitionBy,
    firstMs,
    ...(sizeMs !== undefined ? { sizeMs } : {}),
    offsetMs: intervals.length > argNames.required.length ? intervals[intervals.length - 1]!.ms : 0,
    pos: lines.pos(tableTok.start),
  };
}

function exampleCall(kind: WindowKind, table: string, col: string): string {
  const head = `${kind}(TABLE ${table}, DESCRIPTOR(${col}), `;
  switch (kind) {
    case 'TUMBLE':
      return `${head}INTERVAL '10' MINUTES)`;
    case 'HOP':
      return `${head}INTERVAL '1' MINUTE, INTERVAL '10' MINUTES)`;
    case 'CUMULATE':
      return `${head}INTERVAL '1' HOUR, INTERVAL '1' DAY)`;
    case 'SESSION':
      return `${head}INTERVAL '5' MINUTES)`;
  }
}

function readDottedName(cur: TokenCursor, what: string, hint: string): string {
  let name = cur.expectName(what, hint).value;
  while (isOp(cur.peek(), '.') && isName(cur.peek(1))) {
    cur.next();
    name += '.' + cur.next()!.value;
  }
  return name;
}

/** `INTERVAL '10' MINUTES` → ms. Only the offset may be negative. */
function parseInterval(cur: TokenCursor, kind: WindowKind, isOffset: boolean): { ms: number; tok: Token } {
  const start = cur.peek();
  if (!isKeyword(start, 'INTERVAL')) {
    throw cur.errorHere(`expected an INTERVAL argument in ${kind}(...)`, `write e.g. INTERVAL '10' MINUTES`);
  }
  cur.next();
  const valueTok = cur.peek();
  if (valueTok?.kind === 'number') {
    throw cur.errorAt(
      valueTok,
      `the interval value must be quoted`,
      `write INTERVAL '${valueTok.value}' ${unitAfter(cur) ?? 'MINUTES'}`,
    );
  }
  const v = cur.expectString('the interval value', `write e.g. INTERVAL '10' MINUTES`);
  const text = v.value.trim();
  if (!(isOffset ? /^-?\d+(\.\d+)?$/ : /^\d+(\.\d+)?$/).test(text)) {
    throw cur.errorAt(
      v,
      `interval value '${v.value}' is not a ${isOffset ? '' : 'non-negative '}number`,
      `write the number in quotes and the unit after it, e.g. INTERVAL '10' MINUTES`,
    );
  }
  const unitTok = cur.peek();
  if (!unitTok || unitTok.kind !== 'ident') {
    throw cur.errorHere(
      `expected an interval unit after INTERVAL '${v.value}'`,
      `write INTERVAL '${v.value}' MINUTES (units: MILLISECOND, SECOND, MINUTE, HOUR, DAY, singular or plural)`,
    );
  }
  const unit = unitTok.value.toUpperCase();
  const unitMs = SQL_INTERVAL_UNIT_MS[unit];
  if (unitMs === undefined) {
    const guess = didYouMean(unit, Object.keys(SQL_INTERVAL_UNIT_MS));
    throw cur.errorAt(
      unitTok,
      `unknown interval unit '${tokenText(cur.text, unitTok)}'${guess ? ` — did you mean ${guess}?` : ''}`,
      'use MILLISECOND, SECOND, MINUTE, HOUR or DAY (singular or plural)' +
        (unit === 'WEEK' || unit === 'WEEKS' ? `, e.g. INTERVAL '7' DAYS` : ''),
    );
  }
  cur.next();
  if (isKeyword(cur.peek(), 'TO')) {
    throw cur.errorHere(
      `INTERVAL ... ${unit} TO ... is not supported in window functions`,
      `write a single unit, e.g. INTERVAL '90' MINUTES`,
    );
  }
  const exact = Number(text) * unitMs;
  const ms = Math.round(exact);
  if (Math.abs(exact - ms) > 1e-6) {
    throw cur.errorAt(
      v,
      `interval '${v.value}' ${unit} is not a whole number of milliseconds`,
      `use a smaller unit, e.g. INTERVAL '1500' MILLISECOND`,
    );
  }
  return { ms, tok: start! };
}

function unitAfter(cur: TokenCursor): string | undefined {
  const t = cur.peek(1);
  return t?.kind === 'ident' ? t.value : undefined;
}
