// SQL types and the one row layout used everywhere in the engine.
//
// A row is a plain array indexed by column position (fast to build, fast to read, no per-field
// property lookups). How each SQL type is held in a row is fixed here, once:
//
//   STRING / VARCHAR / CHAR     JS string
//   TINYINT / SMALLINT / INT    JS number (integral, within the type's range: arithmetic wraps
//                               like Java's byte / short / int, see engine/int64.ts)
//   BIGINT                      JS number while the value is a safe integer (|v| <= 2^53 - 1),
//                               JS bigint beyond (up to Java's long range, wrapping like long).
//                               Never a bigint for a safe value: one representation per value, so
//                               ===, Map keys and Sets work unchanged, and the common case stays a
//                               plain number (engine/int64.ts does the arithmetic)
//   DOUBLE / FLOAT              JS number
//   DECIMAL(p, s)               JS bigint holding the *unscaled* value (12.34 in DECIMAL(10,2) is 1234n):
//                               exact arithmetic, the scale lives in the type
//   BOOLEAN                     JS boolean
//   TIMESTAMP(p) / TIMESTAMP_LTZ(p)
//                               JS number: epoch milliseconds, UTC (the session time zone is UTC)
//   DATE                        JS number: days since 1970-01-01 (negative before it), proleptic
//                               Gregorian calendar as Flink's, no time zone
//   TIME(p)                     JS number: milliseconds since midnight (0 .. 86 399 999)
//   INTERVAL                    JS number: milliseconds (only as literals in expressions)
//   INTERVAL_MONTHS             JS number: months (INTERVAL '1' YEAR is 12; only as literals added
//                               to a DATE or TIMESTAMP, calendar months as Calcite adds them)
//   NULL of any type            null

export type Row = unknown[];

/**
 * What a row of a changelog stream says, as Flink's RowKind: +I a new row, -U the old value of an
 * updated row, +U its new value, -D a removed row. Passed beside the row (never stored in it), so a
 * row stays a plain array; insert-only streams pass INSERT everywhere.
 */
export type RowKind = 0 | 1 | 2 | 3;
export const INSERT: RowKind = 0;
export const UPDATE_BEFORE: RowKind = 1;
export const UPDATE_AFTER: RowKind = 2;
export const DELETE: RowKind = 3;
/** How Flink prints each kind: +I[...], -U[...], +U[...], -D[...]. */
export const ROW_KIND_SHORT: readonly string[] = ['+I', '-U', '+U', '-D'];

/** Whether a kind adds a row (+I, +U) rather than taking one back (-U, -D). */
export function isAccumulate(kind: RowKind): boolean {
  return kind === INSERT || kind === UPDATE_AFTER;
}

export type TypeName =
  | 'STRING'
  | 'BOOLEAN'
  | 'TINYINT'
  | 'SMALLINT'
  | 'INT'
  | 'BIGINT'
  | 'FLOAT'
  | 'DOUBLE'
  | 'DECIMAL'
  | 'TIMESTAMP'
  | 'TIMESTAMP_LTZ'
  | 'DATE'
  | 'TIME'
  | 'INTERVAL'
  | 'INTERVAL_MONTHS'
  | 'NULL';

export interface SqlType {
  readonly name: TypeName;
  /** DECIMAL precision, TIMESTAMP fractional precision, VARCHAR length (informational). */
  readonly precision?: number;
  /** DECIMAL scale. */
  readonly scale?: number;
  /** false when declared NOT NULL or known never to be null (a non-null literal). */
  readonly nullable: boolean;
}

export const T = {
  string: (nullable = true): SqlType => ({ name: 'STRING', nullable }),
  boolean: (nullable = true): SqlType => ({ name: 'BOOLEAN', nullable }),
  int: (nullable = true): SqlType => ({ name: 'INT', nullable }),
  bigint: (nullable = true): SqlType => ({ name: 'BIGINT', nullable }),
  double: (nullable = true): SqlType => ({ name: 'DOUBLE', nullable }),
  decimal: (precision: number, scale: number, nullable = true): SqlType => ({
    name: 'DECIMAL',
    precision,
    scale,
    nullable,
  }),
  timestamp: (precision = 3, nullable = true): SqlType => ({ name: 'TIMESTAMP', precision, nullable }),
  timestampLtz: (precision = 3, nullable = true): SqlType => ({ name: 'TIMESTAMP_LTZ', precision, nullable }),
  date: (nullable = true): SqlType => ({ name: 'DATE', nullable }),
  time: (precision = 0, nullable = true): SqlType => ({ name: 'TIME', precision, nullable }),
  interval: (): SqlType => ({ name: 'INTERVAL', nullable: false }),
  intervalMonths: (): SqlType => ({ name: 'INTERVAL_MONTHS', nullable: false }),
  null: (): SqlType => ({ name: 'NULL', nullable: true }),
};

export function isIntegral(t: SqlType): boolean {
  return t.name === 'TINYINT' || t.name === 'SMALLINT' || t.name === 'INT' || t.name === 'BIGINT';
}

export function isApproxNumeric(t: SqlType): boolean {
  return t.name === 'FLOAT' || t.name === 'DOUBLE';
}

export function isNumeric(t: SqlType): boolean {
  return isIntegral(t) || isApproxNumeric(t) || t.name === 'DECIMAL';
}

export function isTimestamp(t: SqlType): boolean {
  return t.name === 'TIMESTAMP' || t.name === 'TIMESTAMP_LTZ';
}

export function withNullable(t: SqlType, nullable: boolean): SqlType {
  return t.nullable === nullable ? t : { ...t, nullable };
}

/** How a type is written in SQL, for messages and EXPLAIN: DECIMAL(10, 2), TIMESTAMP(3), STRING. */
export function typeToString(t: SqlType): string {
  const base =
    t.name === 'DECIMAL'
      ? `DECIMAL(${t.precision ?? 10}, ${t.scale ?? 0})`
      : t.name === 'TIMESTAMP' || t.name === 'TIMESTAMP_LTZ'
        ? `${t.name}(${t.precision ?? 3})`
        : t.name === 'TIME'
          ? `TIME(${t.precision ?? 0})`
          : t.name;
  return t.nullable ? base : `${base} NOT NULL`;
}

/** A named, typed column of a table or of an operator's output. */
export interface Field {
  readonly name: string;
  readonly type: SqlType;
  /**
   * An event-time attribute (Flink's rowtime): the WATERMARK column of a table, kept through
   * projections and filters, and the window_time of a window aggregate. Windows need one.
   */
  readonly rowtime?: true;
  /** A processing-time attribute (`AS PROCTIME()`): lookup joins use it; windows do not. */
  readonly proctime?: true;
}

export type Schema = readonly Field[];
