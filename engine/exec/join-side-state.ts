// One side of a regular (or semi/anti) join: its rows by join key, each distinct row once with how
// many copies of it are there and how many partners it has (outer and semi/anti joins count them),
// as Flink's JoinRecordStateView keeps them; with a state TTL, rows not written for the TTL are
// never read again and a sweep frees them.

import type { Row } from '../types.js';
import { SnapshotRows } from './operator.js';
import type { StateTtl } from './state-ttl.js';
import { rowIdentity } from './two-input.js';
import { decodeValue, encodeValue } from './aggregation.js';

export interface JoinEntry {
  readonly row: Row;
  count: number;
  partners: number;
  /** When it was last written (for the state TTL). */
  at: number;
}

export class JoinSideState {
  private readonly byKey = new Map<unknown, Map<string, JoinEntry>>();
  /** The time of the row being processed (set by the operator; 0 without a TTL). */
  now = 0;

  constructor(private readonly ttl: StateTtl | null) {}

  get size(): number {
    let n = 0;
    for (const m of this.byKey.values()) n += m.size;
    return n;
  }

  /** The live rows under `key`. */
  *entries(key: unknown): Iterable<JoinEntry> {
    const m = this.byKey.get(key);
    if (!m) return;
    for (const e of m.values()) if (this.alive(e)) yield e;
  }

  /** One more copy of `row` under `key`, with `partners` partners (an expired copy counts as gone). */
  add(key: unknown, row: Row, partners: number): void {
    let entries = this.byKey.get(key);
    if (!entries) {
      entries = new Map();
      this.byKey.set(key, entries);
    }
    const id = rowIdentity(row);
    const e = entries.get(id);
    if (e && this.alive(e)) {
      e.count++;
      e.partners = partners;
      e.at = this.now;
    } else entries.set(id, { row, count: 1, partners, at: this.now });
  }

  /** Takes one copy of `row` out; false when no live copy was there. */
  remove(key: unknown, row: Row): boolean {
    const entries = this.byKey.get(key);
    const id = rowIdentity(row);
    const e = entries?.get(id);
    if (!entries || !e) return false;
    const live = this.alive(e);
    if (!live || --e.count === 0) {
      entries.delete(id);
      if (entries.size === 0) this.byKey.delete(key);
    }
    return live;
  }

  /** Frees the rows whose TTL passed: gone without a trace, as in Flink (no retraction is sent). */
  sweep(): void {
    for (const [key, entries] of this.byKey) {
      for (const [id, e] of entries) if (!this.alive(e)) entries.delete(id);
      if (entries.size === 0) this.byKey.delete(key);
    }
  }

  private alive(e: JoinEntry): boolean {
    return this.ttl === null || !this.ttl.expired(e.at, this.now);
  }

  /** Every row, for a checkpoint: [row, count, partners]. */
  snapshot(): SnapshotRows<JoinEntry> {
    const all: JoinEntry[] = [];
    for (const m of this.byKey.values()) for (const e of m.values()) all.push(e);
    return new SnapshotRows(all, (e) => [e.row.map(encodeValue), e.count, e.partners]);
  }

  restore(state: unknown, keyOf: (row: Row) => unknown): void {
    for (const [raw, count, partners] of state as [unknown[], number, number][]) {
      const row = raw.map(decodeValue);
      const key = keyOf(row);
      this.add(key, row, partners);
      this.byKey.get(key)!.get(rowIdentity(row))!.count = count;
    }
  }
}
