// CheckpointStore's two-phase bookkeeping: pending checkpoints are not resumed from until
// confirmed, a discarded one leaves the one before, pruning never drops the newest confirmed one.
// And its state layout: large arrays written in chunks (JSON or binary) come back as a JSON round
// trip of the whole state would give them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../engine/state/checkpoints.js';
import { SnapshotRows } from '../../engine/exec/operator.js';

const require = createRequire(import.meta.url);

const cp = (late: number) => ({
  fingerprint: 'f',
  sources: {},
  operators: [],
  sinks: { out: { marker: `m${late}` } },
  late,
});

describe('CheckpointStore pending checkpoints', () => {
  it('resumes only from confirmed checkpoints; confirm and discard settle a pending one', () => {
    const store = CheckpointStore.open(join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db'));
    const a = store.save(cp(1));
    expect(store.pending()).toBeUndefined();
    const b = store.save(cp(2), { pending: true });
    expect(store.latest()?.id).toBe(a);
    expect(store.pending()?.id).toBe(b);
    expect(store.pending()?.sinks).toEqual({ out: { marker: 'm2' } });
    store.confirm(b);
    expect(store.latest()?.late).toBe(2);
    expect(store.pending()).toBeUndefined();
    const c = store.save(cp(3), { pending: true });
    store.discard(c);
    expect(store.pending()).toBeUndefined();
    expect(store.latest()?.id).toBe(b);
    store.close();
  });

  it('pruning keeps the newest confirmed checkpoint while later ones are pending', () => {
    const store = CheckpointStore.open(join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db'));
    const first = store.save(cp(1));
    for (let i = 2; i <= 8; i++) store.save(cp(i), { pending: true });
    expect(store.latest()?.id).toBe(first);
    expect(store.pending()?.late).toBe(8);
    store.close();
  });

  it('adds the pending column to a database written before it existed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db');
    const { default: Database } = await import('better-sqlite3');
    const old = new Database(path);
    old.exec(
      `CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL)`,
    );
    old
      .prepare('INSERT INTO checkpoints (taken_at, fingerprint, state) VALUES (?, ?, ?)')
      .run(1, 'f', JSON.stringify({ sources: {}, operators: [], sinks: {}, late: 7 }));
    old.close();
    const store = CheckpointStore.open(path);
    expect(store.latest()?.late).toBe(7);
    expect(store.pending()).toBeUndefined();
    store.close();
  });
});

/** A state shaped like the operators' snapshots, with arrays big enough to be chunked. */
function bigState(n: number) {
  const ints = Array.from({ length: n }, (_, i) => [1_000_000 + i, 2_000_000 + i, 12_345 + i, i % 7]);
  const floats = Array.from({ length: n }, (_, i) => [
    1_700_000_000_000 + i * 1000,
    i + 0.25,
    -i,
    i === 3 ? -0 : 1,
  ]);
  const mixed = Array.from({ length: n }, (_, i) =>
    i % 1000 === 0
      ? [`k${i}`, { $bigint: `${10n ** 30n + BigInt(i)}` }, null, { sum: 1.5, count: i }]
      : [i, i * 2, i * 3, i * 4],
  );
  const ragged = Array.from({ length: n }, (_, i) => (i % 2 ? [i] : [i, i]));
  const withNonFinite = Array.from({ length: n }, (_, i) => [i, i === 5 ? Infinity : i, i === 6 ? NaN : 0]);
  const small = [
    [1, 2],
    [3, 4],
  ];
  return {
    fingerprint: 'f',
    sources: { t: { positions: { 'a.csv': 12 }, watermarks: { 'a.csv': 5 } } },
    operators: [
      {
        watermark: null,
        firedEnd: 7,
        slices: [
          { s: 0, g: ints },
          { s: 120_000, g: floats },
          { s: 240_000, g: small },
        ],
      },
      mixed,
      { windows: [{ s: 0, e: 10, g: ragged }], other: withNonFinite },
      [],
      null,
    ],
    sinks: { out: { bytes: 99 } },
    late: 3,
  };
}

describe('CheckpointStore state layout', () => {
  it('gives back a large state as a JSON round trip of it would (numeric, float, mixed, ragged, non-finite chunks)', () => {
    const store = CheckpointStore.open(join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db'));
    const state = bigState(10_000);
    store.save(state);
    const { id, takenAt, ...back } = store.latest()!;
    expect(id).toBeGreaterThan(0);
    expect(takenAt).toBeGreaterThan(0);
    expect(back).toEqual(JSON.parse(JSON.stringify(state)));
    // -0 came back as 0 and NaN/Infinity as null, as JSON gives them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reaching into the JSON of the state written above
    const ops = back.operators as any[];
    expect(Object.is(ops[0].slices[1].g[3][3], 0)).toBe(true);
    expect(ops[2].other[5][1]).toBeNull();
    expect(ops[2].other[6][1]).toBe(6);
    expect(ops[2].other[6][2]).toBeNull();
    expect(store.lastSavedBytes).toBeGreaterThan(10_000 * 4 * 4);
    store.close();
  });

  it('writes SnapshotRows a chunk at a time, and gives them back as the plain lists they stand for', () => {
    const store = CheckpointStore.open(join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db'));
    // Groups as an operator holds them (live objects), encoded only when written.
    const groups = Array.from({ length: 20_000 }, (_, i) => ({
      key: i % 3 ? i : `k${i}`,
      sum: i * 1.5,
      n: i,
    }));
    let encoded = 0;
    let widest = 0;
    const rows = new SnapshotRows(groups, (g) => (encoded++, [g.key, g.sum, g.n]));
    const sliceOf = rows.slice.bind(rows);
    rows.slice = (from, to) => ((widest = Math.max(widest, to - from)), sliceOf(from, to));
    const small = new SnapshotRows(groups.slice(0, 3), (g) => [g.n]);
    const state = {
      fingerprint: 'f',
      sources: {},
      operators: [{ windows: [{ s: 0, e: 10, g: rows }], running: small }],
      sinks: {},
      late: 0,
    };
    store.save(state);
    expect(encoded).toBe(20_000);
    expect(widest).toBeLessThanOrEqual(4096);
    const back = store.latest()!;
    expect(back.operators).toEqual([
      { windows: [{ s: 0, e: 10, g: groups.map((g) => [g.key, g.sum, g.n]) }], running: [[0], [1], [2]] },
    ]);
    // JSON.stringify (tests, debugging) sees the whole list.
    expect(JSON.parse(JSON.stringify(state)).operators).toEqual(back.operators);
    store.close();
  });

  it('keeps one confirmed checkpoint and drops the chunks of the ones it prunes, discards and clears', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db');
    let store = CheckpointStore.open(path);
    const { default: Database } = await import('better-sqlite3');
    // The store holds its database exclusively (one run per job): look inside between its steps.
    const count = (sql: string) => {
      store.close();
      const peek = new Database(path, { readonly: true });
      const n = (peek.prepare(sql).get() as { n: number }).n;
      peek.close();
      store = CheckpointStore.open(path);
      return n;
    };
    const chunksOf = (id: number) =>
      count(`SELECT COUNT(*) AS n FROM checkpoint_chunks WHERE checkpoint_id = ${id}`);
    const a = store.save(bigState(5000));
    expect(chunksOf(a)).toBeGreaterThan(0);
    const b = store.save({ ...bigState(5000), late: 9 });
    expect(chunksOf(a)).toBe(0);
    expect(count('SELECT COUNT(*) AS n FROM checkpoints')).toBe(1);
    const c = store.save(bigState(5000), { pending: true });
    expect(chunksOf(b)).toBeGreaterThan(0);
    store.discard(c);
    expect(chunksOf(c)).toBe(0);
    expect(store.latest()?.late).toBe(9);
    expect(store.latest()).toEqual({
      ...JSON.parse(JSON.stringify({ ...bigState(5000), late: 9 })),
      id: b,
      takenAt: expect.any(Number),
    });
    store.clear();
    expect(count('SELECT COUNT(*) AS n FROM checkpoint_chunks')).toBe(0);
    expect(store.latest()).toBeUndefined();
    store.close();
  });

  it('is held by one process at a time: a second open says who holds it', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db');
    const store = CheckpointStore.open(path, 'cp/job.db');
    const other = spawnSync(
      process.execPath,
      [
        '-e',
        `const D = require(${JSON.stringify(require.resolve('better-sqlite3'))}); const d = new D(${JSON.stringify(path)}, { timeout: 0 }); try { d.pragma('journal_mode = WAL'); d.exec('BEGIN EXCLUSIVE; COMMIT'); console.log('got it'); } catch (e) { console.log(e.code); }`,
      ],
      { encoding: 'utf8' },
    );
    expect(other.stdout.trim()).toBe('SQLITE_BUSY');
    store.close();
  });

  it('refuses a checkpoint written in a newer format, with a hint', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db');
    const first = CheckpointStore.open(path);
    first.save(cp(1));
    first.close();
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path);
    db.exec('UPDATE checkpoints SET format = 99');
    db.close();
    const store = CheckpointStore.open(path);
    expect(() => store.latest()).toThrow(/written by a newer fintrans-sql \(format 99[\s\S]*--fresh/);
    store.close();
  });

  it('reads a large state written whole, as before chunking', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'fintrans-cp-')), 'job.db');
    const { default: Database } = await import('better-sqlite3');
    const old = new Database(path);
    old.exec(
      `CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL, pending INTEGER NOT NULL DEFAULT 0)`,
    );
    const { fingerprint, ...state } = bigState(3000);
    old
      .prepare('INSERT INTO checkpoints (taken_at, fingerprint, state) VALUES (?, ?, ?)')
      .run(1, fingerprint, JSON.stringify(state));
    old.close();
    const store = CheckpointStore.open(path);
    const { id: _id, takenAt: _t, ...back } = store.latest()!;
    expect(back).toEqual(JSON.parse(JSON.stringify({ fingerprint, ...state })));
    store.close();
  });
});
