// SQL type names in CREATE TABLE → SqlType. NOT NULL is read by the caller.

import { didYouMean } from '../errors.js';
import type { SqlType, TypeName } from '../types.js';
import { isKeyword, isName, type Token, tokenText, type TokenCursor } from './tokenize.js';

/** Type names that map directly, without parameters. */
const SIMPLE: Readonly<Record<string, TypeName>> = {
  STRING: 'STRING',
  BOOLEAN: 'BOOLEAN',
  TINYINT: 'TINYINT',
  SMALLINT: 'SMALLINT',
  INT: 'INT',
  INTEGER: 'INT',
  BIGINT: 'BIGINT',
  FLOAT: 'FLOAT',
  DOUBLE: 'DOUBLE',
  DATE: 'DATE',
};

/** Flink types we know but cannot hold yet, and what to declare instead. */
const NOT_YET: Readonly<Record<string, string>> = {
  ARRAY: 'declare it as STRING (for example the JSON text) and read the parts you need',
  MAP: 'declare it as STRING (for example the JSON text) and read the parts you need',
  MULTISET: 'declare it as STRING',
  ROW: 'declare the nested fields as separate columns, or as STRING',
  BYTES: 'declare it as STRING',
  BINARY: 'declare it as STRING',
  VARBINARY: 'declare it as STRING',
  INTERVAL: 'declare it as BIGINT milliseconds',
  RAW: 'declare it as STRING',
};

const ALL_NAMES = [
  ...Object.keys(SIMPLE),
  'VARCHAR',
  'CHAR',
  'DECIMAL',
  'DEC',
  'NUMERIC',
  'TIMESTAMP',
  'TIMESTAMP_LTZ',
  'TIME',
  ...Object.keys(NOT_YET),
];

const SUPPORTED_LIST =
  'STRING, VARCHAR(n), CHAR(n), BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p)';

/** Reads a type at the cursor: `DECIMAL(10, 2)`, `TIMESTAMP(3) WITH LOCAL TIME ZONE`, ... (nullable). */
export function parseSqlType(cur: TokenCursor): SqlType {
  const t = cur.peek();
  if (!isName(t) || t.kind !== 'ident') {
    throw cur.errorHere('expected a column type', `supported types: ${SUPPORTED_LIST}`);
  }
  cur.next();
  const name = t.value.toUpperCase();

  const simple = SIMPLE[name];
  if (simple) {
    if (name === 'DOUBLE') cur.acceptKeyword('PRECISION');
    return { name: simple, nullable: true };
  }
  switch (name) {
    case 'VARCHAR':
    case 'CHAR': {
      const args = readTypeArgs(cur, t, name, 1);
      const length = args[0] ?? (name === 'CHAR' ? 1 : undefined);
      return length === undefined
        ? { name: 'STRING', nullable: true }
        : { name: 'STRING', precision: length, nullable: true };
    }
    case 'DECIMAL':
    case 'DEC':
    case 'NUMERIC': {
      const args = readTypeArgs(cur, t, name, 2);
      const precision = args[0] ?? 10;
      const scale = args[1] ?? 0;
      if (precision < 1 || precision > 38) {
        throw cur.errorAt(
          t,
          `DECIMAL precision must be between 1 and 38, not ${precision}`,
          'write DECIMAL(p, s), e.g. DECIMAL(18, 2)',
        );
      }
      if (scale > precision) {
        throw cur.errorAt(
          t,
          `DECIMAL scale ${scale} is larger than its precision ${precision}`,
          'write DECIMAL(p, s) with s <= p, e.g. DECIMAL(18, 2)',
        );
      }
      return { name: 'DECIMAL', precision, scale, nullable: true };
    }
    case 'TIMESTAMP': {
      const precision = timestampPrecision(cur, t, name);
      if (cur.acceptKeyword('WITHOUT')) {
        cur.expectKeyword('TIME', 'write TIMESTAMP(3) WITHOUT TIME ZONE, or just TIMESTAMP(3)');
        cur.expectKeyword('ZONE', 'write TIMESTAMP(3) WITHOUT TIME ZONE, or just TIMESTAMP(3)');
        return { name: 'TIMESTAMP', precision, nullable: true };
      }
      if (
        isKeyword(cur.peek(), 'WITH') &&
        (isKeyword(cur.peek(1), 'LOCAL') || isKeyword(cur.peek(1), 'TIME'))
      ) {
        const withTok = cur.next()!;
        if (!cur.acceptKeyword('LOCAL')) {
          throw cur.errorAt(
            withTok,
            'TIMESTAMP WITH TIME ZONE is not supported',
            'write TIMESTAMP_LTZ(3) (or TIMESTAMP(3) WITH LOCAL TIME ZONE)',
          );
        }
        cur.expectKeyword('TIME', 'write TIMESTAMP(3) WITH LOCAL TIME ZONE');
        cur.expectKeyword('ZONE', 'write TIMESTAMP(3) WITH LOCAL TIME ZONE');
        return { name: 'TIMESTAMP_LTZ', precision, nullable: true };
      }
      return { name: 'TIMESTAMP', precision, nullable: true };
    }
    case 'TIMESTAMP_LTZ':
      return { name: 'TIMESTAMP_LTZ', precision: timestampPrecision(cur, t, name), nullable: true };
    case 'TIME': {
      // Flink's TIME defaults to TIME(0); values are held in milliseconds, so at most TIME(3).
      const precision = readTypeArgs(cur, t, name, 1)[0] ?? 0;
      if (precision > 3) {
        throw cur.errorAt(
          t,
          `TIME(${precision}) is not supported: TIME values are held in milliseconds`,
          'write TIME(0) (the default) to TIME(3)',
        );
      }
      if (cur.acceptKeyword('WITHOUT')) {
        cur.expectKeyword('TIME', 'write TIME(0) WITHOUT TIME ZONE, or just TIME(0)');
        cur.expectKeyword('ZONE', 'write TIME(0) WITHOUT TIME ZONE, or just TIME(0)');
      }
      return { name: 'TIME', precision, nullable: true };
    }
  }

  const instead = NOT_YET[name];
  if (instead) throw cur.errorAt(t, `type ${name} is not supported yet`, instead);
  const shown = tokenText(cur.text, t);
  const guess = didYouMean(name, ALL_NAMES);
  if (guess)
    throw cur.errorAt(
      t,
      `unknown type '${shown}' — did you mean '${guess}'?`,
      `supported types: ${SUPPORTED_LIST}`,
    );
  throw cur.errorAt(t, `unknown type '${shown}'`, `supported types: ${SUPPORTED_LIST}`);
}

/** Flink's default TIMESTAMP precision is 6; values are held in milliseconds either way. */
function timestampPrecision(cur: TokenCursor, typeTok: Token, name: string): number {
  const precision = readTypeArgs(cur, typeTok, name, 1)[0] ?? 6;
  if (precision > 9) {
    throw cur.errorAt(
      typeTok,
      `${name} precision must be between 0 and 9, not ${precision}`,
      `write ${name}(3)`,
    );
  }
  return precision;
}

/** Optional `(n [, m])` after a type name: non-negative integers, at most `max` of them. */
function readTypeArgs(cur: TokenCursor, typeTok: Token, name: string, max: number): number[] {
  if (!cur.acceptOp('(')) return [];
  const example =
    max === 2
      ? `${name}(18, 2)`
      : name.startsWith('TIMESTAMP') || name === 'TIME'
        ? `${name}(3)`
        : `${name}(100)`;
  const args: number[] = [];
  for (;;) {
    const n = cur.peek();
    if (!n || n.kind !== 'number' || !/^\d+$/.test(n.value)) {
      throw cur.errorHere(`expected a whole number in ${name}(...)`, `write e.g. ${example}`);
    }
    cur.next();
    args.push(Number(n.value));
    if (cur.acceptOp(')')) break;
    if (args.length >= max) {
      throw cur.errorAt(
        typeTok,
        `${name} takes at most ${max} number${max > 1 ? 's' : ''} in parentheses`,
        `write e.g. ${example}`,
      );
    }
    cur.expectOp(',', `write e.g. ${example}`);
  }
  return args;
}
