// Semi and anti joins (WHERE x IN / EXISTS sub-query, and their NOT forms), as Flink's
// StreamingSemiAntiJoinOperator: a left row goes out (with its own kind) while it has at least one
// partner (semi) or none (anti); a partner arriving or leaving later sends the left row out (+I)
// or takes it back (-D). The right side's rows are only counted.

import { DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../types.js';
import { SnapshotRows, type Operator } from './operator.js';
import { rowIdentity, TwoInputOperator } from './two-input.js';
import { decodeValue, encodeValue } from './aggregation.js';
import type { StateTtl } from './state-ttl.js';

interface Entry {
  readonly row: Row;
  count: number;
  /** Left rows: how many right rows meet it. */
  partners: number;
  /** When it was last written (for the state TTL). */
  at: number;
}

export class SemiAntiJoinOperator extends TwoInputOperator {
  private readonly state: [Map<unknown, Map<string, Entry>>, Map<unknown, Map<string, Entry>>] = [new Map(), new Map()];

  constructor(
    private readonly anti: boolean,
    private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown],
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    next: Operator,
    private readonly ttl: StateTtl | null = null,
  ) {
    super(next);
  }

  /** The time of the row being processed (0 without a TTL: no clock is read per row then). */
  private now = 0;

  processFrom(side: 0 | 1, row: Row, kind: RowKind): void {
    if (this.ttl !== null) {
      this.now = this.ttl.now();
      if (this.ttl.sweepDue(this.now)) this.sweep();
    }
    const key = this.keyOf[side](row);
    if (side === 0) {
      let partners = 0;
      if (key !== null) for (const r of this.state[1].get(key)?.values() ?? []) if (this.alive(r) && this.meets(row, r.row)) partners += r.count;
      if (isAccumulate(kind)) this.add(0, key, row, partners);
      else this.remove(0, key, row);
      if ((partners > 0) !== this.anti) this.next.process(row, kind);
      return;
    }
    if (key === null) return;
    const accumulate = isAccumulate(kind);
    if (accumulate) this.add(1, key, row, 0);
    else if (!this.remove(1, key, row)) return;
    for (const l of this.state[0].get(key)?.values() ?? []) {
      if (!this.alive(l) || !this.meets(l.row, row)) continue;
      const before = l.partners;
      l.partners += accumulate ? 1 : -1;
      // The first partner arrived / the last one left: the left row's standing changes.
      const change = accumulate ? before === 0 : l.partners === 0;
      if (!change) continue;
      const out = accumulate !== this.anti ? INSERT : DELETE;
      for (let c = 0; c < l.count; c++) this.next.process(l.row, out);
    }
  }

  private meets(left: Row, right: Row): boolean {
    if (this.condition === null) return true;
    const out = new Array(this.widths[0] + this.widths[1]);
    for (let i = 0; i < this.widths[0]; i++) out[i] = left[i];
    for (let i = 0; i < this.widths[1]; i++) out[this.widths[0] + i] = right[i];
    return this.condition(out);
  }

  private add(side: 0 | 1, key: unknown, row: Row, partners: number): void {
    const byKey = this.state[side];
    let entries = byKey.get(key);
    if (!entries) {
      entries = new Map();
      byKey.set(key, entries);
    }
    const id = rowIdentity(row);
    const e = entries.get(id);
    if (e && this.alive(e)) {
      e.count++;
      e.partners = partners;
      e.at = this.now;
    } else entries.set(id, { row, count: 1, partners, at: this.now });
  }

  /** Takes one copy of `row` out; false when it was not there. */
  private remove(side: 0 | 1, key: unknown, row: Row): boolean {
    const entries = this.state[side].get(key);
    const id = rowIdentity(row);
    const e = entries?.get(id);
    if (!entries || !e) return false;
    if (!this.alive(e)) {
      entries.delete(id);
      return false;
    }
    if (--e.count === 0) {
      entries.delete(id);
      if (entries.size === 0) this.state[side].delete(key);
    }
    return true;
  }

  /** Frees the rows whose TTL passed: they are gone without a trace, as in Flink (no retraction is sent). */
  private sweep(): void {
    for (const byKey of this.state) {
      for (const [key, entries] of byKey) {
        for (const [id, e] of entries) if (this.ttl!.expired(e.at, this.now)) entries.delete(id);
        if (entries.size === 0) byKey.delete(key);
      }
    }
  }

  /** Whether an entry is still alive (an expired one is never read, even before the sweep frees it). */
  private alive(e: Entry): boolean {
    return this.ttl === null || !this.ttl.expired(e.at, this.now);
  }

  snapshot(): unknown {
    const items: [number, Entry][] = [];
    this.state.forEach((byKey, side) => {
      for (const entries of byKey.values()) for (const e of entries.values()) items.push([side, e]);
    });
    return new SnapshotRows(items, ([side, e]) => [side, e.row.map(encodeValue), e.count, e.partners]);
  }

  restore(state: unknown): void {
    for (const [side, raw, count, partners] of state as [0 | 1, unknown[], number, number][]) {
      const row = raw.map(decodeValue);
      const key = this.keyOf[side](row);
      this.add(side, key, row, partners);
      this.state[side].get(key)!.get(rowIdentity(row))!.count = count;
    }
  }
}
