// Cuts `<table or sub-query> MATCH_RECOGNIZE (...) [AS alias]` out of a query's text: node-sql-parser
// cannot read it. The clause is replaced by a placeholder name of the same length (line breaks
// kept), which node-sql-parser then reads as the FROM item's alias; the planner finds the clause by
// that alias (engine/plan/match-recognize.ts). The inside is parsed here: PARTITION BY, ORDER BY,
// MEASURES, ONE ROW PER MATCH, AFTER MATCH SKIP, PATTERN, WITHIN, DEFINE, in Flink's order; the
// expressions of MEASURES and DEFINE are parsed by node-sql-parser one at a time.

import { didYouMean, SqlError, type SourcePos } from '../errors.js';
import { SQL_INTERVAL_UNIT_MS } from '../time/units.js';
import type {
  AfterMatchSkip,
  MatchExpression,
  MatchRecognizeClause,
  PatternQuantifier,
  PatternTerm,
  WindowExpr,
} from './ast.js';
import type { ParseExpression } from './ddl.js';
import { isKeyword, isName, isOp, type LineIndex, type Token, tokenText, TokenCursor } from './tokenize.js';

export interface CutMatchRecognize {
  readonly text: string;
  readonly clauses: MatchRecognizeClause[];
  /** File offsets [start, end) of the cut spans (their INTERVALs are read here, not by node-sql-parser). */
  readonly spans: { readonly start: number; readonly end: number }[];
}

/** Words after which a FROM item has no alias: the clause's alias is whatever name follows it otherwise. */
const NOT_AN_ALIAS = new Set([
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'INTERSECT',
  'MINUS',
  'JOIN',
  'LEFT',
  'RIGHT',
  'INNER',
  'FULL',
  'CROSS',
  'ON',
  'WINDOW',
]);

const EXAMPLE = `MATCH_RECOGNIZE (PARTITION BY account ORDER BY ts MEASURES FIRST(A.ts) AS first_ts ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+ C) DEFINE B AS B.amount < 10000)`;

export function matchPlaceholder(index: number): string {
  return `__match_${index}`;
}

export function cutMatchRecognize(
  tokens: readonly Token[],
  from: number,
  to: number,
  lines: LineIndex,
  text: string,
  parseExpression: ParseExpression,
): CutMatchRecognize {
  const clauses: MatchRecognizeClause[] = [];
  const spans: { start: number; end: number }[] = [];
  let out = text;
  for (let k = from; k < to; k++) {
    const kw = tokens[k]!;
    if (!isKeyword(kw, 'MATCH_RECOGNIZE')) continue;
    const cur = new TokenCursor(tokens, k + 1, to, lines);
    cur.expectOp('(', `write ${EXAMPLE}`);
    const close = matchingClose(tokens, cur.i - 1, to);
    if (close === undefined)
      throw cur.errorAt(
        tokens[cur.i - 1]!,
        `this '(' of MATCH_RECOGNIZE is never closed`,
        `write ${EXAMPLE}`,
      );
    const inner = new TokenCursor(tokens, cur.i, close, lines);
    const placeholder = matchPlaceholder(clauses.length);
    const parsed = new ClauseReader(inner, parseExpression).read();
    // [AS] alias after the closing parenthesis.
    let end = close + 1;
    let alias: string | null = null;
    if (isKeyword(tokens[end], 'AS') && end < to) {
      if (!isName(tokens[end + 1]) || end + 1 >= to)
        throw new SqlError(
          lines.pos(tokens[end]!.start),
          `expected a name after AS`,
          `write MATCH_RECOGNIZE (...) AS m`,
        );
      alias = tokens[end + 1]!.value;
      end += 2;
    } else if (end < to && isName(tokens[end]) && !NOT_AN_ALIAS.has(tokens[end]!.value.toUpperCase())) {
      alias = tokens[end]!.value;
      end += 1;
    }
    const spanStart = kw.start;
    const spanEnd = tokens[end - 1]!.end;
    out =
      out.slice(0, spanStart) +
      padPlaceholder(placeholder, out.slice(spanStart, spanEnd)) +
      out.slice(spanEnd);
    spans.push({ start: spanStart, end: spanEnd });
    clauses.push({ placeholder, alias, ...parsed, pos: lines.pos(kw.start) });
    k = end - 1;
  }
  return { text: out, clauses, spans };
}

/** The index of the ')' closing the '(' at `open`, or undefined. */
function matchingClose(tokens: readonly Token[], open: number, to: number): number | undefined {
  let depth = 0;
  for (let k = open; k < to; k++) {
    if (isOp(tokens[k], '(')) depth++;
    else if (isOp(tokens[k], ')') && --depth === 0) return k;
  }
  return undefined;
}

/** `placeholder` + spaces + as many line breaks as `span` has: same length, same line count. */
function padPlaceholder(placeholder: string, span: string): string {
  let breaks = 0;
  for (let k = 0; k < span.length; k++) if (span.charCodeAt(k) === 10) breaks++;
  return (
    placeholder + ' '.repeat(Math.max(0, span.length - placeholder.length - breaks)) + '\n'.repeat(breaks)
  );
}

type ParsedClause = Omit<MatchRecognizeClause, 'placeholder' | 'alias' | 'pos'>;

/** The clauses inside MATCH_RECOGNIZE ( ... ), in the order Flink's grammar has them. */
class ClauseReader {
  constructor(
    private readonly cur: TokenCursor,
    private readonly parseExpression: ParseExpression,
  ) {}

  read(): ParsedClause {
    const cur = this.cur;
    const partitionBy: WindowExpr[] = [];
    if (cur.acceptKeyword('PARTITION')) {
      cur.expectKeyword('BY', 'write PARTITION BY account');
      for (const [a, b] of this.list(['ORDER', 'MEASURES', 'ONE', 'ALL', 'AFTER', 'PATTERN']))
        partitionBy.push(this.expr(a, b));
    }
    const orderBy: { expr: WindowExpr; descending: boolean }[] = [];
    if (cur.acceptKeyword('ORDER')) {
      cur.expectKeyword('BY', 'write ORDER BY ts');
      for (const [a, b] of this.list(['MEASURES', 'ONE', 'ALL', 'AFTER', 'PATTERN'])) {
        const last = cur.tokens[b - 1];
        const descending = isKeyword(last, 'DESC');
        const end = descending || isKeyword(last, 'ASC') ? b - 1 : b;
        orderBy.push({ expr: this.expr(a, end), descending });
      }
    }
    const measures: (MatchExpression & { name: string; namePos: SourcePos })[] = [];
    if (cur.acceptKeyword('MEASURES')) {
      for (const [a, b] of this.list(['ONE', 'ALL', 'AFTER', 'PATTERN'])) measures.push(this.measure(a, b));
    }
    let allRows: SourcePos | null = null;
    const rowsTok = cur.peek();
    if (cur.acceptKeyword('ONE') || cur.acceptKeyword('ALL')) {
      const one = isKeyword(rowsTok, 'ONE');
      cur.expectKeyword(one ? 'ROW' : 'ROWS', 'write ONE ROW PER MATCH');
      cur.expectKeyword('PER', 'write ONE ROW PER MATCH');
      cur.expectKeyword('MATCH', 'write ONE ROW PER MATCH');
      if (!one) allRows = cur.pos(rowsTok!);
    }
    const after = this.afterMatch();
    const patternTok = cur.peek();
    if (!cur.acceptKeyword('PATTERN')) {
      throw cur.errorHere(
        `expected PATTERN (...) in MATCH_RECOGNIZE`,
        `the clauses come in this order: PARTITION BY, ORDER BY, MEASURES, ONE ROW PER MATCH, AFTER MATCH SKIP, PATTERN, WITHIN, DEFINE`,
      );
    }
    const pattern = this.pattern();
    let withinMs: number | null = null;
    if (cur.acceptKeyword('WITHIN')) withinMs = this.interval();
    if (isKeyword(cur.peek(), 'SUBSET'))
      throw cur.errorHere(
        `SUBSET is not supported (as in Flink: SUBSET is not supported yet)`,
        `refer to each pattern variable on its own`,
      );
    const define: (MatchExpression & { variable: string; variablePos: SourcePos })[] = [];
    // Flink's grammar requires DEFINE (a variable it does not name takes any row).
    if (!cur.acceptKeyword('DEFINE'))
      throw cur.errorHere(
        `MATCH_RECOGNIZE needs a DEFINE clause (as in Flink, whose grammar requires it)`,
        `define at least one variable: DEFINE A AS A.amount > 100`,
      );
    for (const [a, b] of this.list([])) define.push(this.definition(a, b));
    if (!cur.atEnd()) {
      throw cur.errorHere(
        `unexpected '${tokenText(cur.text, cur.peek()!)}' in MATCH_RECOGNIZE`,
        `the clauses come in this order: PARTITION BY, ORDER BY, MEASURES, ONE ROW PER MATCH, AFTER MATCH SKIP, PATTERN, WITHIN, DEFINE`,
      );
    }
    return {
      partitionBy,
      orderBy,
      measures,
      allRows,
      after,
      pattern,
      patternPos: cur.pos(patternTok!),
      withinMs,
      define,
    };
  }

  /** Comma-separated items from the cursor up to one of `stops` (top level) or the end: token ranges. */
  private list(stops: readonly string[]): [number, number][] {
    const cur = this.cur;
    const items: [number, number][] = [];
    let start = cur.i;
    let depth = 0;
    for (;;) {
      const t = cur.peek();
      const atStop = !t || (depth === 0 && t.kind === 'ident' && stops.includes(t.value.toUpperCase()));
      if (atStop || (depth === 0 && isOp(t, ','))) {
        if (cur.i === start)
          throw cur.errorHere(
            atStop ? `expected an item here` : `unexpected ','`,
            `separate the items with single commas`,
          );
        items.push([start, cur.i]);
        if (atStop) return items;
        cur.next();
        start = cur.i;
        continue;
      }
      if (isOp(t, '(')) depth++;
      else if (isOp(t, ')')) depth--;
      cur.next();
    }
  }

  private expr(first: number, end: number): WindowExpr {
    const { expr, positions } = this.parseExpression(first, end);
    return { node: expr, positions, pos: this.cur.pos(this.cur.tokens[first]!) };
  }

  /** `expr AS name` (FINAL before it is the only meaning ONE ROW PER MATCH has, and is dropped). */
  private measure(first: number, end: number): MatchExpression & { name: string; namePos: SourcePos } {
    const toks = this.cur.tokens;
    const nameTok = toks[end - 1]!;
    if (end - first < 3 || !isKeyword(toks[end - 2], 'AS') || !isName(nameTok)) {
      throw this.cur.errorAt(
        toks[first]!,
        `each measure needs a name: expression AS name`,
        `write MEASURES FIRST(A.ts) AS start_ts, SUM(B.amount) AS total`,
      );
    }
    let start = first;
    if (isKeyword(toks[start], 'FINAL') && start + 1 < end - 2) start++;
    if (isKeyword(toks[start], 'RUNNING') && start + 1 < end - 2) {
      throw this.cur.errorAt(
        toks[start]!,
        `RUNNING is not supported in MEASURES (as in Flink: only FINAL semantics, with ONE ROW PER MATCH)`,
        `remove RUNNING: each measure is computed over the whole match`,
      );
    }
    return { ...this.expr(start, end - 2), name: nameTok.value, namePos: this.cur.pos(nameTok) };
  }

  /** `variable AS condition` */
  private definition(
    first: number,
    end: number,
  ): MatchExpression & { variable: string; variablePos: SourcePos } {
    const toks = this.cur.tokens;
    const varTok = toks[first]!;
    if (!isName(varTok) || !isKeyword(toks[first + 1], 'AS') || end - first < 3) {
      throw this.cur.errorAt(
        varTok,
        `each definition is: variable AS condition`,
        `write DEFINE B AS B.amount < 10000`,
      );
    }
    return { ...this.expr(first + 2, end), variable: varTok.value, variablePos: this.cur.pos(varTok) };
  }

  private afterMatch(): AfterMatchSkip {
    const cur = this.cur;
    const afterTok = cur.peek();
    if (!cur.acceptKeyword('AFTER')) return { kind: 'past-last-row', pos: cur.herePos() };
    const usage =
      'write AFTER MATCH SKIP PAST LAST ROW, SKIP TO NEXT ROW, SKIP TO FIRST var or SKIP TO LAST var';
    cur.expectKeyword('MATCH', usage);
    cur.expectKeyword('SKIP', usage);
    const pos = cur.pos(afterTok!);
    if (cur.acceptKeyword('PAST')) {
      cur.expectKeyword('LAST', usage);
      cur.expectKeyword('ROW', usage);
      return { kind: 'past-last-row', pos };
    }
    cur.expectKeyword('TO', usage);
    if (cur.acceptKeyword('NEXT')) {
      cur.expectKeyword('ROW', usage);
      return { kind: 'to-next-row', pos };
    }
    // SKIP TO var is SKIP TO LAST var (SQL standard).
    const first = cur.acceptKeyword('FIRST') !== undefined;
    if (!first) cur.acceptKeyword('LAST');
    const variable = cur.expectName('a pattern variable', usage).value;
    return { kind: first ? 'to-first' : 'to-last', variable, pos };
  }

  private pattern(): PatternTerm[] {
    const cur = this.cur;
    const usage = `write PATTERN (A B+ C) with each variable once, quantifiers * + ? {n} {n,} {n,m} and their reluctant forms *? +? {n,m}?`;
    const open = cur.expectOp('(', usage);
    const close = matchingClose(cur.tokens, cur.i - 1, cur.end);
    if (close === undefined) throw cur.errorAt(open, `this '(' of PATTERN is never closed`, usage);
    const terms: PatternTerm[] = [];
    while (cur.i < close) {
      const t = cur.peek()!;
      if (isOp(t, '('))
        throw cur.errorHere(
          `group patterns are not supported (as in Flink: Group patterns are not supported yet)`,
          `quantify single variables only: PATTERN (A B+ C)`,
        );
      if (isOp(t, '|'))
        throw cur.errorHere(
          `alternation is not supported (as in Flink: Currently, CEP doesn't support branching patterns)`,
          `write one query per alternative, or one variable whose DEFINE holds both conditions with OR`,
        );
      if (isKeyword(t, 'PERMUTE'))
        throw cur.errorHere(
          `PERMUTE is not supported (as in Flink: Currently, CEP doesn't support PERMUTE patterns)`,
          `write the orders you want as separate queries`,
        );
      if (isOp(t, '{') && isOp(cur.peek(1), '-'))
        throw cur.errorHere(
          `exclusion is not supported (as in Flink: Currently, CEP doesn't support '{-' '-}' patterns)`,
          `remove {- -}`,
        );
      if (isOp(t, '^') || isOp(t, '$'))
        throw cur.errorHere(
          `anchors are not supported in streaming MATCH_RECOGNIZE (as in Flink)`,
          `remove ${t.value}`,
        );
      if (!isName(t))
        throw cur.errorHere(`expected a pattern variable, found '${tokenText(cur.text, t)}'`, usage);
      cur.next();
      terms.push({ variable: t.value, quantifier: this.quantifier(close), pos: cur.pos(t) });
    }
    if (terms.length === 0) throw cur.errorAt(open, `PATTERN needs at least one variable`, usage);
    cur.next(); // ')'
    return terms;
  }

  private quantifier(close: number): PatternQuantifier | null {
    const cur = this.cur;
    const t = cur.peek();
    if (cur.i >= close || !t || t.kind !== 'op') return null;
    const start = t;
    let min: number;
    let max: number;
    if (isOp(t, '*') || isOp(t, '+') || isOp(t, '?')) {
      cur.next();
      [min, max] = t.value === '*' ? [0, -1] : t.value === '+' ? [1, -1] : [0, 1];
    } else if (isOp(t, '{')) {
      cur.next();
      const usage = 'write {n}, {n,}, {n,m} or {,m}';
      const number = (): number => {
        const n = cur.peek();
        if (n?.kind !== 'number' || !/^\d+$/.test(n.value))
          throw cur.errorHere(`expected a whole number in the quantifier`, usage);
        cur.next();
        return Number(n.value);
      };
      if (isOp(cur.peek(), ',')) {
        // {,m}: Calcite leaves the lower bound unset (-1), which Flink's Times refuses.
        cur.next();
        min = -1;
        max = number();
      } else {
        min = number();
        if (cur.acceptOp(',')) max = isOp(cur.peek(), '}') ? -1 : number();
        else max = min;
      }
      cur.expectOp('}', usage);
      if (max !== -1 && max < min)
        throw cur.errorAt(
          start,
          `the quantifier's upper bound ${max} is below its lower bound ${min}`,
          usage,
        );
    } else return null;
    let greedy = true;
    if (cur.i < close && isOp(cur.peek(), '?')) {
      cur.next();
      greedy = false;
    }
    const last = cur.tokens[cur.i - 1]!;
    return { min, max, greedy, text: cur.text.slice(start.start, last.end), pos: cur.pos(start) };
  }

  /** `INTERVAL '10' MINUTE` after WITHIN, in milliseconds. */
  private interval(): number {
    const cur = this.cur;
    const usage = `write WITHIN INTERVAL '24' HOUR`;
    cur.expectKeyword('INTERVAL', usage);
    const v = cur.expectString('the interval value', usage);
    const unitTok = cur.peek();
    const unit = unitTok?.kind === 'ident' ? unitTok.value.toUpperCase() : '';
    const unitMs = SQL_INTERVAL_UNIT_MS[unit];
    if (unitMs === undefined) {
      const guess = unit ? didYouMean(unit, Object.keys(SQL_INTERVAL_UNIT_MS)) : undefined;
      throw cur.errorHere(
        `expected an interval unit after INTERVAL '${v.value}'${guess ? ` — did you mean ${guess}?` : ''}`,
        usage,
      );
    }
    cur.next();
    const n = Number(v.value.trim());
    // Calcite's interval literals have two leading digits: INTERVAL '150' SECOND is refused, write '2' MINUTE.
    if (Math.trunc(n) >= 100)
      throw cur.errorAt(
        v,
        `Interval field value ${Math.trunc(n)} exceeds precision of ${unit.replace(/S$/, '')}(2) field (as in Flink)`,
        `use a larger unit: INTERVAL '2' MINUTE rather than '150' SECOND`,
      );
    if (!/^\d+(\.\d+)?$/.test(v.value.trim()) || !Number.isFinite(n))
      throw cur.errorAt(v, `interval value '${v.value}' is not a non-negative number`, usage);
    const ms = n * unitMs;
    if (!Number.isInteger(ms))
      throw cur.errorAt(
        v,
        `WITHIN needs a whole number of milliseconds (as in Flink: Only constant intervals with millisecond resolution are supported as time constraints of patterns.)`,
        usage,
      );
    return ms;
  }
}
