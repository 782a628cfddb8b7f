// An edit whose state no longer fits starts the job fresh: from the beginning of its sources, not
// from where the old version's consumer group got to, and that holds for a restart after a crash
// too until the fresh run has taken its first checkpoint.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { UpProcess } from './up-process.js';

const K_SQL = (filter: string, interval: string) => `
SET 'execution.checkpointing.interval' = '${interval}';
CREATE TABLE payments (id BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 'payments', 'properties.group.id' = 'k', 'format' = 'csv');
CREATE TABLE k_out (id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'output/k.csv', 'format' = 'csv');
INSERT INTO k_out SELECT id, amount FROM payments WHERE ${filter};
`;

describe('up: a fresh start after an edit', () => {
  let dir: string;
  let up: UpProcess | undefined;
  afterAll(async () => {
    await up?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recomputes from the beginning of its sources, also when it crashes before its first checkpoint', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fintrans-up-fresh-'));
    mkdirSync(join(dir, 'jobs'));
    const store = TopicStore.open(join(dir, '.fintrans'));
    store.ensureTopic('payments', 1);
    store.append(
      'payments',
      Array.from({ length: 50 }, (_, id) => ({ key: null, value: `${id},${id % 10}`, timestamp: id })),
    );
    store.close();
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL('amount >= 0', '200ms'));
    up = await UpProcess.start(dir, ['jobs']);
    const kRows = () => {
      const path = join(dir, 'output', 'k.csv');
      return existsSync(path) ? readFileSync(path, 'utf8').split('\n').slice(1).filter(Boolean) : [];
    };
    await up.waitJob('k', (j) => j.recordsIn === 50, 'the 50 records read');
    await up.until(() => kRows().length === 50, 10_000, 'the 50 rows written (checkpointed)');
    await up.until(
      () =>
        /k: started \(pid \d+\): 'payments' reads from the committed offsets of consumer group 'k'/.test(
          up!.stderr,
        ),
      1000,
      'where the first run starts said',
    );
    // Let a checkpoint after the last rows commit the group's offsets (at 50).
    await new Promise((r) => setTimeout(r, 1000));

    // A changed filter: the state no longer fits. No checkpoint for an hour, so none before the crash.
    const v1 = (await up.job('k'))!;
    writeFileSync(join(dir, 'jobs', 'k.sql'), K_SQL('amount >= 5', '1 h'));
    const fresh = await up.waitJob(
      'k',
      (j) => j.pid !== v1.pid && j.recordsIn === 50,
      'the new version reading all 50 records again',
    );
    expect(up.stderr).toMatch(
      /k: started fresh: .*; it recomputes from the beginning of its sources: 'payments' reads from the earliest offset\n/,
    );

    process.kill(fresh.pid!, 'SIGKILL');
    const again = await up.waitJob(
      'k',
      (j) => j.restarts === 1 && j.status === 'running' && j.pid !== fresh.pid,
      'restarted after the crash',
    );
    await up.waitJob(
      'k',
      (j) => j.pid === again.pid && j.recordsIn === 50,
      'all 50 records read again, not 0 from the old group position',
    );
    expect(up.stderr).toMatch(
      new RegExp(`k: started \\(pid ${again.pid}\\): 'payments' reads from the earliest offset\\n`),
    );
    const expected = Array.from({ length: 50 }, (_, i) => i)
      .filter((i) => i % 10 >= 5)
      .map((i) => `${i},${i % 10}`);
    // Stopping up takes the checkpoint that flushes the rows.
    expect(await up.stop()).toBe(0);
    up = undefined;
    expect(kRows()).toEqual(expected);
  });
});
