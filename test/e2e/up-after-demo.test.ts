// Issue 21: every job of jobs/ that `up` starts runs green on the embedded default right after
// `npm run demo` (the demo's topic and reference data, nothing else), and a job whose leading
// comments say `-- up: manual <reason>` is not started, with the reason logged, until the line goes.
// The shipped jobs/ is copied as it is: a job added later is held to the same rule.

import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';
import { UpProcess, type JobView } from '../manager/up-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fintrans-up-demo-'));
  dirs.push(d);
  return d;
}

/** The jobs' own headers, read here with a rule of the test's own: a leading comment line `-- up: manual`. */
function manualJobs(dir: string): Set<string> {
  const out = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.sql'))) {
    const leading = readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    const comments = leading.slice(
      0,
      leading.findIndex((l) => !l.trim().startsWith('--')),
    );
    if (comments.some((l) => /^--\s*up:\s*manual\b/i.test(l.trim()))) out.add(f.replace(/\.sql$/, ''));
  }
  return out;
}

const healthy = (j: JobView) =>
  (j.status === 'running' || j.status === 'finished') &&
  j.restarts === 0 &&
  j.error === null &&
  j.rejected === null;

describe('up right after the demo', () => {
  it('starts every job without -- up: manual, and each stays healthy', async () => {
    const dir = tempDir();
    cpSync(join(ROOT, 'jobs'), join(dir, 'jobs'), { recursive: true });
    // npm run demo, smaller: the same topic, formats and reference data, fewer records.
    const demo = runCli(['demo', '--count', '100000', '--plant', '3', '--patterns', '3'], dir);
    expect(demo.code, demo.stderr + demo.stdout).toBe(0);

    const all = readdirSync(join(dir, 'jobs'))
      .filter((n) => n.endsWith('.sql'))
      .map((n) => n.replace(/\.sql$/, ''));
    const manual = manualJobs(join(dir, 'jobs'));
    expect([...manual].sort()).toEqual(expect.arrayContaining(['laundering_sliding', 'spending_pattern_es']));
    const expected = all.filter((id) => !manual.has(id)).sort();
    expect(expected.length).toBeGreaterThanOrEqual(5);

    const up = await UpProcess.start(dir);
    try {
      const everyJob = async () => (await up.status()).jobs;
      await up.until(
        async () => {
          const jobs = await everyJob();
          return (
            expected.every((id) => jobs.some((j) => j.id === id && j.status !== 'starting')) ||
            jobs.some((j) => !healthy(j) && j.status !== 'starting')
          );
        },
        60_000,
        `every job started: ${expected.join(', ')}`,
      );
      // A job failing on a missing file or a bad record fails within a batch: watch a few seconds more.
      await new Promise((r) => setTimeout(r, 4000));
      const jobs = await everyJob();
      const view = (j: JobView) =>
        `${j.id}: ${j.status}, restarts ${j.restarts}, in ${j.recordsIn}${j.error ? `, error: ${j.error}` : ''}`;
      expect(jobs.map((j) => j.id).sort(), up.stderr).toEqual(expected);
      // Jobs over topics the demo does not write (the city topics, JSON transactions) wait, idle and
      // green; the demo's own jobs resume from the offsets their consumer groups committed in the demo.
      for (const j of jobs)
        expect(healthy(j) && j.bad === 0, `${view(j)}\n--- up's stderr ---\n${up.stderr}`).toBe(true);
      for (const id of manual)
        expect(up.stderr).toMatch(
          new RegExp(
            `${id}: not started by up \\(-- up: manual\\): .+; run it with 'fintrans-sql run jobs/${id}\\.sql'`,
          ),
        );
      const status = await up.status();
      expect(
        status.events.filter((e) => e.level === 'error'),
        up.stderr,
      ).toEqual([]);
    } finally {
      expect(await up.stop(), up.stderr).toBe(0);
    }
  }, 120_000);

  it('a manual job is left alone, logged once, and starts once its header line is removed', async () => {
    const dir = tempDir();
    const jobs = join(dir, 'jobs');
    writeFileSync(join(dir, 'in.csv'), '1,10\n2,20\n');
    const body = `CREATE TABLE src (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE dst (k INT, v INT) WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
INSERT INTO dst SELECT k, v FROM src;
`;
    mkdirSync(jobs);
    // A string or a comment after the first statement does not count: only the leading comments.
    writeFileSync(join(jobs, 'late.sql'), `-- copies in.csv\n${body}-- up: manual not here\n`);
    writeFileSync(
      join(jobs, 'held.sql'),
      `-- copies in.csv\n-- up: manual — waits for the reference data\n${body.replace('out.csv', 'held.csv')}`,
    );
    const up = await UpProcess.start(dir);
    try {
      await up.waitJob('late', (j) => j.status === 'finished', 'finished');
      await up.until(
        () =>
          /held: not started by up \(-- up: manual\): waits for the reference data; run it with 'fintrans-sql run jobs\/held\.sql'/.test(
            up.stderr,
          ),
        10_000,
        'the reason logged',
      );
      expect((await up.status()).jobs.map((j) => j.id)).toEqual(['late']);
      writeFileSync(join(jobs, 'held.sql'), `-- copies in.csv\n${body.replace('out.csv', 'held.csv')}`);
      await up.waitJob('held', (j) => j.status === 'finished', 'finished after the header line went');
      expect(readFileSync(join(dir, 'held.csv'), 'utf8')).toContain('2,20');
      expect(up.stderr.match(/held: not started by up/g)).toHaveLength(1); // logged once, not every scan
    } finally {
      expect(await up.stop(), up.stderr).toBe(0);
    }
  }, 60_000);
});
