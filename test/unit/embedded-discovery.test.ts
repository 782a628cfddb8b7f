// The embedded topic store's 'kafka' source finding, while it runs, topics created that match its
// 'topic-pattern' and partitions added to its topics ('scan.topic-partition-discovery.interval'),
// reading them from their earliest offset, and keeping them across a checkpoint restore.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedTopicSource } from '../../connectors/embedded/source.js';
import { TopicStore } from '../../connectors/embedded/topic-store.js';
import type { KafkaTableOptions } from '../../connectors/kafka/options.js';
import { recordTexts, type SourceReader } from '../../connectors/api.js';

const dirs: string[] = [];
const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) await o.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function storeDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'embedded-discovery-'));
  dirs.push(d);
  return d;
}

function options(dir: string, o: Partial<KafkaTableOptions>): KafkaTableOptions {
  return {
    topics: [],
    groupId: 'g',
    startupMode: 'earliest-offset',
    boundedLatest: false,
    properties: new Map(),
    embeddedDir: dir,
    partitionDiscoveryMs: 50,
    deliveryGuarantee: 'at-least-once',
    transactionalIdPrefix: 'x',
    checkpointIntervalMs: null,
    ...o,
  } as KafkaTableOptions;
}

function store(dir: string): TopicStore {
  const s = TopicStore.open(dir);
  open.push(s);
  return s;
}

function append(s: TopicStore, topic: string, values: string[], partition?: number): void {
  s.append(
    topic,
    values.map((value, i) => ({ key: null, value, timestamp: 1000 + i, partition })),
  );
}

async function source(
  dir: string,
  o: Partial<KafkaTableOptions>,
  seek?: Record<string, number>,
): Promise<EmbeddedTopicSource> {
  const src = new EmbeddedTopicSource(options(dir, o), '/');
  open.push(src);
  if (seek) src.seek(seek);
  await src.open();
  return src;
}

/** Polls until `until` holds or `ms` passed; returns every value read, as `split name: value`. */
async function drain(
  src: SourceReader,
  ms: number,
  until: (seen: string[]) => boolean = () => false,
): Promise<string[]> {
  const seen: string[] = [];
  const end = Date.now() + ms;
  while (Date.now() < end && !until(seen)) {
    const r = await src.poll(100);
    if (r.kind === 'batch')
      for (const v of recordTexts(r.batch.values!, r.batch.count))
        seen.push(`${src.splits[r.batch.split]!.name}: ${v}`);
    else if (r.kind === 'end') break;
    else await new Promise((res) => setTimeout(res, 10));
  }
  return seen;
}

const names = (src: SourceReader) => src.splits.map((s) => s.name);

describe('embedded source: discovery while running', () => {
  it('picks up a topic created after start that matches topic-pattern, from its earliest offset', async () => {
    const dir = storeDir();
    const s = store(dir);
    s.createTopic('tx-a', 1);
    append(s, 'tx-a', ['a1', 'a2']);
    const src = await source(dir, { topicPattern: /^(?:tx-.*)$/ });
    expect(names(src)).toEqual(['tx-a/0']);
    expect(await drain(src, 2000, (seen) => seen.length === 2)).toEqual(['tx-a/0: a1', 'tx-a/0: a2']);

    // Another process creates topics (one matching, one not) and writes before the source looks.
    s.createTopic('tx-b', 2);
    append(s, 'tx-b', ['b0-1', 'b0-2'], 0);
    append(s, 'tx-b', ['b1-1'], 1);
    s.createTopic('other', 1);
    append(s, 'other', ['o1']);
    const seen = await drain(src, 3000, (x) => x.length === 3);
    expect(seen.sort()).toEqual(['tx-b/0: b0-1', 'tx-b/0: b0-2', 'tx-b/1: b1-1']);
    expect(names(src)).toEqual(['tx-a/0', 'tx-b/0', 'tx-b/1']);
    expect(src.splits[1]!.metadata?.get('topic')).toBe('tx-b');
    expect(src.splits[2]!.metadata?.get('partition')).toBe(1);
    expect(src.positions()).toEqual({ 'tx-a/0': 2, 'tx-b/0': 2, 'tx-b/1': 1 });
    // Nothing more, and 'other' never becomes a split.
    expect(await drain(src, 300)).toEqual([]);
    expect(names(src)).not.toContain('other/0');
  });

  it('picks up partitions added to a topic, from their earliest offset, even with scan.startup.mode latest-offset', async () => {
    const dir = storeDir();
    const s = store(dir);
    s.createTopic('tx', 1);
    append(s, 'tx', ['old']);
    const src = await source(dir, { topics: ['tx'], startupMode: 'latest-offset' });
    expect(await drain(src, 200)).toEqual([]);
    s.addPartitions('tx', 3);
    append(s, 'tx', ['p1'], 1);
    append(s, 'tx', ['p2'], 2);
    append(s, 'tx', ['p0'], 0);
    const seen = await drain(src, 3000, (x) => x.length === 3);
    expect(seen.sort()).toEqual(['tx/0: p0', 'tx/1: p1', 'tx/2: p2']);
    expect(names(src)).toEqual(['tx/0', 'tx/1', 'tx/2']);
  });

  it('does not look before the interval has passed, and never with interval 0 or a bounded scan', async () => {
    const dir = storeDir();
    const s = store(dir);
    s.createTopic('tx-a', 1);
    const slow = await source(dir, { topicPattern: /^(?:tx-.*)$/, partitionDiscoveryMs: 60_000 });
    const never = await source(dir, { topicPattern: /^(?:tx-.*)$/, partitionDiscoveryMs: 0 });
    const bounded = await source(dir, { topicPattern: /^(?:tx-.*)$/, boundedLatest: true });
    s.createTopic('tx-b', 1);
    append(s, 'tx-b', ['b']);
    await new Promise((r) => setTimeout(r, 120));
    for (const src of [slow, never]) expect(await drain(src, 200)).toEqual([]);
    expect(await drain(bounded, 200)).toEqual([]);
    for (const src of [slow, never, bounded]) expect(names(src)).toEqual(['tx-a/0']);
    // A discovery pass (what the interval triggers) does find it.
    expect(slow.discover()).toBe(1);
    expect(await drain(slow, 1000, (x) => x.length === 1)).toEqual(['tx-b/0: b']);
  });

  it('restores discovered splits at their checkpointed positions, in the checkpoint order', async () => {
    const dir = storeDir();
    const s = store(dir);
    s.createTopic('tx-m', 1);
    append(s, 'tx-m', ['m1', 'm2']);
    const first = await source(dir, { topicPattern: /^(?:tx-.*)$/ });
    await drain(first, 2000, (x) => x.length === 2);
    // Sorts before tx-m, so a fresh open would list it first.
    s.createTopic('tx-a', 1);
    append(s, 'tx-a', ['a1', 'a2', 'a3']);
    expect(await drain(first, 3000, (x) => x.length === 3)).toEqual([
      'tx-a/0: a1',
      'tx-a/0: a2',
      'tx-a/0: a3',
    ]);
    const checkpoint = first.positions();
    expect(names(first)).toEqual(['tx-m/0', 'tx-a/0']);
    expect(Object.keys(checkpoint)).toEqual(['tx-m/0', 'tx-a/0']);
    expect(checkpoint).toEqual({ 'tx-m/0': 2, 'tx-a/0': 3 });
    await first.close();

    append(s, 'tx-m', ['m3']);
    append(s, 'tx-a', ['a4']);
    // Round-tripped through JSON as the checkpoint store does.
    const second = await source(
      dir,
      { topicPattern: /^(?:tx-.*)$/ },
      JSON.parse(JSON.stringify(checkpoint)) as Record<string, number>,
    );
    // Same split indexes as before the restore (per-split watermarks are kept by index).
    expect(names(second)).toEqual(['tx-m/0', 'tx-a/0']);
    const seen = await drain(second, 2000, (x) => x.length === 2);
    expect(seen.sort()).toEqual(['tx-a/0: a4', 'tx-m/0: m3']);
    expect(await drain(second, 200)).toEqual([]);
  });

  it('addPartitions only grows a topic', () => {
    const s = store(storeDir());
    s.createTopic('tx', 2);
    append(s, 'tx', ['x'], 1);
    s.addPartitions('tx', 2); // no-op
    s.addPartitions('tx', 4);
    expect(s.partitionCount('tx')).toBe(4);
    expect(s.endOffset('tx', 1)).toBe(1);
    expect(s.endOffset('tx', 3)).toBe(0);
    expect(() => s.addPartitions('tx', 3)).toThrow(/cannot shrink to 3/);
    expect(() => s.addPartitions('nope', 3)).toThrow(/topic 'nope' does not exist/);
  });
});
