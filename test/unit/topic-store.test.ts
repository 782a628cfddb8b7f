import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import ts from 'typescript';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { murmur2, STORE_FILE, TopicStore } from '../../connectors/embedded/topic-store.js';
import { defaultStoreDir } from '../../engine/home.js';
import { ConnectorError } from '../../engine/errors.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = join(ROOT, 'test/unit/fixtures/topic-store');

const tempDirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'topic-store-'));
  tempDirs.push(d);
  return d;
}
const children: ChildProcess[] = [];
afterEach(() => {
  // A failed assertion must not leave a stalled child holding the store's write lock.
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Opens a store in a fresh temp dir; closed by the caller or left to the temp-dir cleanup. */
function freshStore(): { store: TopicStore; dir: string } {
  const dir = join(tempDir(), 'store');
  return { store: TopicStore.open(dir), dir };
}

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('TopicStore: appending and reading', () => {
  it('assigns dense offsets from 0 and reads back keys, values and timestamps', () => {
    const { store } = freshStore();
    store.createTopic('tx', 1);
    const placed = store.append('tx', [
      { key: 'a', value: 'v0', timestamp: 1000 },
      { key: null, value: 'v1', timestamp: 2000 },
      { key: 'c', value: '', timestamp: -5 },
    ]);
    expect(placed).toEqual([
      { partition: 0, offset: 0 },
      { partition: 0, offset: 1 },
      { partition: 0, offset: 2 },
    ]);
    expect(store.append('tx', [{ key: 'd', value: 'v3', timestamp: 4000 }])).toEqual([
      { partition: 0, offset: 3 },
    ]);
    expect(store.endOffset('tx', 0)).toBe(4);
    expect(store.read('tx', 0, 1, 2)).toEqual([
      { offset: 1, key: null, value: 'v1', timestamp: 2000 },
      { offset: 2, key: 'c', value: '', timestamp: -5 },
    ]);
    expect(store.read('tx', 0, 3, 100)).toEqual([{ offset: 3, key: 'd', value: 'v3', timestamp: 4000 }]);
    expect(store.read('tx', 0, 4, 100)).toEqual([]);
    expect(store.append('tx', [])).toEqual([]);
    store.close();
  });

  it('keeps offsets dense per partition when records go to explicit partitions', () => {
    const { store } = freshStore();
    store.createTopic('tx', 3);
    const placed = store.append('tx', [
      { key: null, value: 'a', timestamp: 1, partition: 2 },
      { key: null, value: 'b', timestamp: 2, partition: 0 },
      { key: 'k', value: 'c', timestamp: 3, partition: 2 },
      { key: null, value: 'd', timestamp: 4, partition: 2 },
    ]);
    expect(placed).toEqual([
      { partition: 2, offset: 0 },
      { partition: 0, offset: 0 },
      { partition: 2, offset: 1 },
      { partition: 2, offset: 2 },
    ]);
    expect(store.append('tx', [{ key: null, value: 'e', timestamp: 5, partition: 2 }])).toEqual([
      { partition: 2, offset: 3 },
    ]);
    expect([0, 1, 2].map((p) => store.endOffset('tx', p))).toEqual([1, 0, 4]);
    expect(store.read('tx', 2, 0, 10).map((r) => r.value)).toEqual(['a', 'c', 'd', 'e']);
    store.close();
  });

  it('sends a key to the same partition every time, as Kafka’s default partitioner would', () => {
    const { store, dir } = freshStore();
    store.createTopic('tx', 5);
    const keys = Array.from({ length: 200 }, (_, i) => `acct-${i}`);
    const first = store
      .append(
        'tx',
        keys.map((key) => ({ key, value: key, timestamp: 0 })),
      )
      .map((p) => p.partition);
    const again = store
      .append(
        'tx',
        keys.map((key) => ({ key, value: key, timestamp: 0 })),
      )
      .map((p) => p.partition);
    expect(again).toEqual(first);
    store.close();
    const reopened = TopicStore.open(dir);
    expect(
      reopened
        .append(
          'tx',
          keys.map((key) => ({ key, value: key, timestamp: 0 })),
        )
        .map((p) => p.partition),
    ).toEqual(first);
    reopened.close();

    // Same placement as kafkajs's (= the Java client's) murmur2 partitioner, including non-ASCII keys.
    const require = createRequire(import.meta.url);
    const kafkaMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (
      key: string,
    ) => number;
    const sample = [...keys.slice(0, 20), '', 'x', 'ab', 'abc', 'Zürich-€-账户', '😀 emoji key'];
    for (const k of sample) {
      const bytes = Buffer.from(k, 'utf8');
      expect(murmur2(bytes), k).toBe(kafkaMurmur2(k));
    }
    // Known values from Kafka's own tests of Utils.murmur2.
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);

    const expected = keys.map((k) => (kafkaMurmur2(k) & 0x7fffffff) % 5);
    expect(first).toEqual(expected);
    // Well spread: every partition gets a fair share of 200 keys.
    for (let p = 0; p < 5; p++) expect(first.filter((x) => x === p).length).toBeGreaterThan(20);
  });

  it('round-robins records without key or partition, continuing across appends', () => {
    const { store } = freshStore();
    store.createTopic('tx', 3);
    const rec = { key: null, value: 'v', timestamp: 0 };
    expect(store.append('tx', [rec, rec, rec, rec]).map((p) => p.partition)).toEqual([0, 1, 2, 0]);
    expect(store.append('tx', [rec, rec]).map((p) => p.partition)).toEqual([1, 2]);
    expect([0, 1, 2].map((p) => store.endOffset('tx', p))).toEqual([2, 2, 2]);
    store.close();
  });

  it('appends all or nothing: a bad record in a batch leaves the topic unchanged', () => {
    const { store } = freshStore();
    store.createTopic('tx', 2);
    store.append('tx', [{ key: null, value: 'kept', timestamp: 0, partition: 0 }]);
    const err = catchError(() =>
      store.append('tx', [
        { key: null, value: 'ok', timestamp: 0, partition: 0 },
        { key: null, value: 'bad', timestamp: 0, partition: 2 },
      ]),
    );
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toContain("partition 2 does not exist in topic 'tx', which has 2 partition(s)");
    expect(store.endOffset('tx', 0)).toBe(1);
    expect(store.append('tx', [{ key: null, value: 'next', timestamp: 0, partition: 0 }])).toEqual([
      { partition: 0, offset: 1 },
    ]);
    store.close();
  });

  it('appends 100k records in one call', () => {
    const { store } = freshStore();
    store.createTopic('big', 4);
    const records = Array.from({ length: 100_000 }, (_, i) => ({
      key: `k${i % 1000}`,
      value: `{"seq":${i}}`,
      timestamp: i,
    }));
    const placed = store.append('big', records);
    const ends = [0, 1, 2, 3].map((p) => store.endOffset('big', p));
    expect(ends.reduce((a, b) => a + b, 0)).toBe(100_000);
    // The last record of each partition got the partition's last offset.
    for (let p = 0; p < 4; p++) {
      const last = placed.filter((x) => x.partition === p).at(-1)!;
      expect(last.offset).toBe(ends[p]! - 1);
    }
    store.close();
  });

  it('reports unknown topics and partitions clearly', () => {
    const { store } = freshStore();
    store.createTopic('payments', 2);
    const unknown = catchError(() => store.read('paymnts', 0, 0, 10));
    expect(unknown).toBeInstanceOf(ConnectorError);
    expect(unknown.message).toContain("topic 'paymnts' does not exist");
    expect(unknown.message).toContain('existing topics: payments');
    expect(() => store.append('nope', [{ key: null, value: 'v', timestamp: 0 }])).toThrow(
      /topic 'nope' does not exist/,
    );
    expect(() => store.endOffset('payments', 5)).toThrow(/partition 5 does not exist in topic 'payments'/);
    expect(() => store.read('payments', -1, 0, 1)).toThrow(/partition -1 does not exist/);
    store.close();
  });
});

describe('TopicStore: offsetForTimestamp', () => {
  it('finds the first offset whose timestamp is at or after the given time', () => {
    const { store } = freshStore();
    store.createTopic('tx', 1);
    store.append(
      'tx',
      [100, 200, 200, 300].map((timestamp) => ({ key: null, value: 'v', timestamp })),
    );
    expect(store.offsetForTimestamp('tx', 0, 0)).toBe(0);
    expect(store.offsetForTimestamp('tx', 0, 100)).toBe(0);
    expect(store.offsetForTimestamp('tx', 0, 150)).toBe(1);
    expect(store.offsetForTimestamp('tx', 0, 200)).toBe(1);
    expect(store.offsetForTimestamp('tx', 0, 300)).toBe(3);
    expect(store.offsetForTimestamp('tx', 0, 301)).toBe(4); // none: the end offset
    store.close();
  });

  it('takes the earliest offset when timestamps are out of order, and the end for an empty partition', () => {
    const { store } = freshStore();
    store.createTopic('tx', 2);
    store.append(
      'tx',
      [100, 500, 300, 600].map((timestamp) => ({ key: null, value: 'v', timestamp, partition: 0 })),
    );
    expect(store.offsetForTimestamp('tx', 0, 400)).toBe(1);
    expect(store.offsetForTimestamp('tx', 0, 550)).toBe(3);
    expect(store.offsetForTimestamp('tx', 1, 0)).toBe(0);
    store.close();
  });
});

describe('TopicStore: consumer-group offsets', () => {
  it('keeps committed positions per group, topic and partition', () => {
    const { store } = freshStore();
    store.createTopic('a', 2);
    store.createTopic('b', 1);
    expect(store.committedOffset('g1', 'a', 0)).toBeUndefined();
    store.commitOffsets('g1', [
      { topic: 'a', partition: 0, offset: 5 },
      { topic: 'a', partition: 1, offset: 7 },
      { topic: 'b', partition: 0, offset: 1 },
    ]);
    store.commitOffsets('g2', [{ topic: 'a', partition: 0, offset: 2 }]);
    store.commitOffsets('g1', [{ topic: 'a', partition: 0, offset: 6 }]);
    expect(store.committedOffset('g1', 'a', 0)).toBe(6);
    expect(store.committedOffset('g1', 'a', 1)).toBe(7);
    expect(store.committedOffset('g1', 'b', 0)).toBe(1);
    expect(store.committedOffset('g2', 'a', 0)).toBe(2);
    expect(store.committedOffset('g2', 'a', 1)).toBeUndefined();
    expect(store.committedOffset('g1', 'missing-topic', 0)).toBeUndefined();
    store.close();
  });

  it('rejects commits for unknown topics, partitions or negative offsets, committing none of the batch', () => {
    const { store } = freshStore();
    store.createTopic('a', 1);
    expect(() =>
      store.commitOffsets('g', [
        { topic: 'a', partition: 0, offset: 3 },
        { topic: 'zzz', partition: 0, offset: 1 },
      ]),
    ).toThrow(/topic 'zzz' does not exist/);
    expect(store.committedOffset('g', 'a', 0)).toBeUndefined();
    expect(() => store.commitOffsets('g', [{ topic: 'a', partition: 1, offset: 1 }])).toThrow(
      /partition 1 does not exist/,
    );
    expect(() => store.commitOffsets('g', [{ topic: 'a', partition: 0, offset: -1 }])).toThrow(
      /offsets are integers >= 0/,
    );
    store.close();
  });
});

describe('TopicStore: topics', () => {
  it('auto-creates topics and keeps an existing topic’s partition count', () => {
    const { store } = freshStore();
    expect(store.partitionCount('tx')).toBeUndefined();
    expect(store.ensureTopic('tx', 4)).toBe(4);
    expect(store.ensureTopic('tx', 1)).toBe(4);
    expect(store.partitionCount('tx')).toBe(4);
    store.createTopic('alerts', 1);
    store.createTopic('alerts', 1); // idempotent
    expect(store.topics()).toEqual([
      { name: 'alerts', partitions: 1 },
      { name: 'tx', partitions: 4 },
    ]);
    store.close();
  });

  it('refuses to re-create a topic with another partition count, and bad names or counts', () => {
    const { store } = freshStore();
    store.createTopic('tx', 3);
    const err = catchError(() => store.createTopic('tx', 6));
    expect(err).toBeInstanceOf(ConnectorError);
    expect(err.message).toContain(
      "topic 'tx' already exists in the embedded topic store with 3 partition(s), not 6",
    );
    expect(err.message).toContain('hint:');
    expect(store.partitionCount('tx')).toBe(3);
    expect(() => store.createTopic('bad name', 1)).toThrow(/invalid topic name 'bad name'/);
    expect(() => store.ensureTopic('', 1)).toThrow(/invalid topic name/);
    expect(() => store.createTopic('ok', 0)).toThrow(/cannot have 0 partitions/);
    expect(() => store.ensureTopic('ok', 1.5)).toThrow(/cannot have 1.5 partitions/);
    expect(store.partitionCount('ok')).toBeUndefined();
    store.close();
  });

  it('deletes a topic with its records and committed offsets', () => {
    const { store } = freshStore();
    store.createTopic('tx', 1);
    store.createTopic('other', 1);
    store.append('tx', [{ key: null, value: 'v', timestamp: 0 }]);
    store.append('other', [{ key: null, value: 'w', timestamp: 0 }]);
    store.commitOffsets('g', [{ topic: 'tx', partition: 0, offset: 1 }]);
    store.deleteTopic('tx');
    store.deleteTopic('never-existed');
    expect(store.partitionCount('tx')).toBeUndefined();
    expect(store.committedOffset('g', 'tx', 0)).toBeUndefined();
    store.createTopic('tx', 2);
    expect(store.endOffset('tx', 0)).toBe(0);
    expect(store.read('tx', 0, 0, 10)).toEqual([]);
    expect(store.read('other', 0, 0, 10).map((r) => r.value)).toEqual(['w']);
    store.close();
  });
});

describe('TopicStore: transactions, durability, opening', () => {
  it('makes appends and commits inside transaction() visible together or not at all', () => {
    const { store } = freshStore();
    store.createTopic('in', 1);
    store.createTopic('out', 1);
    const result = store.transaction(() => {
      store.append('out', [{ key: null, value: 'done', timestamp: 0 }]);
      store.commitOffsets('g', [{ topic: 'in', partition: 0, offset: 1 }]);
      return store.transaction(() => 'nested result');
    });
    expect(result).toBe('nested result');
    const boom = new Error('sink failed');
    expect(() =>
      store.transaction(() => {
        store.append('out', [{ key: null, value: 'lost', timestamp: 0 }]);
        store.commitOffsets('g', [{ topic: 'in', partition: 0, offset: 2 }]);
        throw boom;
      }),
    ).toThrow(boom);
    expect(store.read('out', 0, 0, 10).map((r) => r.value)).toEqual(['done']);
    expect(store.committedOffset('g', 'in', 0)).toBe(1);
    expect(store.append('out', [{ key: null, value: 'next', timestamp: 0 }])).toEqual([
      { partition: 0, offset: 1 },
    ]);
    store.close();
  });

  it('keeps topics, records and committed offsets across close and reopen', () => {
    const { store, dir } = freshStore();
    store.createTopic('tx', 2);
    store.append('tx', [
      { key: 'k1', value: 'one', timestamp: 11, partition: 1 },
      { key: null, value: 'two', timestamp: 22, partition: 1 },
    ]);
    store.commitOffsets('g', [{ topic: 'tx', partition: 1, offset: 1 }]);
    store.close();
    store.close(); // idempotent

    const again = TopicStore.open(dir);
    expect(again.topics()).toEqual([{ name: 'tx', partitions: 2 }]);
    expect(again.read('tx', 1, 0, 10)).toEqual([
      { offset: 0, key: 'k1', value: 'one', timestamp: 11 },
      { offset: 1, key: null, value: 'two', timestamp: 22 },
    ]);
    expect(again.committedOffset('g', 'tx', 1)).toBe(1);
    expect(again.append('tx', [{ key: null, value: 'three', timestamp: 33, partition: 1 }])).toEqual([
      { partition: 1, offset: 2 },
    ]);
    again.close();
  });

  it('keeps offsets dense when two connections append to the same partition in turn', () => {
    const { store: a, dir } = freshStore();
    const b = TopicStore.open(dir);
    a.createTopic('tx', 1);
    const offsets: number[] = [];
    for (let i = 0; i < 5; i++) {
      offsets.push(a.append('tx', [{ key: null, value: `a${i}`, timestamp: 0 }])[0]!.offset);
      offsets.push(b.append('tx', [{ key: null, value: `b${i}`, timestamp: 0 }])[0]!.offset);
    }
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    a.close();
    b.close();
  });

  it('creates the directory, and refuses files that are not a store of this version', () => {
    const base = tempDir();
    const dir = join(base, 'nested', 'deeper');
    TopicStore.open(dir).close();
    expect(readFileSync(join(dir, STORE_FILE)).subarray(0, 15).toString()).toBe('SQLite format 3');

    const db = new Database(join(dir, STORE_FILE));
    db.pragma('user_version = 99');
    db.close();
    const versionErr = catchError(() => TopicStore.open(dir));
    expect(versionErr).toBeInstanceOf(ConnectorError);
    expect(versionErr.message).toContain('has schema version 99');

    const junkDir = join(base, 'junk');
    mkdirSync(junkDir);
    writeFileSync(
      join(junkDir, STORE_FILE),
      'this is not a database, just text that is long enough to have a header'.repeat(20),
    );
    const junkErr = catchError(() => TopicStore.open(junkDir));
    expect(junkErr).toBeInstanceOf(ConnectorError);
    expect(junkErr.message).toContain('cannot open the embedded topic store');
  });

  it('defaults to <cwd>/.fintrans, overridden by FINTRANS_HOME', () => {
    expect(defaultStoreDir('/work/job', {})).toBe('/work/job/.fintrans');
    expect(defaultStoreDir('/work/job', { FINTRANS_HOME: '' })).toBe('/work/job/.fintrans');
    expect(defaultStoreDir('/work/job', { FINTRANS_HOME: '/var/lib/ft' })).toBe('/var/lib/ft');
    expect(defaultStoreDir('/work/job', { FINTRANS_HOME: 'state' })).toBe('/work/job/state');
  });
});

// ---------------------------------------------------------------------------------------------
// Two processes through one store, with SIGKILLs.
//
// The child scripts are plain .mjs (node cannot run TypeScript here: no tsx, no type stripping in
// Node 20), so they need the store as JavaScript. Rather than depending on dist/ being built and
// fresh, beforeAll transpiles topic-store.ts and the local modules it imports with the
// TypeScript compiler API (transpileModule: no type check, well under a second) into a temp
// directory, keeping their relative layout. That directory gets a package.json marking it ESM and
// a node_modules symlink to ours so `better-sqlite3` resolves. The children import the module
// whose path they are given.
// ---------------------------------------------------------------------------------------------

function transpileForChildren(outDir: string): string {
  const entry = join(ROOT, 'connectors/embedded/topic-store.ts');
  const pending = [entry];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g))
      pending.push(resolve(dirname(file), `${m[1]}.ts`));
    const js = ts.transpileModule(source, {
      compilerOptions: {
        module: ts.ModuleKind.ES2022,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
      fileName: file,
    }).outputText;
    const out = join(outDir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  writeFileSync(join(outDir, 'package.json'), '{ "type": "module" }\n');
  symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  return join(outDir, 'connectors/embedded/topic-store.js');
}

interface Child {
  proc: ChildProcess;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when the child prints `stalled`; rejects if it exits first. */
  stalled: Promise<void>;
}

function startChild(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, [join(FIXTURES, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  let stdout = '';
  let stderr = '';
  let onStalled: () => void = () => {};
  proc.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.includes('stalled')) onStalled();
  });
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((res) =>
    proc.on('exit', (code, signal) => res({ code, signal, stderr })),
  );
  const stalled = new Promise<void>((res, rej) => {
    onStalled = res;
    void exited.then((e) =>
      rej(new Error(`${script} exited (${e.code ?? e.signal}) before stalling: ${e.stderr}`)),
    );
  });
  stalled.catch(() => {}); // only awaited by some tests
  return { proc, exited, stalled };
}

async function expectCleanExit(child: Child): Promise<void> {
  const e = await child.exited;
  expect({ code: e.code, stderr: e.stderr }).toEqual({ code: 0, stderr: '' });
}

async function killWhenStalled(child: Child): Promise<void> {
  await child.stalled;
  child.proc.kill('SIGKILL');
  expect((await child.exited).signal).toBe('SIGKILL');
}

describe('TopicStore across processes', () => {
  let storeModule: string;
  let buildDir: string;
  beforeAll(() => {
    buildDir = mkdtempSync(join(tmpdir(), 'topic-store-build-'));
    storeModule = transpileForChildren(buildDir);
    return () => rmSync(buildDir, { recursive: true, force: true });
  });

  it('a killed and restarted producer and consumer deliver every record exactly once', async () => {
    const N = 20_000;
    const BATCH = 100;
    const topic = 'payments';
    const out = 'processed';
    const group = 'aml-job';
    const dir = join(tempDir(), 'store');
    const store = TopicStore.open(dir);
    store.createTopic(topic, 3);
    store.createTopic(out, 1);
    const producer = (stallAt: number) =>
      startChild('producer.mjs', [storeModule, dir, topic, `${N}`, `${BATCH}`, `${stallAt}`]);
    const consumer = (stallAt: number) =>
      startChild('consumer.mjs', [storeModule, dir, topic, out, group, `${N}`, `${stallAt}`]);
    const produced = () => [0, 1, 2].reduce((sum, p) => sum + store.endOffset(topic, p), 0);
    const committed = () =>
      [0, 1, 2].reduce((sum, p) => sum + (store.committedOffset(group, topic, p) ?? 0), 0);

    // Round 1: both run together; each is killed inside an open write transaction — the producer
    // after appending a batch it has not committed, the consumer after writing its output but
    // before committing its offsets.
    const STALL_PRODUCER = 6_000;
    const STALL_CONSUMER = 3_000;
    await Promise.all([killWhenStalled(producer(STALL_PRODUCER)), killWhenStalled(consumer(STALL_CONSUMER))]);
    expect(produced()).toBe(STALL_PRODUCER); // the uncommitted batch is gone
    const committedAfterKill = committed();
    expect(committedAfterKill).toBeGreaterThanOrEqual(STALL_CONSUMER);
    expect(store.endOffset(out, 0)).toBe(committedAfterKill); // its uncommitted output is gone too

    // Round 2: restarted producer runs to the end; the restarted consumer is killed at whatever
    // point it has reached once half the records are committed, then a third one finishes.
    const p2 = producer(-1);
    const c2 = consumer(-1);
    let c2Exited = false;
    void c2.exited.then(() => (c2Exited = true));
    while (!c2Exited && committed() < N / 2) await new Promise((r) => setTimeout(r, 2));
    c2.proc.kill('SIGKILL');
    await c2.exited;
    const c3 = consumer(-1);
    await Promise.all([expectCleanExit(p2), expectCleanExit(c3)]);

    // Every sequence number produced exactly once, each key always on the same partition, and
    // each partition in production order.
    const seen = new Array<number>(N).fill(0);
    const partitionOfKey = new Map<string, number>();
    for (let p = 0; p < 3; p++) {
      const records = store.read(topic, p, 0, N + 1);
      let previous = -1;
      for (const r of records) {
        const seq = Number(r.value);
        seen[seq]!++;
        expect(r.key).toBe(`acct-${seq % 17}`);
        expect(r.timestamp).toBe(1_700_000_000_000 + seq);
        expect(partitionOfKey.get(r.key!) ?? p).toBe(p);
        partitionOfKey.set(r.key!, p);
        expect(seq).toBeGreaterThan(previous);
        previous = seq;
      }
    }
    expect(seen.every((n) => n === 1)).toBe(true);
    expect(produced()).toBe(N);

    // The consumer's output (written in the same transactions as its commits) holds each exactly once.
    expect(committed()).toBe(N);
    const output = store.read(out, 0, 0, N + 1);
    expect(output.length).toBe(N);
    const processed = new Set(output.map((r) => Number(r.value)));
    expect(processed.size).toBe(N);
    expect(Math.min(...processed)).toBe(0);
    expect(Math.max(...processed)).toBe(N - 1);
    store.close();
  }, 30_000);
});
