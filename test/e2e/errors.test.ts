// Error messages are part of the interface. Each test/fixtures/errors/<name>.sql is a job with one
// mistake (parse-* in the SQL text, plan-* found by the planner); <name>.expected.txt holds the
// exact message `fintrans-sql validate` must print after "error: " — file:line:col, what is wrong,
// and the hint line.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'errors');

const names = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.sql'))
  .map((f) => f.slice(0, -'.sql'.length))
  .sort();

describe('validate reports each mistake at its place with a hint', () => {
  it('has fixtures of both kinds', () => {
    expect(names.some((n) => n.startsWith('parse-'))).toBe(true);
    expect(names.some((n) => n.startsWith('plan-'))).toBe(true);
  });

  for (const name of names) {
    it(name, () => {
      const expectedPath = join(FIXTURES, `${name}.expected.txt`);
      expect(existsSync(expectedPath), `${name}.expected.txt is missing`).toBe(true);
      const expected = readFileSync(expectedPath, 'utf8').trim();
      const r = runCli(['validate', `test/fixtures/errors/${name}.sql`], ROOT);
      expect(r.code, `exit code; stdout:\n${r.stdout}`).toBe(1);
      expect(r.stderr).toBe(`error: ${expected}\n`);
    });
  }
});
