// Progress lines when stderr is not a terminal (a log file, a pipe, `up`'s job logs): a line when
// something changed, otherwise one every 10 s, so an idle job does not repeat the same line every
// second (issue 21).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { TRANSACTIONS_COLUMNS } from '../crash-loop.js';

const JOB = `CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'kafka', 'topic' = 'transactions', 'scan.startup.mode' = 'earliest-offset', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE totals (sender BIGINT, window_start TIMESTAMP(3), total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');
INSERT INTO totals
SELECT sender, window_start, SUM(amount)
FROM TABLE(TUMBLE(TABLE transactions, DESCRIPTOR(ts), INTERVAL '10' MINUTES))
GROUP BY sender, window_start, window_end;
`;

describe('progress lines on a pipe', () => {
  it('an idle job prints no repeated line: only changes, or one line every 10 s', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-progress-'));
    writeFileSync(join(dir, 'job.sql'), JOB);
    const g = runCli(['generate', '--count', '2000', '--to', 'transactions'], dir);
    expect(g.code, g.stderr).toBe(0);

    // The 2000 records are read at once; then the job waits 4.5 s for more before it ends.
    const r = runCli(['run', 'job.sql', '--until-idle', '4500ms'], dir);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT.* in \d+ \(/.test(l));
    expect(lines.length, r.stderr).toBeGreaterThanOrEqual(1);
    // Without the rule there is a line a second while idle, each the same as the one before.
    const states = lines.map((l) => l.replace(/^\S+ /, '').replace(/\(\d+\/s\)/g, ''));
    for (let i = 1; i < states.length; i++) expect(states[i], r.stderr).not.toBe(states[i - 1]);
    expect(lines.length, r.stderr).toBeLessThanOrEqual(2);
    expect(r.stderr).toMatch(/read 2000 records from 'transactions'/);
  }, 60_000);
});
