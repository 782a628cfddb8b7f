// Secrets from the outside: ${VAR} in option values read from the environment by the CLI, and
// secret option values never printed back, even from a file that does not parse.

import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

describe('secrets and ${VAR} in the CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fintrans-secrets-'));
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'n.csv'), '1\n2\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads ${VAR} in an option value from the environment', () => {
    writeFileSync(
      join(dir, 'env.sql'),
      `CREATE TABLE nums (n INT) WITH ('connector' = 'filesystem', 'path' = '\${FT_DATA}/n.csv', 'format' = 'csv');
       CREATE TABLE twice (n INT) WITH ('connector' = 'filesystem', 'path' = 'output/\${FT_NAME}.csv', 'format' = 'csv');
       INSERT INTO twice SELECT n * 2 FROM nums;`,
    );
    const r = runCli(['run', 'env.sql', '--quiet'], dir, { FT_DATA: 'data', FT_NAME: 'from-env' });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'output', 'from-env.csv'), 'utf8')).toBe('n\n2\n4\n');
  });

  it('names the unset variable', () => {
    const r = runCli(['validate', 'env.sql'], dir, { FT_DATA: 'data' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: env.sql:2:69: option 'path' of table 'twice' uses the environment variable FT_NAME, which is not set\n" +
        '  hint: set it where fintrans-sql runs (export FT_NAME=...), or write the value in the file\n',
    );
  });

  it('does not print a password back in a syntax error', () => {
    writeFileSync(
      join(dir, 'broken.sql'),
      "CREATE TABLE t (a INT) WITH ('connector' = 'filesystem', 'path' = 'x.csv', 'password' 'hunter2-pw');\n",
    );
    const r = runCli(['validate', 'broken.sql'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: broken.sql:1:87: expected '=', found ''***''\n  hint: write 'password' = '***'\n",
    );
  });
});
