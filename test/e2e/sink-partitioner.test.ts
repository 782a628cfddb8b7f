// 'sink.partitioner' on a 'kafka' sink (Flink's option), on the embedded topic store: default
// spreads by key hash, fixed writes every row to the first partition, round-robin spreads rows
// evenly whatever their keys.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import { runCli } from './cli.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** 30 rows, all with the same key (sender 7), into a 3-partition topic. */
function runWith(partitioner: string | null): number[] {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-partitioner-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'in.csv'), Array.from({ length: 30 }, (_, i) => `7,${i}`).join('\n') + '\n');
  const store = TopicStore.open(join(dir, '.fintrans'));
  store.ensureTopic('out', 3);
  store.close();
  writeFileSync(
    join(dir, 'job.sql'),
    `CREATE TABLE src (sender BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
     CREATE TABLE dst (sender BIGINT, amount BIGINT) WITH (
       'connector' = 'kafka', 'topic' = 'out', 'format' = 'csv', 'key.fields' = 'sender'
       ${partitioner ? `, 'sink.partitioner' = '${partitioner}'` : ''});
     INSERT INTO dst SELECT sender, amount FROM src;\n`,
  );
  const r = runCli(['run', 'job.sql', '--quiet'], dir);
  expect(r.code, r.stderr).toBe(0);
  const after = TopicStore.open(join(dir, '.fintrans'));
  const counts = [0, 1, 2].map((p) => after.endOffset('out', p));
  after.close();
  return counts;
}

describe("'sink.partitioner'", () => {
  it('default: one key, one partition (the key hash)', () => {
    const counts = runWith(null);
    expect(counts.filter((c) => c > 0)).toEqual([30]);
  });
  it('fixed: every row to partition 0', () => {
    expect(runWith('fixed')).toEqual([30, 0, 0]);
  });
  it('round-robin: rows spread evenly, keys ignored', () => {
    expect(runWith('round-robin')).toEqual([10, 10, 10]);
  });
  it('an unknown partitioner is an error naming the choices', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-partitioner-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'job.sql'),
      `CREATE TABLE src (a BIGINT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE dst (a BIGINT) WITH ('connector' = 'kafka', 'topic' = 'out', 'format' = 'csv', 'sink.partitioner' = 'hash');
INSERT INTO dst SELECT a FROM src;\n`,
    );
    const r = runCli(['validate', 'job.sql'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("'sink.partitioner'");
    expect(r.stderr).toContain('round-robin');
  });
});
