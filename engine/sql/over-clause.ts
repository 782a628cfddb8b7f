// Cuts window function calls (`SUM(x) OVER (PARTITION BY a ORDER BY ts RANGE ...)`, `ROW_NUMBER()
// OVER w`) and `WINDOW w AS (...)` clauses out of a query's text: node-sql-parser's flinksql
// grammar reads neither. Each call is handed to it wrapped in a marker function, `__o3(SUM(x))`,
// padded with spaces to the length of the text it replaces (line breaks kept), so every offset
// after it stays where it was (inside the call they move by the marker's width). The planner finds
// the marker in the tree and looks its window up here; WINDOW clauses become spaces.

import { SqlError } from '../errors.js';
import { SQL_INTERVAL_UNIT_MS } from '../time/units.js';
import type { FrameBound, OverCall, OverSpec, WindowExpr, WindowFrame } from './ast.js';
import { someNode, type AnyNode, type SqlExpr } from './nodes.js';
import type { ParseExpression } from './ddl.js';
import { isKeyword, isName, isOp, type LineIndex, type Token, tokenText } from './tokenize.js';

export interface CutOverClauses {
  readonly text: string;
  readonly calls: OverCall[];
}

const MARKER_PREFIX = '__o';

/** The OVER call a node stands for (a marker function), else undefined. */
export function overCallOf(
  node: AnyNode,
  calls: readonly OverCall[] | undefined,
): { call: OverCall; inner: SqlExpr } | undefined {
  if (!calls || calls.length === 0 || node.type !== 'function') return undefined;
  if (!node.name.startsWith(MARKER_PREFIX) || node.args.length !== 1) return undefined;
  const call = calls.find((c) => c.marker === node.name);
  return call ? { call, inner: node.args[0]! } : undefined;
}

/** Whether a tree holds an OVER call anywhere. */
export function containsOverCall(
  nodes: AnyNode | readonly AnyNode[] | null | undefined,
  calls: readonly OverCall[] | undefined,
): boolean {
  if (!calls || calls.length === 0 || !nodes) return false;
  const list: readonly AnyNode[] = Array.isArray(nodes) ? nodes : [nodes as AnyNode];
  return list.some((n) => someNode(n, (x) => overCallOf(x, calls) !== undefined));
}

/** A RANGE frame's interval units: the SQL interval units from SECOND to DAY (no MILLISECOND here). */
const UNIT_MS: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(SQL_INTERVAL_UNIT_MS).filter(([unit]) => !unit.startsWith('MILLISECOND')),
);

const EXAMPLE = `OVER (PARTITION BY account ORDER BY ts RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW)`;

/**
 * Finds the OVER calls and WINDOW clauses among tokens [from, to) and rewrites them in `text` (the
 * file's text as node-sql-parser sees it, same offsets). `parseExpression` parses a PARTITION BY or
 * ORDER BY expression from its tokens.
 */
export function cutOverClauses(
  tokens: readonly Token[],
  from: number,
  to: number,
  lines: LineIndex,
  text: string,
  parseExpression: ParseExpression,
  /** Whether a word is reserved in Flink SQL (a window name must then be written in backticks). */
  isReserved: (word: string) => boolean,
): CutOverClauses {
  const checkName = (t: Token): void => {
    if (t.kind === 'ident' && isReserved(t.value)) {
      throw new SqlError(
        lines.pos(t.start),
        `'${tokenText(lines.text, t)}' is a reserved word in Flink SQL`,
        `name the window otherwise (w_${t.value.toLowerCase()}), or write it in backticks`,
      );
    }
  };
  const depth: number[] = [];
  let d = 0;
  for (let k = from; k < to; k++) {
    if (isOp(tokens[k], ')')) d--;
    depth[k] = d;
    if (isOp(tokens[k], '(')) d++;
  }
  const reader = new SpecReader(tokens, to, lines, parseExpression);

  // WINDOW w AS (...) [, w2 AS (...)]: a SELECT block's named windows.
  const named: { name: string; spec: OverSpec; start: number; depth: number }[] = [];
  const blanks: { start: number; end: number }[] = [];
  for (let k = from; k < to; k++) {
    if (!isKeyword(tokens[k], 'WINDOW') || !isName(tokens[k + 1]) || !isKeyword(tokens[k + 2], 'AS'))
      continue;
    const start = tokens[k]!.start;
    let j = k;
    for (;;) {
      const nameTok = tokens[j + 1]!;
      checkName(nameTok);
      if (!isKeyword(tokens[j + 2], 'AS') || !isOp(tokens[j + 3], '(')) {
        throw new SqlError(
          lines.pos(nameTok.start),
          `expected WINDOW ${nameTok.value} AS (...)`,
          `write WINDOW w AS (PARTITION BY account ORDER BY ts ROWS BETWEEN 10 PRECEDING AND CURRENT ROW)`,
        );
      }
      const r = reader.spec(j + 4);
      named.push({
        name: nameTok.value,
        spec: { ...r.spec, name: nameTok.value },
        start: nameTok.start,
        depth: depth[k]!,
      });
      j = r.next; // just after ')'
      if (isOp(tokens[j], ',') && isName(tokens[j + 1]) && isKeyword(tokens[j + 2], 'AS')) continue;
      break;
    }
    blanks.push({ start, end: tokens[j - 1]!.end });
    k = j - 1;
  }

  const calls: OverCall[] = [];
  const pieces: { start: number; end: number; text: string }[] = blanks.map((b) => ({
    ...b,
    text: blankOut(text.slice(b.start, b.end)),
  }));
  for (let k = from; k < to; k++) {
    const over = tokens[k]!;
    if (!isKeyword(over, 'OVER')) continue;
    if (blanks.some((b) => over.start >= b.start && over.end <= b.end)) continue;
    const close = tokens[k - 1];
    const open = isOp(close, ')') ? matchingOpen(tokens, from, k - 1) : undefined;
    const nameTok = open !== undefined ? tokens[open - 1] : undefined;
    if (open === undefined || !nameTok || nameTok.kind !== 'ident') {
      throw new SqlError(
        lines.pos(over.start),
        `OVER must follow a function call`,
        `write e.g. SUM(amount) ${EXAMPLE}`,
      );
    }
    if (isKeyword(nameTok, 'FILTER')) {
      throw new SqlError(
        lines.pos(nameTok.start),
        `an aggregate with FILTER (WHERE ...) cannot take OVER (as in Flink: OVER must be applied to aggregate function)`,
        `put the condition inside it: SUM(CASE WHEN amount > 100 THEN amount END) OVER w`,
      );
    }
    let spec: OverSpec;
    let end: number;
    if (isOp(tokens[k + 1], '(')) {
      const r = reader.spec(k + 2);
      spec = r.spec;
      end = tokens[r.next - 1]!.end;
      k = r.next - 1;
    } else if (isName(tokens[k + 1])) {
      const ref = tokens[k + 1]!;
      checkName(ref);
      const candidates = named.filter(
        (w) =>
          w.start > ref.start && w.depth <= depth[k]! && w.name.toLowerCase() === ref.value.toLowerCase(),
      );
      const found = candidates[0];
      if (!found) {
        throw new SqlError(
          lines.pos(ref.start),
          `unknown window '${ref.value}'`,
          `define it after the FROM/WHERE/GROUP BY/HAVING of this query: WINDOW ${ref.value} AS (PARTITION BY ... ORDER BY ts ...)`,
        );
      }
      spec = found.spec;
      end = ref.end;
      k = k + 1;
    } else {
      throw new SqlError(
        lines.pos(over.start),
        `expected a window after OVER`,
        `write ${EXAMPLE}, or OVER w with WINDOW w AS (...)`,
      );
    }
    const clause = clauseOf(tokens, from, open - 1, depth);
    if (clause !== 'SELECT') {
      throw new SqlError(
        lines.pos(over.start),
        `a window function (OVER) is not allowed in ${clause} (as in Flink: Windowed aggregate expression is illegal in ${clause} clause)`,
        `compute it in the SELECT list of a sub-query and filter on its result outside`,
      );
    }
    const marker = `${MARKER_PREFIX}${calls.length}`;
    const callStart = nameTok.start;
    const span = text.slice(callStart, end);
    const call = text.slice(callStart, close!.end);
    const wrapped = `${marker}(${call})`;
    const breaks = countBreaks(span) - countBreaks(call);
    const spaces = span.length - wrapped.length - breaks;
    if (spaces < 0) {
      throw new SqlError(
        lines.pos(over.start),
        `too many OVER calls in one query for the window name '${tokenText(lines.text, tokens[k]!)}'`,
        `give the window a longer name`,
      );
    }
    pieces.push({ start: callStart, end, text: wrapped + ' '.repeat(spaces) + '\n'.repeat(breaks) });
    calls.push({ marker, spec, functionName: nameTok.value.toUpperCase(), pos: lines.pos(nameTok.start) });
  }

  pieces.sort((a, b) => a.start - b.start);
  let out = '';
  let copied = 0;
  for (const p of pieces) {
    out += text.slice(copied, p.start) + p.text;
    copied = p.end;
  }
  return { text: out + text.slice(copied), calls };
}

const CLAUSES: Readonly<Record<string, string>> = {
  SELECT: 'SELECT',
  WHERE: 'WHERE',
  GROUP: 'GROUP BY',
  HAVING: 'HAVING',
  ON: 'ON',
  FROM: 'FROM',
  ORDER: 'ORDER BY',
};

/** The clause token k stands in: the nearest clause keyword before it at its depth or outside. */
function clauseOf(tokens: readonly Token[], from: number, k: number, depth: readonly number[]): string {
  let d = depth[k]!;
  for (let j = k - 1; j >= from; j--) {
    if (depth[j]! > d) continue;
    d = Math.min(d, depth[j]!);
    const t = tokens[j]!;
    if (t.kind === 'ident' && CLAUSES[t.value.toUpperCase()]) return CLAUSES[t.value.toUpperCase()]!;
  }
  return 'SELECT';
}

function matchingOpen(tokens: readonly Token[], from: number, close: number): number | undefined {
  let depth = 0;
  for (let j = close; j >= from; j--) {
    if (isOp(tokens[j], ')')) depth++;
    else if (isOp(tokens[j], '(') && --depth === 0) return j;
  }
  return undefined;
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}

function blankOut(span: string): string {
  return span.replace(/[^\n]/g, ' ');
}

/** Reads the inside of `OVER (...)` / `AS (...)`: PARTITION BY, ORDER BY, ROWS|RANGE. */
class SpecReader {
  constructor(
    private readonly tokens: readonly Token[],
    private readonly to: number,
    private readonly lines: LineIndex,
    private readonly parseExpression: ParseExpression,
  ) {}

  private err(k: number, problem: string, hint = `write ${EXAMPLE}`): SqlError {
    const t = this.tokens[Math.min(k, this.to - 1)]!;
    const found = k < this.to ? `, found '${tokenText(this.lines.text, t)}'` : ' at the end of the statement';
    return new SqlError(this.lines.pos(k < this.to ? t.start : t.end), problem + found, hint);
  }

  /** Parses from token k (just after '(') to the matching ')'; `next` is the token after it. */
  spec(k: number): { spec: OverSpec; next: number } {
    const tokens = this.tokens;
    const first = tokens[k];
    if (!first) throw this.err(k, `expected a window specification`);
    const pos = this.lines.pos(first.start);
    if (
      isName(first) &&
      !['PARTITION', 'ORDER', 'ROWS', 'RANGE'].includes(first.value.toUpperCase()) &&
      first.kind === 'ident'
    ) {
      throw new SqlError(
        pos,
        `a window that extends a named window (OVER (${first.value} ...)) is not supported`,
        `repeat the named window's PARTITION BY and ORDER BY inside OVER (...)`,
      );
    }
    const partitionBy: WindowExpr[] = [];
    if (isKeyword(tokens[k], 'PARTITION')) {
      if (!isKeyword(tokens[k + 1], 'BY')) throw this.err(k + 1, `expected BY after PARTITION`);
      k += 2;
      for (;;) {
        const end = this.exprEnd(k, ['ORDER', 'ROWS', 'RANGE']);
        partitionBy.push(this.expr(k, end));
        k = end;
        if (!isOp(tokens[k], ',')) break;
        k++;
      }
    }
    const orderBy: OverSpec['orderBy'][number][] = [];
    if (isKeyword(tokens[k], 'ORDER')) {
      if (!isKeyword(tokens[k + 1], 'BY')) throw this.err(k + 1, `expected BY after ORDER`);
      k += 2;
      for (;;) {
        const end = this.exprEnd(k, ['ROWS', 'RANGE', 'ASC', 'DESC', 'NULLS']);
        const expr = this.expr(k, end);
        k = end;
        let descending = false;
        if (isKeyword(tokens[k], 'ASC')) k++;
        else if (isKeyword(tokens[k], 'DESC')) {
          descending = true;
          k++;
        }
        let nullsFirst: boolean | null = null;
        if (isKeyword(tokens[k], 'NULLS')) {
          if (isKeyword(tokens[k + 1], 'FIRST')) nullsFirst = true;
          else if (isKeyword(tokens[k + 1], 'LAST')) nullsFirst = false;
          else throw this.err(k + 1, `expected FIRST or LAST after NULLS`);
          k += 2;
        }
        orderBy.push({ expr, descending, nullsFirst });
        if (!isOp(tokens[k], ',')) break;
        k++;
      }
    }
    let frame: WindowFrame | null = null;
    if (isKeyword(tokens[k], 'ROWS') || isKeyword(tokens[k], 'RANGE')) {
      const unitTok = tokens[k]!;
      const unit = unitTok.value.toUpperCase() as 'ROWS' | 'RANGE';
      k++;
      let lower: FrameBound;
      let upper: FrameBound;
      if (isKeyword(tokens[k], 'BETWEEN')) {
        const lo = this.bound(k + 1, unit);
        if (!isKeyword(tokens[lo.next], 'AND'))
          throw this.err(lo.next, `expected AND in ${unit} BETWEEN ... AND ...`);
        const hi = this.bound(lo.next + 1, unit);
        lower = lo.bound;
        upper = hi.bound;
        k = hi.next;
      } else {
        const lo = this.bound(k, unit);
        lower = lo.bound;
        upper = { kind: 'current-row', pos: lower.pos };
        k = lo.next;
      }
      frame = { unit, lower, upper, pos: this.lines.pos(unitTok.start) };
    }
    if (isKeyword(tokens[k], 'EXCLUDE'))
      throw new SqlError(
        this.lines.pos(tokens[k]!.start),
        `EXCLUDE in a window frame is not supported`,
        `remove it`,
      );
    if (!isOp(tokens[k], ')')) throw this.err(k, `expected ')' to close the window specification`);
    return { spec: { partitionBy, orderBy, frame, pos }, next: k + 1 };
  }

  /** The end (exclusive) of an expression starting at k: the first top-level ',' ')' or stop word. */
  private exprEnd(k: number, stops: readonly string[]): number {
    let depth = 0;
    let j = k;
    for (; j < this.to; j++) {
      const t = this.tokens[j]!;
      if (isOp(t, '(')) depth++;
      else if (isOp(t, ')')) {
        if (depth === 0) break;
        depth--;
      } else if (
        depth === 0 &&
        (isOp(t, ',') || (t.kind === 'ident' && stops.includes(t.value.toUpperCase())))
      )
        break;
    }
    if (j === k) throw this.err(k, `expected an expression`);
    return j;
  }

  private expr(k: number, end: number): WindowExpr {
    const { expr, positions } = this.parseExpression(k, end);
    return { node: expr, positions, pos: this.lines.pos(this.tokens[k]!.start) };
  }

  private bound(k: number, unit: 'ROWS' | 'RANGE'): { bound: FrameBound; next: number } {
    const tokens = this.tokens;
    const t = tokens[k];
    const pos = t ? this.lines.pos(t.start) : this.lines.pos(tokens[this.to - 1]!.end);
    if (isKeyword(t, 'UNBOUNDED')) {
      if (isKeyword(tokens[k + 1], 'PRECEDING'))
        return { bound: { kind: 'unbounded-preceding', pos }, next: k + 2 };
      if (isKeyword(tokens[k + 1], 'FOLLOWING'))
        return { bound: { kind: 'unbounded-following', pos }, next: k + 2 };
      throw this.err(k + 1, `expected PRECEDING or FOLLOWING after UNBOUNDED`);
    }
    if (isKeyword(t, 'CURRENT')) {
      if (!isKeyword(tokens[k + 1], 'ROW')) throw this.err(k + 1, `expected ROW after CURRENT`);
      return { bound: { kind: 'current-row', pos }, next: k + 2 };
    }
    let rows: number | undefined;
    let ms: number | undefined;
    let j = k;
    if (t?.kind === 'number') {
      if (!/^\d+$/.test(t.value)) throw this.err(k, `the number of rows must be a whole number`);
      if (unit === 'RANGE') {
        throw new SqlError(
          pos,
          `RANGE ${t.value} PRECEDING: a range over a time attribute is an INTERVAL`,
          `write RANGE BETWEEN INTERVAL '${t.value}' SECOND PRECEDING AND CURRENT ROW, or ROWS BETWEEN ${t.value} PRECEDING AND CURRENT ROW`,
        );
      }
      rows = Number(t.value);
      j = k + 1;
    } else if (isKeyword(t, 'INTERVAL')) {
      const v = tokens[k + 1];
      const u = tokens[k + 2];
      if (v?.kind !== 'string' || !/^\s*\d+\s*$/.test(v.value))
        throw this.err(
          k + 1,
          `expected the interval's value as a quoted whole number`,
          `write INTERVAL '1' HOUR`,
        );
      const unitMs = u?.kind === 'ident' ? UNIT_MS[u.value.toUpperCase()] : undefined;
      if (unitMs === undefined)
        throw this.err(
          k + 2,
          `expected SECOND, MINUTE, HOUR or DAY`,
          `write INTERVAL '${v.value.trim()}' HOUR`,
        );
      j = k + 3;
      // A leading precision: INTERVAL '168' HOUR(3).
      if (isOp(tokens[j], '(') && tokens[j + 1]?.kind === 'number' && isOp(tokens[j + 2], ')')) j += 3;
      if (isKeyword(tokens[j], 'TO'))
        throw this.err(
          j,
          `an interval with TO is not supported here`,
          `write a single unit, e.g. INTERVAL '90' MINUTE`,
        );
      if (unit === 'ROWS')
        throw new SqlError(
          pos,
          `ROWS counts rows: its bound is a number, not an INTERVAL`,
          `write ROWS BETWEEN 10 PRECEDING AND CURRENT ROW, or RANGE BETWEEN INTERVAL ... PRECEDING AND CURRENT ROW`,
        );
      ms = Number(v.value.trim()) * unitMs;
    } else {
      throw this.err(
        k,
        `expected UNBOUNDED PRECEDING, CURRENT ROW, <n> PRECEDING or INTERVAL '...' <unit> PRECEDING`,
      );
    }
    const dir = tokens[j];
    if (!isKeyword(dir, 'PRECEDING') && !isKeyword(dir, 'FOLLOWING'))
      throw this.err(j, `expected PRECEDING or FOLLOWING`);
    const kind = isKeyword(dir, 'PRECEDING') ? 'preceding' : 'following';
    return {
      bound: { kind, ...(rows !== undefined ? { rows } : {}), ...(ms !== undefined ? { ms } : {}), pos },
      next: j + 1,
    };
  }
}
