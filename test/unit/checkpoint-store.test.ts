// CheckpointStore's two-phase bookkeeping: pending checkpoints are not resumed from until
// confirmed, a discarded one leaves the one before, pruning never drops the newest confirmed one.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../engine/state/checkpoints.js';

const cp = (late: number) => ({ fingerprint: 'f', sources: {}, operators: [], sinks: { out: { marker: `m${late}` } }, late });

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
    old.exec(`CREATE TABLE checkpoints (id INTEGER PRIMARY KEY, taken_at INTEGER NOT NULL, fingerprint TEXT NOT NULL, state TEXT NOT NULL)`);
    old.prepare('INSERT INTO checkpoints (taken_at, fingerprint, state) VALUES (?, ?, ?)').run(1, 'f', JSON.stringify({ sources: {}, operators: [], sinks: {}, late: 7 }));
    old.close();
    const store = CheckpointStore.open(path);
    expect(store.latest()?.late).toBe(7);
    expect(store.pending()).toBeUndefined();
    store.close();
  });
});
