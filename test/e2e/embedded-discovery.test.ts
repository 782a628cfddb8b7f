// A job on the embedded topic store with a 'topic-pattern' picks up, while it runs, a topic that
// another process (`fintrans-sql generate --to …`) creates, with every partition it was created
// with (FINTRANS_PARTITIONS), and reads it from its earliest offset.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { CLI, runCli } from './cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const JOB = `
SET 'execution.checkpointing.interval' = '200ms';
CREATE TABLE tx (
  tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT,
  src STRING METADATA FROM 'topic',
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka', 'topic-pattern' = 'tx-.*', 'properties.group.id' = 'discovery',
  'scan.startup.mode' = 'earliest-offset', 'scan.topic-partition-discovery.interval' = '200 ms',
  'format' = 'csv', 'csv.field-delimiter' = ';'
);
CREATE TABLE per_topic (src STRING, window_start TIMESTAMP(3), n BIGINT, total BIGINT)
WITH ('connector' = 'filesystem', 'path' = 'output/per_topic.csv', 'format' = 'csv');
INSERT INTO per_topic
SELECT src, window_start, COUNT(*), SUM(amount)
FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY src, window_start, window_end;
`;

/** Records and amount total per topic, read straight from the store. */
function inStore(dir: string, topic: string): { n: number; total: number; partitions: number } {
  const store = TopicStore.open(join(dir, '.fintrans'));
  try {
    const partitions = store.partitionCount(topic) ?? 0;
    let n = 0;
    let total = 0;
    for (let p = 0; p < partitions; p++) {
      for (const r of store.read(topic, p, 0, 1_000_000)) {
        n++;
        total += Number(String(r.value).split(';')[3]);
      }
    }
    return { n, total, partitions };
  } finally {
    store.close();
  }
}

function perTopic(dir: string): Map<string, { n: number; total: number }> {
  const path = join(dir, 'output', 'per_topic.csv');
  const out = new Map<string, { n: number; total: number }>();
  if (!existsSync(path)) return out;
  for (const line of readFileSync(path, 'utf8').split('\n').slice(1).filter(Boolean)) {
    const [src, , n, total] = line.split(',');
    const t = out.get(src!) ?? { n: 0, total: 0 };
    t.n += Number(n);
    t.total += Number(total);
    out.set(src!, t);
  }
  return out;
}

describe('embedded topic store: topic discovery while a job runs', () => {
  it('reads a topic created by another process mid-run, all its partitions, from the beginning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-discovery-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'job.sql'), JOB);
    expect(runCli(['generate', '--count', '200', '--to', 'tx-a'], dir).code).toBe(0);

    const job = spawn(process.execPath, [CLI, 'run', 'job.sql', '--until-idle', '4s'], {
      cwd: dir,
      env: { ...process.env, FINTRANS_HOME: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    job.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    job.stdout.resume();
    const exited = new Promise<number | null>((resolve) => job.on('exit', (code) => resolve(code)));
    try {
      // The job is reading tx-a (its checkpoint files exist once it has taken one).
      const until = Date.now() + 30_000;
      while (
        !existsSync(join(dir, '.fintrans', 'checkpoints', 'job.db')) &&
        Date.now() < until &&
        job.exitCode === null
      )
        await new Promise((r) => setTimeout(r, 50));
      expect(job.exitCode, stderr).toBeNull();

      // Another process creates tx-b with 3 partitions (event times after tx-a's, so none is late),
      // and a topic the pattern does not match.
      const gen = runCli(
        ['generate', '--count', '300', '--seed', '7', '--start', '2017-07-23T02:00:00Z', '--to', 'tx-b'],
        dir,
        { FINTRANS_PARTITIONS: '3' },
      );
      expect(gen.code, gen.stderr).toBe(0);
      expect(runCli(['generate', '--count', '50', '--to', 'other'], dir).code).toBe(0);
      expect(await exited, stderr).toBe(0);
    } finally {
      if (job.exitCode === null) job.kill('SIGKILL');
    }

    const a = inStore(dir, 'tx-a');
    const b = inStore(dir, 'tx-b');
    expect(a.n).toBe(200);
    expect(b).toMatchObject({ n: 300, partitions: 3 });
    const got = perTopic(dir);
    expect([...got.keys()].sort()).toEqual(['tx-a', 'tx-b']);
    expect(got.get('tx-a')).toEqual({ n: a.n, total: a.total });
    expect(got.get('tx-b')).toEqual({ n: b.n, total: b.total });
    expect(stderr).toMatch(/read 500 records from 'tx'/);
    expect(stderr).not.toMatch(/late [1-9]/);
  }, 60_000);
});
