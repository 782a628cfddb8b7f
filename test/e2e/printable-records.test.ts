// Input text shown to a person — a bad record that stops the job, the bad and late records the
// summary shows — has its control characters escaped: a record holding ANSI escapes (clear the
// screen, colours), a bell, a carriage return or a right-to-left override cannot take over the
// terminal or fake lines of output. Each through the CLI, with the exact text it prints.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

function workdir(job: string, input: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-printable-'));
  writeFileSync(join(dir, 'job.sql'), job);
  writeFileSync(join(dir, 'tx.csv'), input);
  return dir;
}

const job = (
  options = '',
) => `CREATE TABLE tx (ts TIMESTAMP(3), acct STRING, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv'${options});
CREATE TABLE totals (window_start TIMESTAMP(3), acct STRING, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');
INSERT INTO totals
SELECT window_start, acct, SUM(amount)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, acct;
`;

describe('records are printed with their control characters escaped', () => {
  it('a bad record that stops the job', () => {
    const dir = workdir(
      job(),
      '2024-01-01 10:00:00,a,5\n2024-01-01 10:00:01,b\x1b[2J\x1b[31m,7x\x1b[0m\x07\n',
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: bad record in table 'tx' at tx.csv:2: field 'amount' (column 3): '7x\\x1b[0m\\x07' is not a BIGINT\n" +
        '  record: 2024-01-01 10:00:01,b\\x1b[2J\\x1b[31m,7x\\x1b[0m\\x07\n' +
        "  hint: fix the input, or add 'csv.ignore-parse-errors' = 'true' (or 'json.ignore-parse-errors') to skip and count such records\n",
    );
  });

  it('bad records skipped and shown in the summary', () => {
    const dir = workdir(
      job(", 'csv.ignore-parse-errors' = 'true'"),
      '2024-01-01 10:00:00,a,5\n2024-01-01 10:00:01,b,\x1b]0;owned\x07\n',
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      "  bad record tx.csv:2: field 'amount' (column 3): '\\x1b]0;owned\\x07' is not a BIGINT: 2024-01-01 10:00:01,b,\\x1b]0;owned\\x07\n",
    );
  });

  it('late records shown in the summary', () => {
    const dir = workdir(
      job(),
      '2024-01-01 10:00:00,a,5\n2024-01-01 10:01:06,c,1\n2024-01-01 10:00:59,\u202eevil\u2028x\x1b[1A,8\n',
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      '  late tx: ts=2024-01-01 10:00:59.000, acct=\\u202eevil\\u2028x\\x1b[1A, amount=8 (watermark 2024-01-01 10:01:01.000)\n',
    );
  });
});
