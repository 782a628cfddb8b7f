// A job that asks for more than the process can give (a string past JavaScript's longest, a stack
// deeper than JavaScript's, more heap than Node.js has) stops with a message naming the limit and
// what to change, exit code 1: never a bare V8 error or abort, nor an "internal error" stack trace.
// Each run through the CLI.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

function workdir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-limits-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const TABLES = `CREATE TABLE t (ts TIMESTAMP(3), k INT, WATERMARK FOR ts AS ts) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE o (k INT, v STRING) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
`;

/** `n` rows of key 1, all in the first minute. */
const rows = (n: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      `2017-07-23 00:00:${String(i % 60).padStart(2, '0')}.${String(Math.floor(i / 60)).padStart(3, '0')},1\n`,
  ).join('');

describe('limits of JavaScript become clear errors', () => {
  it('LISTAGG past the longest string JavaScript can hold', () => {
    // 2100 values of 256 Ki characters: 550 M characters in one group. The literal is one string,
    // so the list (a rope of references to it) takes little memory until the limit is reached.
    const value = 'x'.repeat(256 * 1024);
    const dir = workdir({
      'in.csv': rows(2100),
      'job.sql': `${TABLES}INSERT INTO o
SELECT k, LISTAGG('${value}')
FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '1' HOUR))
GROUP BY k, window_start, window_end;
`,
    });
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: LISTAGG: one group's list would be longer than the longest string JavaScript can hold (536870888 characters)\n" +
        '  hint: give each group fewer rows (a shorter window, more GROUP BY keys) or shorter values (SUBSTRING(x, 1, n))\n',
    );
  });

  it('an expression nested deeper than the JavaScript stack', () => {
    const sum = Array.from({ length: 20_000 }, () => 'k').join(' + ');
    const dir = workdir({
      'in.csv': rows(3),
      'job.sql': `${TABLES}INSERT INTO o SELECT ${sum}, 'a' FROM t;\n`,
    });
    const r = runCli(['validate', 'job.sql'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: the job nests too deeply for the JavaScript stack (Maximum call stack size exceeded): most likely an expression with thousands of terms, such as a long OR chain or a CASE with thousands of branches\n' +
        '  hint: shorten the expression: write `x = 1 OR x = 2 OR ...` as `x IN (1, 2, ...)`, or split the condition over several queries\n',
    );
  });

  it('a heap about to run out: stopped with the knob to turn, before V8 aborts', () => {
    // A running GROUP BY over (nearly) unique keys keeps one group per record: 300 000 groups do
    // not fit in 64 MB.
    const dir = workdir({
      'job.sql': `CREATE TABLE tx (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE totals (tx_time STRING, sender BIGINT, receiver BIGINT, total BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO totals SELECT tx_time, sender, receiver, SUM(amount) FROM tx GROUP BY tx_time, sender, receiver;
`,
    });
    const g = runCli(['generate', '--count', '300000', '--out', 'tx.csv'], dir);
    expect(g.code, g.stderr).toBe(0);
    const r = runCli(['run', 'job.sql', '--quiet'], dir, { NODE_OPTIONS: '--max-old-space-size=64' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        '^error: out of memory: after garbage collection the JavaScript heap is still (8[5-9]|9\\d|100) % full \\(limit 64 MB\\); the job was stopped before Node\\.js would abort\n' +
          '  hint: give Node\\.js more heap, e\\.g\\. NODE_OPTIONS=--max-old-space-size=256 \\(in MB\\), or keep less state: shorter windows, fewer groups\n$',
      ),
    );
  });
});
