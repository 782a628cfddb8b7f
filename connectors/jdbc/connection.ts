// One connection to PostgreSQL for a 'jdbc' table's scan, lookups or sink, through node-postgres:
// connecting (UTC session, every value as text), turning the client's failures into messages that
// say what to check, retrying what may succeed later, and reading the table's catalog entry
// (columns, key) to check it against the declared columns before any row moves.

import pg from 'pg';
import { ConnectorError } from '../../engine/errors.js';
import type { Schema, SqlType } from '../../engine/types.js';
import { typeToString } from '../../engine/types.js';
import type { JdbcOptions } from './options.js';
import { canRead, canWrite, sqlTypeFor, type PgColumn } from './pg-types.js';

/** Every column arrives as PostgreSQL's text: pg-types.ts converts it for the declared type. */
const TEXT_ONLY: pg.CustomTypesConfig = {
  getTypeParser: (() => (text: string) => text) as unknown as pg.CustomTypesConfig['getTypeParser'],
};

/** SQLSTATE classes where the same statement will fail again: data, integrity, syntax/access, auth, unknown database. */
const PERMANENT_SQLSTATE = /^(22|23|42|28|3D|0A|2B|44)/;

/** Where a table lives, for messages: `PostgreSQL at 127.0.0.1:5432/fintrans`. */
export function serverText(o: JdbcOptions): string {
  return `PostgreSQL at ${o.address.host}:${o.address.port}/${o.address.database ?? o.user ?? '(default database)'}`;
}

/** A connection; `broken` once the server or the network dropped it (the next attempt reconnects). */
export class PgSession {
  broken = false;

  private constructor(readonly client: pg.Client) {}

  /** Connects for the table `title` ("jdbc table 'accounts'", for messages). */
  static async connect(o: JdbcOptions, title: string): Promise<PgSession> {
    const client = new pg.Client({
      host: o.address.host,
      port: o.address.port,
      database: o.address.database ?? o.user,
      user: o.user,
      password: o.password,
      ssl: o.address.ssl === 'require' ? { rejectUnauthorized: false } : false,
      connectionTimeoutMillis: o.connectTimeoutMs,
      application_name: o.address.applicationName ?? 'fintrans-sql',
      // ISO text for timestamps, in UTC (the engine's session time zone).
      options: '-c TimeZone=UTC -c DateStyle=ISO',
      types: TEXT_ONLY,
      keepAlive: true,
    });
    const session = new PgSession(client);
    // Without a listener, a connection dropped while idle would crash the process.
    client.on('error', () => {
      session.broken = true;
    });
    try {
      await client.connect();
    } catch (e) {
      session.broken = true;
      await client.end().catch(() => undefined);
      throw failure(o, title, 'cannot connect', e);
    }
    return session;
  }

  /** Rows as arrays of text (or null). */
  async rows(text: string, values?: readonly (string | null)[], name?: string): Promise<(string | null)[][]> {
    try {
      const r = await this.client.query<(string | null)[]>({
        text,
        values: values as (string | null)[] | undefined,
        rowMode: 'array',
        name,
      });
      return r.rows;
    } catch (e) {
      if (isConnectionLoss(e)) this.broken = true;
      throw e;
    }
  }

  /** A statement whose rows do not matter; returns how many rows it touched. */
  async run(text: string, values?: readonly (string | null)[]): Promise<number> {
    try {
      return (
        (await this.client.query({ text, values: values as (string | null)[] | undefined })).rowCount ?? 0
      );
    } catch (e) {
      if (isConnectionLoss(e)) this.broken = true;
      throw e;
    }
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.client.end().catch(() => undefined);
  }
}

function isConnectionLoss(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code)))
    return true;
  const msg = e instanceof Error ? e.message : '';
  return /Connection terminated|not queryable|Client was closed/i.test(msg);
}

/** Whether trying again may help: the connection, the server starting or stopping, contention; not a bad statement or a bad password. */
export function isRetriable(e: unknown): boolean {
  if (e instanceof ConnectorError) return e.retriable;
  const code = (e as { code?: string } | null)?.code;
  if (typeof code === 'string' && PERMANENT_SQLSTATE.test(code)) return false;
  return true;
}

/**
 * A ConnectorError for what went wrong for table `title` while doing `what` (e.g. "cannot write 12
 * rows to alerts"), with a hint for the usual causes.
 */
export function failure(
  o: JdbcOptions,
  title: string,
  what: string,
  e: unknown,
  retries?: number,
): ConnectorError {
  // A failure already described (e.g. connecting, during a write): described again for `what`, from its cause.
  if (e instanceof ConnectorError) {
    if (e.cause === undefined) return e;
    e = e.cause;
  }
  const err = e as {
    code?: string;
    message?: string;
    detail?: string;
    constraint?: string;
    column?: string;
  } | null;
  const code = err?.code;
  const server = serverText(o);
  const after = retries ? ` (after ${retries} retr${retries === 1 ? 'y' : 'ies'})` : '';
  let reason = err?.message ?? String(e);
  let hint: string | undefined;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ETIMEDOUT'
  ) {
    reason = {
      ECONNREFUSED: 'connection refused',
      ENOTFOUND: `unknown host '${o.address.host}'`,
      EHOSTUNREACH: 'host unreachable',
      ECONNRESET: 'connection reset',
      EPIPE: 'connection closed',
      ETIMEDOUT: 'connection timed out',
    }[code];
    hint = `is PostgreSQL running at ${o.address.host}:${o.address.port}? (check 'url')`;
  } else if (/timeout expired/i.test(reason)) {
    reason = `no answer within ${o.connectTimeoutMs / 1000} s ('connection.max-retry-timeout')`;
    hint = `is PostgreSQL running at ${o.address.host}:${o.address.port}? (check 'url')`;
  } else if (
    /Connection terminated|server closed the connection/i.test(reason) ||
    code?.startsWith('57P') ||
    code?.startsWith('08')
  ) {
    hint = `PostgreSQL at ${o.address.host}:${o.address.port} stopped or dropped the connection`;
  } else if (code === '28P01' || code === '28000') {
    hint = `check 'username' and 'password'`;
  } else if (/SASL|client password must be a string/i.test(reason)) {
    reason = `the server asks for a password and none is set`;
    hint = `add 'username' and 'password' to the WITH clause`;
  } else if (code === '3D000') {
    hint = `check the database in 'url' (${o.urlText}), or create it: CREATE DATABASE ...`;
  } else if (code === '42501') {
    hint = `grant the user what the job needs (SELECT to read, INSERT/UPDATE/DELETE to write)`;
  } else if (code === '23505') {
    reason = `${reason}${err?.detail ? ` (${err.detail})` : ''}`;
    hint = `declare the table's PRIMARY KEY (...) NOT ENFORCED to upsert by it instead of appending`;
  } else if (code?.startsWith('22') || code?.startsWith('23')) {
    reason = `${reason}${err?.detail ? ` (${err.detail})` : ''}${err?.column ? ` in column '${err.column}'` : ''}`;
  }
  return new ConnectorError(
    `${title} (${server}): ${what}${after}: ${reason}${hint ? `\n  hint: ${hint}` : ''}`,
    {
      cause: e,
      retriable: isRetriable(e),
    },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Flink's JDBC backoff: 1 s before the first retry, 2 s before the second, ... at most 10 s. */
export function backoffMs(attempt: number): number {
  return Math.min(1000 * (attempt + 1), 10_000);
}

/** The PostgreSQL table behind a 'table-name', from its catalog. */
export interface PgTableInfo {
  /** How PostgreSQL names it, quoted as needed: `accounts`, `risk."Accounts"`; used in every statement. */
  readonly sqlName: string;
  readonly columns: ReadonlyMap<string, PgColumn>;
  /** The PostgreSQL primary key's columns, if it has one. */
  readonly primaryKey?: readonly string[];
  /** Column sets of its unique indexes and constraints (the primary key too): what ON CONFLICT can use. */
  readonly uniqueKeys: readonly (readonly string[])[];
}

/**
 * Looks `tableName` up as PostgreSQL would read it in a query (search_path, unquoted names folded
 * to lower case, "quoted" names kept), as Flink's SQL does.
 */
export async function loadTableInfo(s: PgSession, o: JdbcOptions, tableTitle: string): Promise<PgTableInfo> {
  let oid: string | null;
  try {
    const found = await s.rows('SELECT to_regclass($1)::oid::text', [o.tableName]);
    oid = found[0]?.[0] ?? null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '42602' || code === '42601') {
      throw new ConnectorError(
        `${tableTitle}: 'table-name' = '${o.tableName}' is not a table name PostgreSQL can read\n  hint: write 'table' or 'schema.table' (\"Quoted\" for mixed case)`,
      );
    }
    throw failure(o, tableTitle, `cannot look up table '${o.tableName}'`, e);
  }
  if (oid === null) {
    throw new ConnectorError(
      `${tableTitle}: PostgreSQL table '${o.tableName}' does not exist in ${serverText(o)}\n` +
        `  hint: create it (CREATE TABLE ${o.tableName} (...)), or check 'table-name' (an unquoted name is folded to lower case, a schema other than the search_path's needs 'schema.table')`,
    );
  }
  const sqlName = (await s.rows('SELECT $1::oid::regclass::text', [oid]))[0]?.[0] ?? o.tableName;
  const cols = await s.rows(
    `SELECT a.attname, bt.typname, CASE WHEN t.typtype = 'd' THEN t.typtypmod ELSE a.atttypmod END,
            format_type(a.atttypid, a.atttypmod), (a.attnotnull OR (t.typtype = 'd' AND t.typnotnull))::text, (bt.typcategory = 'A')::text,
            format_type(bt.oid, NULL)
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [oid],
  );
  const columns = new Map<string, PgColumn>();
  for (const [name, type, typmod, display, notNull, isArray, baseType] of cols) {
    columns.set(name!, {
      name: name!,
      type: type!,
      typmod: Number(typmod),
      display: display!,
      notNull: notNull === 'true',
      isArray: isArray === 'true',
      baseType: baseType!,
    });
  }
  const keys = await s.rows(
    `SELECT i.indisprimary::text, array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(n, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n ORDER BY k.ord), chr(1))
       FROM pg_index i
      WHERE i.indrelid = $1::oid AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`,
    [oid],
  );
  const uniqueKeys = keys.map(([, names]) => names!.split('\u0001'));
  const pk = keys.find(([primary]) => primary === 'true');
  return { sqlName, columns, primaryKey: pk ? pk[1]!.split('\u0001') : undefined, uniqueKeys };
}

/**
 * The PostgreSQL column of each declared column (by name as PostgreSQL folds an unquoted one, as
 * Flink's SQL names it), checked for type: readable (a scan, lookups) or writable (a sink).
 * Throws a ConnectorError naming both types and what to declare instead.
 */
export function matchColumns(
  info: PgTableInfo,
  physical: Schema,
  mode: 'read' | 'write',
  tableTitle: string,
): PgColumn[] {
  return physical.map((f) => {
    const c = info.columns.get(f.name) ?? info.columns.get(f.name.toLowerCase());
    if (!c) {
      throw new ConnectorError(
        `${tableTitle}: column '${f.name}' is not a column of PostgreSQL table ${info.sqlName} (it has ${[...info.columns.keys()].join(', ')})\n` +
          `  hint: declare the PostgreSQL table's columns by their names, or ALTER TABLE ${info.sqlName} ADD COLUMN ${f.name.toLowerCase()} ${pgTypeFor(f.type)}`,
      );
    }
    const ok = mode === 'read' ? canRead(f.type, c) : canWrite(f.type, c);
    if (!ok) {
      const declared = typeToString({ ...f.type, nullable: true });
      const maps = sqlTypeFor(c);
      const verb = mode === 'read' ? 'cannot be read as' : 'cannot hold every value of';
      throw new ConnectorError(
        `${tableTitle}: column '${f.name}' is declared ${declared}, but PostgreSQL column ${info.sqlName}.${c.name} is ${c.display}, which ${verb} ${declared}\n` +
          `  hint: ${maps ? `declare '${f.name}' as ${maps} (what ${c.display} maps to)` : `${c.display} has no SQL type here; use a column of a supported type`}, or change the PostgreSQL column to ${pgTypeFor(f.type)}`,
      );
    }
    return c;
  });
}

/** The PostgreSQL type a declared type is stored as (for hints). */
export function pgTypeFor(t: SqlType): string {
  switch (t.name) {
    case 'STRING':
      return 'text';
    case 'BOOLEAN':
      return 'boolean';
    case 'TINYINT':
    case 'SMALLINT':
      return 'smallint';
    case 'INT':
      return 'integer';
    case 'BIGINT':
      return 'bigint';
    case 'FLOAT':
      return 'real';
    case 'DOUBLE':
      return 'double precision';
    case 'DECIMAL':
      return `numeric(${t.precision ?? 10}, ${t.scale ?? 0})`;
    case 'TIMESTAMP':
      return `timestamp(${Math.min(t.precision ?? 3, 6)})`;
    case 'TIMESTAMP_LTZ':
      return `timestamptz(${Math.min(t.precision ?? 3, 6)})`;
    default:
      return 'text';
  }
}

/** A column name for a statement, quoted (names PostgreSQL folded are lower case already). */
export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}
