// SET 'table.exec.state.ttl' for Top-N (issue 18), as Flink's rank functions expire their state: a
// partition not written for the TTL (processing time) is forgotten, its next row starts afresh
// (+I at number 1), and the sweep frees expired partitions. A row kept out of a full top N does not
// write, so it does not keep the partition alive.

import { describe, expect, it } from 'vitest';
import type { Operator } from '../../engine/exec/operator.js';
import { compileSortKey } from '../../engine/exec/sort-key.js';
import { StateTtl } from '../../engine/exec/state-ttl.js';
import { TopNOperator } from '../../engine/exec/top-n.js';
import { col } from '../../engine/plan/expr.js';
import { DELETE, INSERT, ROW_KIND_SHORT, T, type Row, type RowKind } from '../../engine/types.js';

class Collect implements Operator {
  readonly out: string[] = [];
  process(row: Row, kind: RowKind): void {
    this.out.push(`${ROW_KIND_SHORT[kind]}${JSON.stringify(row)}`);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

// Rows: [account, amount, id]; the top 2 by amount, descending, per account.
const sortKey = compileSortKey([{ expr: col(1, 'amount', T.bigint()), descending: true, nullsFirst: false }]);
const clock = { now: 0 };
const topN = (out: Operator, withNumber: boolean, retracting: boolean, ttlMs: number | null): TopNOperator =>
  new TopNOperator(
    (row) => row[0],
    sortKey,
    1,
    2,
    withNumber,
    retracting,
    out,
    ttlMs === null ? null : new StateTtl(ttlMs, () => clock.now),
  );

describe('Top-N with a state TTL', () => {
  it('a partition not written for the TTL starts afresh: its next row is number 1 again', () => {
    clock.now = 0;
    const out = new Collect();
    const op = topN(out, true, false, 1000);
    op.process([1, 50, 'a'], INSERT);
    clock.now = 400;
    op.process([1, 90, 'b'], INSERT); // written at 400
    clock.now = 1300; // within the TTL of the last write: still there
    op.process([1, 70, 'c'], INSERT); // written at 1300
    clock.now = 2300; // 1000 since the last write: expired
    op.process([1, 10, 'd'], INSERT);
    expect(out.out).toEqual([
      '+I[1,50,"a",1]',
      '-U[1,50,"a",1]',
      '+U[1,90,"b",1]',
      '+I[1,50,"a",2]',
      '-U[1,50,"a",2]',
      '+U[1,70,"c",2]',
      '+I[1,10,"d",1]',
    ]);
  });

  it('without a TTL the same rows keep the partition (the row only ranks third)', () => {
    clock.now = 0;
    const out = new Collect();
    const op = topN(out, true, false, null);
    op.process([1, 50, 'a'], INSERT);
    op.process([1, 90, 'b'], INSERT);
    op.process([1, 70, 'c'], INSERT);
    clock.now = 1e9;
    op.process([1, 10, 'd'], INSERT);
    expect(out.out.at(-1)).toBe('+U[1,70,"c",2]');
    expect(op.heldRows).toBe(2);
  });

  it('a row kept out of a full top N does not write: the partition still expires', () => {
    clock.now = 0;
    const out = new Collect();
    const op = topN(out, false, false, 1000);
    op.process([1, 50, 'a'], INSERT);
    op.process([1, 90, 'b'], INSERT);
    for (let t = 100; t < 1000; t += 100) {
      clock.now = t;
      op.process([1, 5, `low${t}`], INSERT); // below the top 2: emits and writes nothing
    }
    clock.now = 1000;
    op.process([1, 6, 'e'], INSERT);
    expect(out.out).toEqual(['+I[1,50,"a"]', '+I[1,90,"b"]', '+I[1,6,"e"]']);
  });

  it('over an updating input, a retraction after expiry finds nothing and emits nothing', () => {
    clock.now = 0;
    const out = new Collect();
    const op = topN(out, true, true, 1000);
    op.process([1, 50, 'a'], INSERT);
    clock.now = 1500;
    op.process([1, 50, 'a'], DELETE);
    expect(out.out).toEqual(['+I[1,50,"a",1]']);
    expect(op.partitionCount).toBe(0);
  });

  it('the sweep frees expired partitions and keeps live ones', () => {
    clock.now = 0;
    const op = topN(new Collect(), true, false, 1000);
    for (let i = 0; i < 10_000; i++) op.process([i, i, `r${i}`], INSERT);
    expect(op.partitionCount).toBe(10_000);
    clock.now = 600;
    op.process([-1, 1, 'live'], INSERT); // written at 600
    clock.now = 1200; // the first 10 000 expired at 1000; the sweep is due (600 >= TTL / 2 since the last)
    op.process([-2, 1, 'other'], INSERT);
    expect(op.partitionCount).toBe(2);
    expect(op.heldRows).toBe(2);
  });

  it('restored partitions count as written at the restore', () => {
    clock.now = 0;
    const first = topN(new Collect(), true, false, 1000);
    first.process([1, 50, 'a'], INSERT);
    const state = JSON.parse(JSON.stringify(first.snapshot()));
    clock.now = 5000;
    const out = new Collect();
    const second = topN(out, true, false, 1000);
    second.restore(state);
    clock.now = 5500;
    second.process([1, 90, 'b'], INSERT);
    expect(out.out).toEqual(['-U[1,50,"a",1]', '+U[1,90,"b",1]', '+I[1,50,"a",2]']);
  });
});
