// The SQL front pass: a job file's text → Statement[] (see ast.ts).
//
// The file is tokenized once and split on top-level `;`. SET and CREATE TABLE are parsed by our
// own parser (ddl.ts); queries go to node-sql-parser (flinksql) after the window TVFs have been
// cut out (window-tvf.ts). Each query is parsed from its own first character, so a statement's
// text offset plus the statement's start is its file offset.

// Only the flinksql build (215 KB) instead of every dialect (2.5 MB): it halves startup time.
import pkg from 'node-sql-parser/build/flinksql.js';
import { didYouMean, editDistance, type SourcePos, SqlError } from '../errors.js';
import type { InsertStatement, Positions, SelectStatement, Statement } from './ast.js';
import { exprFromParser, type RawNode, selectFromParser } from './from-parser.js';
import { parseCreateTable, parseSet, type ParseExpression } from './ddl.js';
import {
  isKeyword,
  isName,
  isOp,
  LineIndex,
  type Token,
  TokenCursor,
  tokenize,
  tokenText,
} from './tokenize.js';
import { regroupBooleanChains } from './boolean-chains.js';
import { parserText, restoreBackslashes } from './string-literals.js';
import { markLongNumbers, restoreNumbers } from './number-literals.js';
import { markSymmetricBetween } from './between-symmetric.js';
import { rewriteForParser } from './parser-text.js';
import { cutWindowTvfs } from './window-tvf.js';
import { cutTemporalClauses } from './temporal-clause.js';
import { cutOverClauses } from './over-clause.js';
import { cutMatchRecognize } from './match-recognize.js';
import { markPositionIn } from './position-in.js';
import { markGroupingSets } from './grouping-sets.js';
import { markTimestampUnits } from './timestamp-units.js';
import { markAggregateFilters } from './aggregate-filter.js';
import { checkDefinedNames, RESERVED_NAMES } from './reserved-names.js';

const { Parser } = pkg;
const parser = new Parser();
const PARSE_OPTIONS = { database: 'flinksql', parseOptions: { includeLocations: true } };

/** Parses a whole job file. `file` is the path as the user wrote it (used in positions). */
export function parseSqlFile(text: string, file: string): Statement[] {
  const lines = new LineIndex(text, file);
  const tokens = tokenize(text, lines);
  checkDefinedNames(text, lines, tokens);
  const f = new FileTokens(
    lines,
    tokens,
    markAggregateFilters(
      markLongNumbers(
        markTimestampUnits(
          markPositionIn(
            rewriteForParser(
              markGroupingSets(markSymmetricBetween(parserText(lines, tokens), tokens), tokens),
              tokens,
            ),
            tokens,
          ),
          tokens,
        ),
        tokens,
      ),
      tokens,
      lines,
    ),
  );
  const statements: Statement[] = [];
  let from = 0;
  for (let k = 0; k <= tokens.length; k++) {
    if (k === tokens.length || isOp(tokens[k], ';')) {
      if (k > from) {
        const st = parseStatement(f, from, k);
        if (st) statements.push(st);
      }
      from = k + 1;
    }
  }
  return statements;
}

/** The file's tokens and line index, passed around together. */
class FileTokens {
  constructor(
    readonly lines: LineIndex,
    readonly tokens: readonly Token[],
    /** The text as node-sql-parser must see it (see string-literals.ts): same offsets as `text`. */
    readonly parserText: string,
  ) {}
  get text(): string {
    return this.lines.text;
  }
  pos(t: Token): SourcePos {
    return this.lines.pos(t.start);
  }
}

/**
 * Positions for a text that node-sql-parser parsed: file offset = text offset + `delta`, clamped
 * to the file range [rangeStart, rangeEnd] the text came from; names are looked up in the
 * tokens [tokFrom, tokTo).
 */
class TextPositions implements Positions {
  readonly start: SourcePos;
  constructor(
    private readonly f: FileTokens,
    private readonly tokFrom: number,
    private readonly tokTo: number,
    private readonly delta: number,
    private readonly rangeStart: number,
    private readonly rangeEnd: number,
  ) {
    this.start = f.lines.pos(rangeStart);
  }

  /** Keeps JSON dumps and test diffs of statements readable (the file text is not repeated). */
  toJSON(): { start: SourcePos } {
    return { start: this.start };
  }

  toFileOffset(offset: number): number {
    return Math.max(this.rangeStart, Math.min(this.rangeEnd, offset + this.delta));
  }

  at(offset: number): SourcePos {
    return this.f.lines.pos(this.toFileOffset(offset));
  }

  identifier(name: string, fromOffset = 0): SourcePos {
    const offset = this.offsetOf(name, fromOffset);
    return offset === undefined ? this.start : this.at(offset);
  }

  offsetOf(name: string, fromOffset = 0): number | undefined {
    const lower = name.toLowerCase();
    const min = fromOffset + this.delta;
    for (let k = this.tokFrom; k < this.tokTo; k++) {
      const t = this.f.tokens[k]!;
      if (t.start >= min && isName(t) && t.value.toLowerCase() === lower) return t.start - this.delta;
    }
    return undefined;
  }
}

/** Flink SQL client commands and DDL we do not run, and what to do instead. */
const UNSUPPORTED_HINTS: Readonly<Record<string, string>> = {
  'CREATE FUNCTION': 'user-defined functions are not available; use the built-in functions',
  'CREATE CATALOG': 'remove it: tables are declared in the job file with CREATE TABLE',
  'CREATE DATABASE': 'remove it: tables are declared in the job file with CREATE TABLE',
  DROP: 'remove it: each run of the job declares its tables afresh',
  ALTER: 'change the CREATE TABLE statement instead',
  RESET: 'remove it: SET values only last for this run of the job',
  DELETE: 'streaming jobs only append: use INSERT INTO ... SELECT',
  UPDATE: 'streaming jobs only append: use INSERT INTO ... SELECT',
  TRUNCATE: 'remove it: sinks are written by INSERT INTO ... SELECT',
  'INSERT OVERWRITE': 'use INSERT INTO',
};
const CLIENT_COMMANDS = new Set([
  'USE',
  'SHOW',
  'DESCRIBE',
  'DESC',
  'LOAD',
  'UNLOAD',
  'ADD',
  'REMOVE',
  'CALL',
  'ANALYZE',
  'QUIT',
  'EXIT',
  'HELP',
  'CLEAR',
]);
const STATEMENT_KEYWORDS = ['SET', 'CREATE', 'INSERT', 'SELECT', 'EXPLAIN'];
/** Flink's EXPLAIN details (EXPLAIN CHANGELOG_MODE, ESTIMATED_COST SELECT ...); accepted and ignored. */
const EXPLAIN_DETAILS = new Set(['ESTIMATED_COST', 'CHANGELOG_MODE', 'PLAN_ADVICE', 'JSON_EXECUTION_PLAN']);

/** One statement: tokens [from, to), without the `;`. undefined for statements that do nothing. */
function parseStatement(f: FileTokens, from: number, to: number): Statement | undefined {
  const first = f.tokens[from]!;
  const kw = first.kind === 'ident' ? first.value.toUpperCase() : '';
  const cur = new TokenCursor(f.tokens, from + 1, to, f.lines);
  switch (kw) {
    case 'SET':
      return parseSet(cur, first);
    case 'CREATE': {
      const k = isKeyword(cur.peek(), 'TEMPORARY') ? 1 : 0;
      if (isKeyword(cur.peek(k), 'TABLE')) return parseCreateTable(cur, first, expressionParser(f));
      if (isKeyword(cur.peek(k), 'VIEW')) return parseCreateView(f, cur, k, first);
      const objTok = isKeyword(cur.peek(k), 'SYSTEM') ? cur.peek(k + 1) : cur.peek(k);
      const what = objTok?.kind === 'ident' ? `CREATE ${objTok.value.toUpperCase()}` : 'CREATE';
      throw new SqlError(
        f.pos(first),
        `${what} is not supported yet`,
        UNSUPPORTED_HINTS[what] ?? 'only CREATE TABLE is supported',
      );
    }
    case 'INSERT':
    case 'SELECT':
    case 'WITH':
      return parseQuery(f, from, to);
    case 'EXPLAIN':
      return parseExplain(f, cur, first);
    case 'BEGIN':
    case 'END':
      // Flink SQL client `BEGIN STATEMENT SET; ... END;`: every INSERT in a job file runs together anyway.
      if (
        kw === 'END'
          ? to - from === 1
          : isKeyword(cur.peek(), 'STATEMENT') && isKeyword(cur.peek(1), 'SET') && to - from === 3
      )
        return undefined;
      break;
    case 'EXECUTE': {
      // `EXECUTE STATEMENT SET BEGIN INSERT ...; ...; END;` and `EXECUTE INSERT INTO ...`
      let k = from + 1;
      if (
        isKeyword(f.tokens[k], 'STATEMENT') &&
        isKeyword(f.tokens[k + 1], 'SET') &&
        isKeyword(f.tokens[k + 2], 'BEGIN')
      )
        k += 3;
      if (k < to && (isKeyword(f.tokens[k], 'INSERT') || isKeyword(f.tokens[k], 'SELECT')))
        return parseQuery(f, k, to);
      break;
    }
  }
  if (UNSUPPORTED_HINTS[kw] || CLIENT_COMMANDS.has(kw)) {
    throw new SqlError(
      f.pos(first),
      `${kw} is not supported yet`,
      UNSUPPORTED_HINTS[kw] ?? 'SQL client commands have no effect in a job file; remove it',
    );
  }
  const guess = kw ? didYouMean(kw, STATEMENT_KEYWORDS) : undefined;
  throw new SqlError(
    f.pos(first),
    `expected SET, CREATE TABLE, INSERT INTO, SELECT or EXPLAIN, found '${tokenText(f.text, first)}'`,
    guess ? `did you mean ${guess}?` : 'every statement starts with one of these keywords and ends with ;',
  );
}

/** `CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(a, b)] AS <query>`; the cursor is after CREATE. */
function parseCreateView(f: FileTokens, cur: TokenCursor, skip: number, createTok: Token): Statement {
  for (let i = 0; i <= skip; i++) cur.next(); // [TEMPORARY] VIEW
  if (cur.acceptKeyword('IF')) {
    cur.expectKeyword('NOT', 'write CREATE VIEW IF NOT EXISTS name AS SELECT ...');
    cur.expectKeyword('EXISTS', 'write CREATE VIEW IF NOT EXISTS name AS SELECT ...');
  }
  const nameTok = cur.expectName('the view name', 'write CREATE VIEW name AS SELECT ...');
  let columns: { name: string; pos: SourcePos }[] | undefined;
  if (cur.acceptOp('(')) {
    columns = [];
    do {
      const t = cur.expectName('a column name', 'write CREATE VIEW name (a, b) AS SELECT ...');
      columns.push({ name: t.value, pos: f.pos(t) });
    } while (cur.acceptOp(','));
    cur.expectOp(')', 'write CREATE VIEW name (a, b) AS SELECT ...');
  }
  cur.expectKeyword('AS', 'write CREATE VIEW name AS SELECT ...');
  const t = cur.peek();
  if (!isKeyword(t, 'SELECT') && !isKeyword(t, 'WITH'))
    throw cur.errorHere('a view is defined by a query', 'write CREATE VIEW name AS SELECT ...');
  const query = parseQuery(f, cur.i, cur.end);
  if (query.kind !== 'select')
    throw new SqlError(f.pos(t!), 'a view is defined by a query', 'write CREATE VIEW name AS SELECT ...');
  return {
    kind: 'create-view',
    name: nameTok.value,
    pos: f.pos(createTok),
    namePos: f.pos(nameTok),
    ...(columns ? { columns } : {}),
    query,
  };
}

function parseExplain(f: FileTokens, cur: TokenCursor, explainTok: Token): Statement {
  if (cur.acceptKeyword('PLAN'))
    cur.expectKeyword('FOR', 'write EXPLAIN PLAN FOR INSERT INTO ... , or just EXPLAIN INSERT INTO ...');
  else {
    while (cur.peek()?.kind === 'ident' && EXPLAIN_DETAILS.has(cur.peek()!.value.toUpperCase())) {
      cur.next();
      cur.acceptOp(',');
    }
  }
  const t = cur.peek();
  if (!isKeyword(t, 'INSERT') && !isKeyword(t, 'SELECT') && !isKeyword(t, 'WITH')) {
    throw cur.errorHere(
      'EXPLAIN works on INSERT INTO ... or SELECT ...',
      'write EXPLAIN INSERT INTO sink SELECT ... or EXPLAIN SELECT ...',
    );
  }
  const statement = parseQuery(f, cur.i, cur.end);
  return { kind: 'explain', statement, pos: f.pos(explainTok) };
}

/** `INSERT INTO sink [(a, b)] SELECT ...` or `SELECT ...`: tokens [from, to). */
function parseQuery(f: FileTokens, from: number, to: number): InsertStatement | SelectStatement {
  const first = f.tokens[from]!;
  const textStart = first.start;
  const textEnd = f.tokens[to - 1]!.end;
  const temporal = cutTemporalClauses(f.tokens, from, to, f.lines, f.parserText);
  const over = cutOverClauses(f.tokens, from, to, f.lines, temporal.text, expressionParser(f), (word) =>
    RESERVED_NAMES.has(word.toUpperCase()),
  );
  const match = cutMatchRecognize(f.tokens, from, to, f.lines, over.text, expressionParser(f));
  const { text, windows, spans } = cutWindowTvfs(f.tokens, from, to, f.lines, match.text, textStart, textEnd);
  rejectMillisecondIntervals(f, from, to, [...spans, ...match.spans]);
  const positions = new TextPositions(f, from, to, textStart, textStart, textEnd);
  const ast = astifyOne(f, text, positions, from, to, 'statement');

  if (!isKeyword(first, 'INSERT')) {
    if (ast.type !== 'select')
      throw new SqlError(f.pos(first), `expected a SELECT query`, 'write SELECT ... FROM ...');
    return {
      kind: 'select',
      select: selectFromParser(ast, positions),
      windows,
      temporal: temporal.clauses,
      over: over.calls,
      match: match.clauses,
      positions,
      pos: f.pos(first),
    };
  }

  const cur = new TokenCursor(f.tokens, from + 1, to, f.lines);
  if (isKeyword(cur.peek(), 'OVERWRITE'))
    throw new SqlError(
      f.pos(first),
      'INSERT OVERWRITE is not supported yet',
      UNSUPPORTED_HINTS['INSERT OVERWRITE'],
    );
  cur.expectKeyword('INTO', 'write INSERT INTO sink SELECT ...');
  const sinkTok = cur.expectName('the sink table name', 'write INSERT INTO sink SELECT ...');
  let sink = sinkTok.value;
  while (cur.acceptOp('.')) sink += '.' + cur.expectName('a table name after .').value;
  let columns: string[] | undefined;
  if (cur.acceptOp('(')) {
    columns = [];
    do columns.push(cur.expectName('a column name', 'write INSERT INTO sink (a, b) SELECT ...').value);
    while (cur.acceptOp(','));
    cur.expectOp(')', 'write INSERT INTO sink (a, b) SELECT ...');
  }
  const select = ast.type === 'insert' ? ast.values : undefined;
  if (!select || select.type !== 'select') {
    throw new SqlError(
      cur.herePos(),
      'INSERT INTO needs a SELECT query',
      select?.type === 'values'
        ? 'INSERT ... VALUES is not supported yet: write INSERT INTO sink SELECT ... FROM a source table'
        : 'write INSERT INTO sink SELECT ...',
    );
  }
  return {
    kind: 'insert',
    sink,
    sinkPos: f.pos(sinkTok),
    ...(columns ? { columns } : {}),
    select: selectFromParser(select, positions),
    windows,
    temporal: temporal.clauses,
    over: over.calls,
    match: match.clauses,
    positions,
    pos: f.pos(first),
  };
}

/**
 * node-sql-parser reads `INTERVAL '500' MILLISECOND` as an interval without a unit aliased
 * MILLISECOND, which would silently mean something else; say so instead (window TVFs, which we
 * parse ourselves, accept it).
 */
function rejectMillisecondIntervals(
  f: FileTokens,
  from: number,
  to: number,
  allowed: readonly { start: number; end: number }[],
): void {
  for (let k = from; k + 2 < to; k++) {
    const unit = f.tokens[k + 2]!;
    if (!isKeyword(f.tokens[k], 'INTERVAL') || f.tokens[k + 1]!.kind !== 'string') continue;
    if (!isKeyword(unit, 'MILLISECOND') && !isKeyword(unit, 'MILLISECONDS')) continue;
    if (allowed.some((s) => unit.start >= s.start && unit.end <= s.end)) continue;
    const ms = Number(f.tokens[k + 1]!.value.trim());
    const seconds = Number.isFinite(ms) ? String(ms / 1000) : '0.5';
    throw new SqlError(
      f.pos(unit),
      'INTERVAL ... MILLISECOND is only supported inside window functions (TUMBLE, HOP, CUMULATE, SESSION)',
      `write the interval in seconds, e.g. INTERVAL '${seconds}' SECOND`,
    );
  }
}

/** Parses DDL expressions as the single column of `SELECT <expr> FROM __t`. */
function expressionParser(f: FileTokens): ParseExpression {
  const prefix = 'SELECT ';
  return (first, endExclusive) => {
    const exprStart = f.tokens[first]!.start;
    const exprEnd = f.tokens[endExclusive - 1]!.end;
    rejectMillisecondIntervals(f, first, endExclusive, []);
    const wrapped = prefix + f.parserText.slice(exprStart, exprEnd) + ' FROM __t';
    const positions = new TextPositions(
      f,
      first,
      endExclusive,
      exprStart - prefix.length,
      exprStart,
      exprEnd,
    );
    const ast = astifyOne(f, wrapped, positions, first, endExclusive, 'expression');
    const column = ast.type === 'select' && ast.columns?.length === 1 ? ast.columns[0] : undefined;
    if (!column?.expr)
      throw new SqlError(
        positions.start,
        'expected a single expression',
        "write an expression such as ts - INTERVAL '5' SECOND",
      );
    if (column.as) {
      // `x y`: node-sql-parser reads the second name as an alias. Find where it is written.
      let aliasTok: Token | undefined;
      for (let k = endExclusive - 1; k >= first && !aliasTok; k--) {
        const t = f.tokens[k]!;
        if (isName(t) && t.value.toLowerCase() === String(column.as).toLowerCase()) aliasTok = t;
      }
      throw new SqlError(
        aliasTok ? f.pos(aliasTok) : positions.start,
        `unexpected '${column.as}' after the expression`,
        'an expression here must stand alone; is an operator or a comma missing?',
      );
    }
    return { expr: exprFromParser(column.expr, positions), positions };
  };
}

/** Runs node-sql-parser on one statement's text; its syntax errors become SqlErrors. */
function astifyOne(
  f: FileTokens,
  text: string,
  positions: TextPositions,
  tokFrom: number,
  tokTo: number,
  what: 'statement' | 'expression',
): RawNode {
  let ast: RawNode;
  try {
    ast = parser.astify(text, PARSE_OPTIONS);
  } catch (e) {
    throw translateParserError(e, f, positions, tokFrom, tokTo, what);
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1)
      throw new SqlError(positions.start, 'expected exactly one statement here', 'end each statement with ;');
    ast = ast[0];
  }
  return regroupBooleanChains(restoreBackslashes(restoreNumbers(ast, f.text)));
}

/** Words that start clauses; a near miss of one of them near a syntax error is likely a typo. */
const TYPO_KEYWORDS = [
  'SELECT',
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'JOIN',
  'INSERT',
  'INTO',
  'INTERVAL',
  'BETWEEN',
  'DISTINCT',
  'UNION',
  'PARTITION',
];
/** Clauses a stray comma can stand before. */
const CLAUSE_KEYWORDS = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'UNION',
  'JOIN',
  'ON',
]);
const RESERVED = new Set([
  ...TYPO_KEYWORDS,
  ...CLAUSE_KEYWORDS,
  'BY',
  'AS',
  'AND',
  'OR',
  'NOT',
  'IN',
  'IS',
  'NULL',
  'LIKE',
  'CASE',
  'WHEN',
  'THEN',
  'ELSE',
  'END',
  'CAST',
  'ALL',
  'TABLE',
  'TRUE',
  'FALSE',
  'WITH',
  'OVER',
  'EXISTS',
  'VALUES',
  'ASC',
  'DESC',
  'LEFT',
  'RIGHT',
  'INNER',
  'OUTER',
  'FULL',
  'CROSS',
]);

/** Tokens after which a name is expected: a reserved word there was meant as a name. */
const BEFORE_NAME = new Set(['INTO', 'FROM', 'JOIN', 'TABLE', 'SELECT', ',', '.']);

/** A reserved word written where a name belongs (`INSERT INTO out`), near the error at token k. */
function reservedNameNear(f: FileTokens, tokFrom: number, tokTo: number, k: number): Token | undefined {
  const toks = f.tokens;
  for (let j = Math.min(k, tokTo - 1); j >= Math.max(tokFrom + 1, k - 2); j--) {
    const t = toks[j]!;
    if (t.kind !== 'ident' || !RESERVED_NAMES.has(t.value.toUpperCase())) continue;
    const prev = toks[j - 1]!;
    const prevWord =
      prev.kind === 'ident' ? prev.value.toUpperCase() : prev.kind === 'op' ? tokenText(f.text, prev) : '';
    if (isOp(toks[j + 1], '(')) continue; // COUNT(...), a function call
    if (BEFORE_NAME.has(prevWord) || (prevWord === 'AS' && !isOp(toks[j + 1], ')'))) return t;
  }
  return undefined;
}

function reservedWordError(f: FileTokens, t: Token): SqlError {
  const word = tokenText(f.text, t);
  return new SqlError(
    f.pos(t),
    `'${word}' is a reserved word in Flink SQL`,
    `to use it as a name, write it in backticks: \`${word}\``,
  );
}

/** One edit, or two neighbouring letters swapped (FORM → FROM). */
function isTypoOf(word: string, keyword: string): boolean {
  if (word === keyword || word.length < 3) return false;
  if (editDistance(word, keyword) <= 1) return true;
  if (word.length !== keyword.length) return false;
  const diffs: number[] = [];
  for (let i = 0; i < word.length; i++) if (word[i] !== keyword[i]) diffs.push(i);
  return (
    diffs.length === 2 &&
    diffs[1] === diffs[0]! + 1 &&
    word[diffs[0]!] === keyword[diffs[1]!] &&
    word[diffs[1]!] === keyword[diffs[0]!]
  );
}

function isValueToken(t: Token | undefined): boolean {
  if (!t) return false;
  if (t.kind === 'ident') return !RESERVED.has(t.value.toUpperCase());
  return (
    t.kind === 'quoted-ident' ||
    t.kind === 'number' ||
    t.kind === 'string' ||
    t.kind === 'dstring' ||
    isOp(t, ')')
  );
}

interface PegSyntaxError {
  location: { start: { offset: number } };
  found: string | null;
  expected?: { type: string; text?: string }[];
}

function isPegSyntaxError(e: unknown): e is PegSyntaxError {
  return (
    typeof e === 'object' && e !== null && typeof (e as PegSyntaxError).location?.start?.offset === 'number'
  );
}

/** A short, readable error for node-sql-parser's syntax error: where, near what, and a likely fix. */
function translateParserError(
  e: unknown,
  f: FileTokens,
  positions: TextPositions,
  tokFrom: number,
  tokTo: number,
  what: 'statement' | 'expression',
): SqlError {
  if (!isPegSyntaxError(e)) {
    const message = e instanceof Error ? e.message : String(e);
    // node-sql-parser refuses some reserved words as aliases with its own message: locate the word.
    const reservedAlias = /"(\w+)" is a reserved word/.exec(message)?.[1]?.toUpperCase();
    for (let j = tokFrom; reservedAlias && j < tokTo; j++) {
      const t = f.tokens[j]!;
      if (t.kind === 'ident' && t.value.toUpperCase() === reservedAlias) {
        return reservedWordError(f, t);
      }
    }
    return new SqlError(positions.start, `could not parse this ${what}: ${message}`);
  }
  const fileOffset = positions.toFileOffset(e.location.start.offset);
  const toks = f.tokens;
  let k = tokFrom;
  while (k < tokTo && toks[k]!.end <= fileOffset) k++;

  let opens = 0;
  let closes = 0;
  for (let j = tokFrom; j < tokTo; j++) {
    if (isOp(toks[j], '(')) opens++;
    else if (isOp(toks[j], ')')) closes++;
  }
  const near = (t: Token): string => `syntax error near '${tokenText(f.text, t)}'`;

  const reserved = reservedNameNear(f, tokFrom, tokTo, k);
  if (reserved) return reservedWordError(f, reserved);

  for (let j = k; j >= Math.max(tokFrom, k - 2); j--) {
    const t = toks[j];
    if (j >= tokTo || t?.kind !== 'ident') continue;
    const word = t.value.toUpperCase();
    if (RESERVED.has(word)) continue;
    const kw = TYPO_KEYWORDS.find((w) => isTypoOf(word, w));
    if (kw) return new SqlError(f.pos(t), near(t), `did you mean ${kw}?`);
  }
  for (let j = Math.min(k, tokTo - 1); j >= Math.max(tokFrom + 1, k - 2); j--) {
    const t = toks[j]!;
    const clause = (t.kind === 'ident' && CLAUSE_KEYWORDS.has(t.value.toUpperCase())) || isOp(t, ')');
    if (clause && isOp(toks[j - 1], ',')) {
      return new SqlError(
        f.pos(toks[j - 1]!),
        near(toks[j - 1]!),
        `remove the comma before ${tokenText(f.text, t).toUpperCase()}`,
      );
    }
  }
  if (k >= tokTo) {
    const last = toks[tokTo - 1]!;
    // For an expression, node-sql-parser's expectations are about the `FROM __t` we wrapped it in.
    const expected = what === 'statement' ? expectedHint(e) : undefined;
    const hint = opens > closes ? `a ')' is missing` : (expected ?? `the ${what} is incomplete`);
    return new SqlError(
      f.lines.pos(last.end),
      `syntax error: the ${what} ends too early after '${tokenText(f.text, last)}'`,
      hint,
    );
  }
  const t = toks[k]!;
  if (
    t.kind !== 'op' &&
    isValueToken(t) &&
    isValueToken(toks[k - 1]) &&
    !isOp(toks[k - 1], ')') &&
    isValueToken(toks[k - 2]) &&
    k - 2 >= tokFrom
  ) {
    return new SqlError(
      f.pos(t),
      near(t),
      `is a comma missing before '${tokenText(f.text, t)}'? (two names in a row are read as a value and its alias)`,
    );
  }
  if (isOp(t, ')') && closes > opens) return new SqlError(f.pos(t), near(t), `this ')' has no matching '('`);
  const hint =
    opens > closes && e.expected?.some((x) => x.text === ')')
      ? `a ')' may be missing before this`
      : expectedHint(e);
  return new SqlError(f.pos(t), near(t), hint ?? 'check the SQL just before this point');
}

/** "expected BY here" when node-sql-parser expected only a few literal words or symbols. */
function expectedHint(e: PegSyntaxError): string | undefined {
  const words = new Set<string>();
  for (const x of e.expected ?? []) {
    if (x.type !== 'literal' || !x.text || x.text === '--' || x.text === '/*') continue;
    words.add(/^[a-z_]+$/i.test(x.text) ? x.text.toUpperCase() : `'${x.text}'`);
  }
  if (words.size === 0 || words.size > 4) return undefined;
  return `expected ${[...words].join(' or ')} here`;
}
