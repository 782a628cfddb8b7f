// Our own parser for what node-sql-parser cannot read: CREATE TABLE (watermarks, computed and
// metadata columns, PRIMARY KEY ... NOT ENFORCED, WITH options) and SET. Expressions inside DDL
// (computed columns, watermarks) are cut out by token and handed back to node-sql-parser through
// `ParseExpression`, so they come out as the same node shapes as in queries.

import { didYouMean, formatPos, SqlError, type SourcePos } from '../errors.js';
import type { ColumnDecl, CreateTableStatement, Positions, SetStatement, WatermarkDecl } from './ast.js';
import { isKeyword, isName, isOp, type Token, tokenText, type TokenCursor } from './tokenize.js';
import { parseSqlType } from './types.js';
import type { SqlExpr } from './nodes.js';

/** Parses the tokens [first, endExclusive) as one expression. */
export type ParseExpression = (
  first: number,
  endExclusive: number,
) => { expr: SqlExpr; positions: Positions };

const PK_HINT = (cols: string): string =>
  `write PRIMARY KEY (${cols}) NOT ENFORCED: Flink does not enforce keys`;

/** `SET 'key' = 'value'` (also `SET key = value`); the cursor is just after SET. */
export function parseSet(cur: TokenCursor, setTok: Token): SetStatement {
  const hint = `write SET 'key' = 'value', e.g. SET 'table.exec.source.idle-timeout' = '5 s'`;
  if (cur.atEnd()) throw new SqlError(cur.pos(setTok), 'SET needs a key and a value', hint);
  let eq = -1;
  for (let k = cur.i; k < cur.end; k++) {
    if (isOp(cur.tokens[k], '=')) {
      eq = k;
      break;
    }
  }
  if (eq < 0) throw new SqlError(cur.pos(setTok), `SET needs '=' between the key and the value`, hint);
  const key = unquotedOrRaw(cur, cur.i, eq);
  if (eq + 1 >= cur.end) throw new SqlError(cur.pos(cur.tokens[eq]!), 'SET needs a value after =', hint);
  const value = unquotedOrRaw(cur, eq + 1, cur.end);
  if (key === '') throw new SqlError(cur.pos(setTok), 'SET needs a key before =', hint);
  cur.i = cur.end;
  return { kind: 'set', key, value, pos: cur.pos(setTok) };
}

/** A single 'string' token's content, or the raw text of the tokens (for unquoted keys like a.b-c). */
function unquotedOrRaw(cur: TokenCursor, from: number, to: number): string {
  const only = cur.tokens[from]!;
  if (to - from === 1 && (only.kind === 'string' || only.kind === 'dstring')) return only.value;
  return cur.text.slice(only.start, cur.tokens[to - 1]!.end).trim();
}

/** `CREATE [TEMPORARY] TABLE ...`; the cursor is just after CREATE. */
export function parseCreateTable(
  cur: TokenCursor,
  createTok: Token,
  parseExpression: ParseExpression,
): CreateTableStatement {
  cur.acceptKeyword('TEMPORARY');
  cur.expectKeyword('TABLE');
  if (cur.acceptKeyword('IF')) {
    cur.expectKeyword('NOT', 'write CREATE TABLE IF NOT EXISTS name (...)');
    cur.expectKeyword('EXISTS', 'write CREATE TABLE IF NOT EXISTS name (...)');
  }
  const nameTok = cur.peek();
  const name = readDottedName(cur, 'the table name', 'write CREATE TABLE name (col TYPE, ...) WITH (...)');
  cur.expectOp('(', `write CREATE TABLE ${name} (col TYPE, ...) WITH ('connector' = '...')`);

  const columns: ColumnDecl[] = [];
  const columnToks = new Map<string, Token>(); // lower-case name → where declared
  let watermark: (WatermarkDecl & { columnTok: Token }) | undefined;
  let primaryKey: PrimaryKey | undefined;
  const checkOnePrimaryKey = (pk: PrimaryKey): PrimaryKey => {
    if (primaryKey)
      throw cur.errorAt(
        pk.tok,
        'the table declares PRIMARY KEY twice',
        `declare one PRIMARY KEY (a, b) NOT ENFORCED listing all key columns`,
      );
    return pk;
  };

  if (isOp(cur.peek(), ')'))
    throw cur.errorHere(
      `table ${name} needs at least one column`,
      `write CREATE TABLE ${name} (id STRING, ...) WITH (...)`,
    );
  for (;;) {
    const t = cur.peek();
    if (isKeyword(t, 'WATERMARK') && isKeyword(cur.peek(1), 'FOR')) {
      if (watermark)
        throw cur.errorAt(
          t!,
          'the table declares WATERMARK twice',
          'keep one WATERMARK FOR ts AS ts - INTERVAL ... per table',
        );
      watermark = parseWatermark(cur, parseExpression);
    } else if (isKeyword(t, 'PRIMARY') || isKeyword(t, 'CONSTRAINT')) {
      primaryKey = checkOnePrimaryKey(parsePrimaryKey(cur, undefined));
    } else if (isKeyword(t, 'PERIOD') || isKeyword(t, 'LIKE')) {
      throw cur.errorHere(`unsupported table element`, 'declare columns, a WATERMARK and a PRIMARY KEY only');
    } else {
      const col = parseColumn(cur, parseExpression);
      if (col.primaryKey) primaryKey = checkOnePrimaryKey(col.primaryKey);
      const prior = columnToks.get(col.decl.name.toLowerCase());
      if (prior) {
        throw cur.errorAt(
          col.tok,
          `column '${col.decl.name}' is declared twice in table ${name}`,
          `rename or remove one (the first is at ${formatPos(cur.pos(prior))})`,
        );
      }
      columnToks.set(col.decl.name.toLowerCase(), col.tok);
      columns.push(col.decl);
    }
    if (cur.acceptOp(')')) break;
    const comma = cur.peek();
    if (!cur.acceptOp(','))
      throw cur.errorHere(
        `expected ',' or ')' after the column`,
        'separate columns with commas and close the list with )',
      );
    if (isOp(cur.peek(), ')'))
      throw cur.errorAt(comma!, 'trailing comma before )', 'remove the comma after the last column');
  }

  const known = [...columnToks.keys()];
  const checkColumn = (tok: Token, what: string): void => {
    if (columnToks.has(tok.value.toLowerCase())) return;
    const guess = didYouMean(
      tok.value,
      columns.map((c) => c.name),
    );
    throw cur.errorAt(
      tok,
      `${what} '${tok.value}' is not a column of table ${name}`,
      guess ? `did you mean '${guess}'?` : `columns: ${known.join(', ')}`,
    );
  };
  if (watermark) checkColumn(watermark.columnTok, 'WATERMARK FOR column');
  if (primaryKey) for (const k of primaryKey.colToks) checkColumn(k, 'PRIMARY KEY column');

  if (cur.acceptKeyword('COMMENT')) cur.expectString('the table comment');
  if (cur.acceptKeyword('PARTITIONED')) {
    cur.expectKeyword('BY', 'write PARTITIONED BY (col, ...)');
    cur.expectOp('(', 'write PARTITIONED BY (col, ...)');
    do cur.expectName('a column name', 'write PARTITIONED BY (col, ...)');
    while (cur.acceptOp(','));
    cur.expectOp(')', 'write PARTITIONED BY (col, ...)');
  }
  if (isKeyword(cur.peek(), 'LIKE')) {
    throw cur.errorAt(
      cur.peek()!,
      'CREATE TABLE ... LIKE is not supported yet',
      'write out the columns and WITH options in full',
    );
  }
  if (!isKeyword(cur.peek(), 'WITH')) {
    throw cur.errorHere(
      `expected WITH (...) options after the columns of table ${name}`,
      `write WITH ('connector' = 'filesystem', 'path' = '...', 'format' = 'csv')`,
    );
  }
  cur.next();
  const options = parseWithOptions(cur);
  if (!cur.atEnd())
    throw cur.errorHere(`unexpected text after WITH (...)`, 'end the CREATE TABLE statement with ;');

  return {
    kind: 'create-table',
    name,
    pos: cur.pos(createTok),
    namePos: cur.pos(nameTok!),
    columns,
    ...(watermark
      ? {
          watermark: {
            column: watermark.column,
            columnPos: watermark.columnPos,
            expr: watermark.expr,
            positions: watermark.positions,
            pos: watermark.pos,
          },
        }
      : {}),
    ...(primaryKey ? { primaryKey: { columns: primaryKey.columns, pos: primaryKey.pos } } : {}),
    options,
  };
}

function readDottedName(cur: TokenCursor, what: string, hint: string): string {
  let name = cur.expectName(what, hint).value;
  while (isOp(cur.peek(), '.') && isName(cur.peek(1))) {
    cur.next();
    name += '.' + cur.next()!.value;
  }
  return name;
}

/** `WATERMARK FOR ts AS <expr>` */
function parseWatermark(
  cur: TokenCursor,
  parseExpression: ParseExpression,
): WatermarkDecl & { columnTok: Token } {
  const wmTok = cur.next()!;
  cur.next(); // FOR
  const hint = `write WATERMARK FOR ts AS ts - INTERVAL '5' SECOND`;
  const colTok = cur.expectName('the time column after WATERMARK FOR', hint);
  cur.expectKeyword('AS', hint);
  const { expr, positions } = parseCutExpression(cur, parseExpression, 'the watermark expression', hint);
  return {
    column: colTok.value,
    columnPos: cur.pos(colTok),
    columnTok: colTok,
    expr,
    positions,
    pos: cur.pos(wmTok),
  };
}

/** `[CONSTRAINT name] PRIMARY KEY [(a, b)] NOT ENFORCED`; without a list the key is `column`. */
interface PrimaryKey {
  columns: string[];
  pos: SourcePos;
  tok: Token;
  colToks: Token[];
}

function parsePrimaryKey(cur: TokenCursor, column: Token | undefined): PrimaryKey {
  const first = cur.peek()!;
  if (cur.acceptKeyword('CONSTRAINT'))
    cur.expectName('the constraint name', 'write CONSTRAINT pk PRIMARY KEY (id) NOT ENFORCED');
  const pkTok = cur.peek();
  cur.expectKeyword('PRIMARY', 'write PRIMARY KEY (id) NOT ENFORCED');
  cur.expectKeyword('KEY', 'write PRIMARY KEY (id) NOT ENFORCED');
  const colToks: Token[] = [];
  if (column) {
    colToks.push(column);
  } else {
    cur.expectOp('(', PK_HINT('id'));
    do colToks.push(cur.expectName('a key column name', PK_HINT('id')));
    while (cur.acceptOp(','));
    cur.expectOp(')', PK_HINT(colToks.map((c) => c.value).join(', ')));
  }
  const cols = colToks.map((c) => c.value);
  const listText = column ? '' : ` (${cols.join(', ')})`;
  if (!(isKeyword(cur.peek(), 'NOT') && isKeyword(cur.peek(1), 'ENFORCED'))) {
    throw cur.errorAt(
      pkTok!,
      `PRIMARY KEY${listText} must be declared NOT ENFORCED`,
      PK_HINT(cols.join(', ')),
    );
  }
  cur.i += 2;
  return { columns: cols, pos: cur.pos(first), tok: first, colToks };
}

/** One column: physical, computed (`name AS expr`) or metadata (`name TYPE METADATA ...`). */
function parseColumn(
  cur: TokenCursor,
  parseExpression: ParseExpression,
): { decl: ColumnDecl; tok: Token; primaryKey?: PrimaryKey } {
  const nameTok = cur.expectName('a column name', `write name TYPE, e.g. amount DECIMAL(18, 2)`);
  const name = nameTok.value;
  const pos = cur.pos(nameTok);

  if (cur.acceptKeyword('AS')) {
    const { expr, positions } = parseCutExpression(
      cur,
      parseExpression,
      `the expression of computed column ${name}`,
      `write ${name} AS <expression>`,
    );
    if (cur.acceptKeyword('COMMENT')) cur.expectString('the column comment');
    return { decl: { kind: 'computed', name, expr, positions, pos }, tok: nameTok };
  }

  if (isOp(cur.peek(), ',') || isOp(cur.peek(), ')')) {
    throw cur.errorHere(
      `column ${name} needs a type`,
      `write ${name} STRING (or another type), or ${name} AS <expression> for a computed column`,
    );
  }
  let type = parseSqlType(cur);
  let metadata: { key: string; virtual: boolean } | undefined;
  let primaryKey: PrimaryKey | undefined;
  for (;;) {
    const t = cur.peek();
    if (isKeyword(t, 'NOT') && isKeyword(cur.peek(1), 'NULL')) {
      cur.i += 2;
      type = { ...type, nullable: false };
    } else if (isKeyword(t, 'NULL')) {
      cur.next();
    } else if (isKeyword(t, 'METADATA')) {
      cur.next();
      if (metadata)
        throw cur.errorAt(
          t!,
          `column ${name} says METADATA twice`,
          `write ${name} TYPE METADATA [FROM 'key'] [VIRTUAL]`,
        );
      let key = name;
      if (cur.acceptKeyword('FROM'))
        key = cur.expectString(
          'the metadata key after FROM',
          `write ${name} STRING METADATA FROM 'topic'`,
        ).value;
      metadata = { key, virtual: cur.acceptKeyword('VIRTUAL') !== undefined };
    } else if (isKeyword(t, 'VIRTUAL')) {
      throw cur.errorAt(
        t!,
        'VIRTUAL only applies to METADATA columns',
        `write ${name} TYPE METADATA FROM 'key' VIRTUAL`,
      );
    } else if (isKeyword(t, 'PRIMARY') || isKeyword(t, 'CONSTRAINT')) {
      if (primaryKey) throw cur.errorAt(t!, `column ${name} says PRIMARY KEY twice`, PK_HINT(name));
      primaryKey = parsePrimaryKey(cur, nameTok);
    } else if (isKeyword(t, 'COMMENT')) {
      cur.next();
      cur.expectString('the column comment');
    } else {
      break;
    }
  }
  const decl: ColumnDecl = metadata
    ? { kind: 'metadata', name, type, key: metadata.key, virtual: metadata.virtual, pos }
    : { kind: 'physical', name, type, pos };
  return { decl, tok: nameTok, ...(primaryKey ? { primaryKey } : {}) };
}

/** Cuts an expression up to the top-level `,`, `)` or COMMENT, and parses it. */
function parseCutExpression(
  cur: TokenCursor,
  parseExpression: ParseExpression,
  what: string,
  hint: string,
): { expr: SqlExpr; positions: Positions } {
  const first = cur.i;
  let depth = 0;
  let k = first;
  for (; k < cur.end; k++) {
    const t = cur.tokens[k]!;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) {
      if (depth === 0) break;
      depth--;
    } else if (depth === 0 && (isOp(t, ',') || isKeyword(t, 'COMMENT'))) break;
  }
  if (k === first) throw cur.errorHere(`expected ${what}`, hint);
  if (k >= cur.end) {
    throw new SqlError(
      cur.herePos(),
      `${what} is not closed: the column list needs a ')'`,
      'check the parentheses of the expression and of the column list',
    );
  }
  cur.i = k;
  return parseExpression(first, k);
}

/** `( 'k' = 'v', ... )`; the cursor is just after WITH. */
function parseWithOptions(cur: TokenCursor): { key: string; value: string; pos: SourcePos }[] {
  const hint = `write WITH ('connector' = 'kafka', 'topic' = 'transactions', ...)`;
  cur.expectOp('(', hint);
  const options: { key: string; value: string; pos: SourcePos }[] = [];
  const seen = new Map<string, Token>();
  if (cur.acceptOp(')')) return options;
  for (;;) {
    const keyTok = cur.peek();
    if (keyTok && (keyTok.kind === 'ident' || keyTok.kind === 'quoted-ident' || keyTok.kind === 'dstring')) {
      throw cur.errorAt(keyTok, `option keys must be in single quotes`, `write '${keyTok.value}' = '...'`);
    }
    cur.expectString('an option key', hint);
    cur.expectOp('=', `write '${keyTok!.value}' = 'value'`);
    const valueTok = cur.peek();
    if (valueTok && valueTok.kind !== 'string' && !isOp(valueTok, ',') && !isOp(valueTok, ')')) {
      throw cur.errorAt(
        valueTok,
        `option values must be in single quotes`,
        `write '${keyTok!.value}' = '${valueTok.kind === 'dstring' ? valueTok.value : tokenText(cur.text, valueTok)}'`,
      );
    }
    const v = cur.expectString(
      `the value of option '${keyTok!.value}'`,
      `write '${keyTok!.value}' = 'value'`,
    );
    const prior = seen.get(keyTok!.value);
    if (prior) {
      throw cur.errorAt(
        keyTok!,
        `option '${keyTok!.value}' is set twice`,
        `remove one of them (the first is at ${formatPos(cur.pos(prior))})`,
      );
    }
    seen.set(keyTok!.value, keyTok!);
    options.push({ key: keyTok!.value, value: v.value, pos: cur.pos(keyTok!) });
    if (cur.acceptOp(')')) return options;
    const comma = cur.peek();
    if (!cur.acceptOp(','))
      throw cur.errorHere(
        `expected ',' or ')' after option '${keyTok!.value}'`,
        'separate options with commas and close the list with )',
      );
    if (isOp(cur.peek(), ')'))
      throw cur.errorAt(comma!, 'trailing comma before )', 'remove the comma after the last option');
  }
}
