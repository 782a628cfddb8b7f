// PostgreSQL column types against a table's declared SQL types, and values between PostgreSQL's
// text form and the engine's row layout (engine/types.ts).
//
// The mapping is Flink's (its PostgreSQL dialect): int2 = SMALLINT, int4 = INT, int8 = BIGINT,
// float4 = FLOAT, float8 = DOUBLE, numeric(p, s) = DECIMAL(p, s), bool = BOOLEAN, text / varchar /
// char = STRING, timestamp = TIMESTAMP, timestamptz = TIMESTAMP_LTZ. A declared type may also be
// wider than the PostgreSQL column when every value fits (BIGINT over an int4 column, DOUBLE over
// float4); what can lose or refuse values is a mismatch, found when the job starts, naming both.
//
// Values travel as text both ways (the client's type parsers are switched off): the connector
// decides every conversion, so a BIGINT beyond 2^53 stays exact and a numeric keeps its digits.
// Sessions run with TimeZone = UTC, so timestamptz text is UTC and a TIMESTAMP is its UTC wall time.

import { parseLong } from '../../engine/int64.js';
import type { SqlType } from '../../engine/types.js';
import { typeToString } from '../../engine/types.js';
import { formatDecimal, parseDecimal } from '../../engine/values.js';

/** One column of the PostgreSQL table, from its catalog. */
export interface PgColumn {
  readonly name: string;
  /** The base type's name (a domain is resolved to its base): 'int4', 'numeric', 'timestamptz', ... */
  readonly type: string;
  /** The type modifier (numeric precision/scale, varchar length); -1 when none. */
  readonly typmod: number;
  /** How PostgreSQL writes the type: 'numeric(10,2)', 'character varying(20)'. */
  readonly display: string;
  readonly notNull: boolean;
  /** Whether it is an array type (pg_type.typcategory 'A'). */
  readonly isArray: boolean;
  /** The base type as a cast target, without modifier: 'integer', 'numeric', 'timestamp with time zone'. */
  readonly baseType: string;
}

const STRING_TYPES = ['text', 'varchar', 'bpchar', 'name', 'uuid', 'json', 'jsonb', 'citext'];
const INTEGER_DIGITS: Record<string, number> = { int2: 5, int4: 10, int8: 19 };

/** numeric(p, s) from its typmod; undefined for an unconstrained numeric. */
export function numericPrecision(typmod: number): { precision: number; scale: number } | undefined {
  if (typmod < 4) return undefined;
  const t = typmod - 4;
  // The scale is 11 bits, signed since PostgreSQL 15 (numeric(3, -2)).
  return { precision: (t >> 16) & 0xffff, scale: ((t & 0x7ff) ^ 1024) - 1024 };
}

/** The declared type a PostgreSQL column reads as in Flink, for hints; undefined when there is none here. */
export function sqlTypeFor(c: PgColumn): string | undefined {
  if (c.isArray) return undefined;
  switch (c.type) {
    case 'int2':
      return 'SMALLINT';
    case 'int4':
      return 'INT';
    case 'int8':
      return 'BIGINT';
    case 'float4':
      return 'FLOAT';
    case 'float8':
      return 'DOUBLE';
    case 'numeric': {
      const p = numericPrecision(c.typmod);
      return p && p.scale >= 0 ? `DECIMAL(${p.precision}, ${p.scale})` : 'DECIMAL(38, 18)';
    }
    case 'bool':
      return 'BOOLEAN';
    case 'timestamp':
      return 'TIMESTAMP(3)';
    case 'timestamptz':
      return 'TIMESTAMP_LTZ(3)';
    default:
      return STRING_TYPES.includes(c.type) ? 'STRING' : undefined;
  }
}

/** Whether a DECIMAL(p, s) holds every value of `c` (an integer or a constrained numeric column). */
function decimalHolds(t: SqlType, c: PgColumn): boolean {
  const p = t.precision ?? 10;
  const s = t.scale ?? 0;
  const digits = INTEGER_DIGITS[c.type];
  if (digits !== undefined) return p - s >= digits;
  if (c.type !== 'numeric') return false;
  const n = numericPrecision(c.typmod);
  // An unconstrained numeric is read value by value: one that does not fit stops the job.
  if (n === undefined) return true;
  return n.scale <= s && n.precision - n.scale <= p - s;
}

/** Whether a column declared `t` can be read from PostgreSQL column `c` without losing values. */
export function canRead(t: SqlType, c: PgColumn): boolean {
  if (c.isArray) return false;
  switch (t.name) {
    case 'STRING':
      return STRING_TYPES.includes(c.type);
    case 'BOOLEAN':
      return c.type === 'bool';
    case 'TINYINT':
      return false;
    case 'SMALLINT':
      return c.type === 'int2';
    case 'INT':
      return c.type === 'int2' || c.type === 'int4';
    case 'BIGINT':
      return c.type === 'int2' || c.type === 'int4' || c.type === 'int8';
    case 'FLOAT':
      return c.type === 'float4';
    case 'DOUBLE':
      return c.type === 'float4' || c.type === 'float8';
    case 'DECIMAL':
      return decimalHolds(t, c);
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      // One instant in the engine either way (epoch ms, UTC session time zone).
      return c.type === 'timestamp' || c.type === 'timestamptz';
    default:
      return false;
  }
}

/** Whether PostgreSQL column `c` takes every value of a column declared `t`. */
export function canWrite(t: SqlType, c: PgColumn): boolean {
  if (c.isArray) return false;
  switch (t.name) {
    case 'STRING':
      return c.type === 'text' || c.type === 'varchar' || c.type === 'bpchar' || c.type === 'citext';
    case 'BOOLEAN':
      return c.type === 'bool';
    case 'TINYINT':
    case 'SMALLINT':
      return ['int2', 'int4', 'int8', 'numeric', 'float4', 'float8'].includes(c.type);
    case 'INT':
      return ['int4', 'int8', 'numeric', 'float8'].includes(c.type);
    case 'BIGINT':
      return c.type === 'int8' || c.type === 'numeric';
    case 'FLOAT':
      return c.type === 'float4' || c.type === 'float8';
    case 'DOUBLE':
      return c.type === 'float8';
    case 'DECIMAL': {
      if (c.type !== 'numeric') return false;
      const n = numericPrecision(c.typmod);
      if (n === undefined) return true;
      const p = t.precision ?? 10;
      const s = t.scale ?? 0;
      return n.scale >= s && n.precision - n.scale >= p - s;
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return c.type === 'timestamp' || c.type === 'timestamptz';
    default:
      return false;
  }
}

/** A value PostgreSQL sent that the declared type cannot hold. */
export class ValueProblem {
  constructor(readonly reason: string) {}
}

/** PostgreSQL text -> row value of the declared type, or a ValueProblem. */
export type FromText = (text: string) => unknown;

/** The converter from `c`'s text to a value of declared type `t` (canRead(t, c) holds). */
export function fromText(t: SqlType, c: PgColumn): FromText {
  switch (t.name) {
    case 'STRING':
      return (s) => s;
    case 'BOOLEAN':
      return (s) => s === 't' || s === 'true';
    case 'SMALLINT':
    case 'INT':
      return (s) => Number(s);
    case 'BIGINT':
      return (s) => parseLong(s) ?? new ValueProblem(`${s} is beyond BIGINT`);
    case 'FLOAT':
      return (s) => Math.fround(Number(s));
    case 'DOUBLE':
      // A float4 read as DOUBLE is the float's exact value, as Java widens a float.
      return c.type === 'float4' ? (s) => Math.fround(Number(s)) : (s) => Number(s);
    case 'DECIMAL': {
      const p = t.precision ?? 10;
      const s = t.scale ?? 0;
      const limit = 10n ** BigInt(p);
      return (text) => {
        const v = parseDecimal(text, s);
        if (v === null) return new ValueProblem(`${text} is not a DECIMAL value`);
        if (v >= limit || -v >= limit)
          return new ValueProblem(`${text} does not fit ${typeToString({ ...t, nullable: true })}`);
        return v;
      };
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (text) =>
        parsePgTimestamp(text) ?? new ValueProblem(`'${text}' is not a timestamp the engine can hold`);
    default:
      return (text) => new ValueProblem(`cannot read ${text} as ${typeToString(t)}`);
  }
}

const PG_TIMESTAMP =
  /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)?$/;

/**
 * PostgreSQL's ISO output of timestamp / timestamptz ('2024-01-02 03:04:05.123456', with '+00'
 * for timestamptz) as epoch ms, fractions below a millisecond dropped (TIMESTAMP(3)); null for
 * 'infinity' and dates BC.
 */
export function parsePgTimestamp(text: string): number | null {
  const m = PG_TIMESTAMP.exec(text);
  if (!m) return null;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0..99 as 1900..1999.
  const d = new Date(0);
  d.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  d.setUTCHours(Number(m[4]), Number(m[5]), Number(m[6]), ms);
  const t = d.getTime();
  if (!m[8]) return t;
  const offset = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000;
  return m[8] === '+' ? t - offset : t + offset;
}

/** A row value of declared type `t` as the text PostgreSQL reads for a parameter; null stays null. */
export function toText(t: SqlType): (v: unknown) => string | null {
  switch (t.name) {
    case 'DECIMAL': {
      const s = t.scale ?? 0;
      return (v) => (v === null || v === undefined ? null : formatDecimal(v as bigint, s));
    }
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      // With a zone: exact for timestamptz; PostgreSQL ignores it for timestamp (the UTC wall time).
      return (v) => (v === null || v === undefined ? null : new Date(v as number).toISOString());
    case 'BOOLEAN':
      return (v) => (v === null || v === undefined ? null : v ? 'true' : 'false');
    default:
      return (v) => (v === null || v === undefined ? null : String(v));
  }
}
