// Very long expressions run (they used to end in "Maximum call stack size exceeded"): a WHERE of
// 1000 OR terms mixed with AND (regrouped with AND before OR, balanced) and a 3000-branch CASE
// (compiled in chunks), each checked against the rows it must give.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli } from './cli.js';

it('runs a 1000-term OR/AND WHERE and a 3000-branch CASE with the right rows', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-long-'));
  writeFileSync(
    join(dir, 'in.csv'),
    Array.from({ length: 40 }, (_, k) => `${k * 100},${k % 3}`).join('\n') + '\n',
  );
  // a = 0 OR a = 100 AND b = 1 OR a = 200 AND b = 1 OR ...: AND binds tighter, so a = 0 always passes.
  const where = ['a = 0', ...Array.from({ length: 999 }, (_, k) => `a = ${(k + 1) * 100} AND b = 1`)].join(
    ' OR ',
  );
  const branches = Array.from({ length: 3000 }, (_, k) => `WHEN a = ${k} THEN 'b${k}'`).join(' ');
  writeFileSync(
    join(dir, 'job.sql'),
    `CREATE TABLE t (a INT, b INT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE o (a INT, label STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO o SELECT a, CASE ${branches} ELSE 'other' END FROM t WHERE ${where};
`,
  );
  const r = runCli(['run', 'job.sql', '--quiet'], dir);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toContain('wrote 14 rows');
  const rows = readFileSync(join(dir, 'out.csv'), 'utf8').trim().split('\n').slice(1).sort();
  const expected = Array.from({ length: 40 }, (_, k) => k)
    .filter((k) => k === 0 || k % 3 === 1)
    .map((k) => `${k * 100},${k * 100 < 3000 ? `b${k * 100}` : 'other'}`)
    .sort();
  expect(rows).toEqual(expected);
});
