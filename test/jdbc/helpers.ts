// What the JDBC tests share: the rig's connection options for a WITH clause, a ConnectorContext
// for driving the connector's sink and lookups directly (as the runtime and a lookup join do), and
// a work dir with a job file for the CLI.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConnectorContext } from '../../connectors/api.js';
import { OptionBag } from '../../engine/options.js';
import type { SqlType } from '../../engine/types.js';
import type { PostgresRig } from '../rig/postgres.js';

/** 'url', 'username', 'password' for the rig, plus `more`. */
export function rigOptions(rig: PostgresRig, more: Record<string, string> = {}): Record<string, string> {
  return { url: rig.jdbcUrl, username: rig.user, password: rig.password, ...more };
}

/** The same as WITH clause lines: `'connector' = 'jdbc', 'url' = ..., ...`. */
export function withClause(options: Record<string, string>): string {
  return Object.entries({ connector: 'jdbc', ...options })
    .map(([k, v]) => `  '${k}' = '${v.replace(/'/g, "''")}'`)
    .join(',\n');
}

/** What the runtime gives a connector for table `table` (columns in declaration order, PRIMARY KEY by index). */
export function jdbcContext(
  table: string,
  columns: [string, SqlType][],
  options: Record<string, string>,
  primaryKey?: number[],
): ConnectorContext {
  return {
    table,
    tablePos: { file: 'test.sql', line: 1, col: 14 },
    options: OptionBag.of(options, `table '${table}'`),
    physical: columns.map(([name, type]) => ({ name, type })),
    primaryKey,
    settings: new Map(),
    cwd: process.cwd(),
  };
}

/** A fresh work dir holding `files` (name -> text). */
export function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-jdbc-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
