// `fintrans-sql demo` checks every ready job against the generator's truth, not only the main one:
// a join job that misses a planted case, reports a decoy, or enriches an alert with the wrong
// version of an account fails the demo, saying which.

import { mkdtempSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

function workdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-demo-'));
  cpSync(join(ROOT, 'jobs'), join(dir, 'jobs'), { recursive: true });
  return dir;
}

function edit(dir: string, job: string, from: string, to: string): void {
  const file = join(dir, 'jobs', job);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

const DEMO = ['demo', '--count', '100000', '--plant', '3', '--patterns', '9'];

describe('the demo checks the join jobs', () => {
  it('fails when a job reports decoys (a layering window of 30 minutes catches the slow decoys)', () => {
    const dir = workdir();
    edit(dir, 'layering.sql', "s.ts <= f.ts + INTERVAL '10' MINUTE", "s.ts <= f.ts + INTERVAL '30' MINUTE");
    const r = runCli(DEMO, dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toContain('Planted layering chains found: 3/3 (recall 100 %); decoys reported: 3/6;');
    expect(r.stdout).toContain(
      'Planted rapid cash-outs found: 3/3 (recall 100 %); decoys reported: 0/6; other alerts: 0.',
    );
  }, 120_000);

  it('fails when a job misses planted cases, and names them', () => {
    const dir = workdir();
    edit(dir, 'rapid_cashout.sql', 'o.amount >= 0.8 * d.amount', 'o.amount >= 0.9 * d.amount');
    const r = runCli(DEMO, dir);
    expect(r.code, r.stderr).toBe(1);
    const line = /Planted rapid cash-outs found: (\d+)\/3 /.exec(r.stdout);
    expect(Number(line?.[1])).toBeLessThan(3);
    expect(r.stdout).toMatch(
      / {2}missed: \d+ -> \d+ at 2017-07-23 [\d:.]+, \d+ -> \d+ at 2017-07-23 [\d:.]+ \(rapid_cashout\.sql\)/,
    );
  }, 120_000);

  it('fails when an enriched alert shows the latest account version instead of the one valid then', () => {
    const dir = workdir();
    // A regular join with every version: an alert meets all of its accounts' versions.
    edit(
      dir,
      'laundering_enriched.sql',
      'LEFT JOIN account_versions FOR SYSTEM_TIME AS OF l.window_time AS s',
      'LEFT JOIN account_versions AS s',
    );
    writeFileSync(
      join(dir, 'jobs/laundering_enriched.sql'),
      "SET 'fintrans.sink.append-updates' = 'true';\n" +
        readFileSync(join(dir, 'jobs/laundering_enriched.sql'), 'utf8'),
    );
    const r = runCli(DEMO, dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/Enriched laundering alerts: \d+\/\d+ .*same alerts as laundering\.sql: NO\./);
    expect(r.stdout).toMatch(
      / {2}wrong: \d+ -> \d+ in window starting .* instead of .* \(laundering_enriched\.sql\)/,
    );
  }, 120_000);
});

describe('the demo checks top_senders.sql (window Top-N per city)', () => {
  it('reports the recall of the planted top senders, and fails on a wrong ranking, naming the rows', () => {
    const dir = workdir();
    // Top two instead of three, and totals one too high: every city's third row is missed and every
    // row found shows another total than the truth's.
    edit(dir, 'top_senders.sql', 'WHERE rn <= 3', 'WHERE rn <= 2');
    edit(dir, 'top_senders.sql', 'SUM(amount) AS total', 'SUM(amount) + 1 AS total');
    const r = runCli(DEMO, dir);
    expect(r.code, r.stderr).toBe(1);
    // --patterns 9: five planted top senders (each first in its city and window) and four decoys.
    // stderr says why when the demo stopped before its report.
    expect(r.stdout, r.stderr).toContain(
      'Planted top senders found: 5/5 (recall 100 %); decoys reported: 0/4; other alerts: 0. Alerts in output/top_senders.csv.',
    );
    const also =
      /Also reported, as the truth expects: (\d+)\/(\d+) background senders in their city's top three/.exec(
        r.stdout,
      );
    expect(Number(also?.[1])).toBeLessThan(Number(also?.[2]));
    expect(r.stdout).toMatch(
      / {2}missed: \d+ in \w+, window starting 2017-07-23 [\d:.]+ \(top_senders\.sql\)/,
    );
    expect(r.stdout).toMatch(
      / {2}wrong: \d+ in \w+, window starting 2017-07-23 [\d:.]+: rank 1, total (\d+), \d+ transfers instead of rank 1, total \d+, \d+ transfers \(top_senders\.sql\)/,
    );
    // The other jobs still pass.
    expect(r.stdout).toContain(
      'Planted layering chains found: 3/3 (recall 100 %); decoys reported: 0/6; other alerts: 0.',
    );
  }, 180_000);
});
