// A regular join (no time bound): every row of both inputs is kept, by join key, and each new row
// meets the other side's rows of its key. The changelog it emits is Flink's StreamingJoinOperator's:
// an inner join passes the input's kind on; an outer side's row without a partner goes out
// NULL-padded (+I) and is taken back (-D) when its first partner arrives, and padded again when
// its last partner is taken back. State is kept for ever, or until SET 'table.exec.state.ttl'
// expires a row (state-ttl.ts).

import { DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../types.js';
import type { JoinType } from '../plan/logical.js';
import { SnapshotRows, type Operator } from './operator.js';
import { rowIdentity, TwoInputOperator } from './two-input.js';
import { decodeValue, encodeValue } from './aggregation.js';
import type { StateTtl } from './state-ttl.js';

/** One distinct row of a side under a key: how many times it is there, and (outer sides) how many partners it has. */
interface Entry {
  readonly row: Row;
  count: number;
  partners: number;
  /** When it was last written (for the state TTL). */
  at: number;
}

type SideState = Map<unknown, Map<string, Entry>>;

export class RegularJoinOperator extends TwoInputOperator {
  private readonly state: [SideState, SideState] = [new Map(), new Map()];
  private readonly outer: [boolean, boolean];

  constructor(
    joinType: JoinType,
    /** The join key of a left / right row (null when a key value is NULL: such rows never meet). */
    private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown],
    /** The rest of the ON condition over the joined row, or null. */
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    next: Operator,
    private readonly ttl: StateTtl | null = null,
  ) {
    super(next);
    this.outer = [joinType === 'LEFT' || joinType === 'FULL', joinType === 'RIGHT' || joinType === 'FULL'];
  }

  get stateRows(): number {
    let n = 0;
    for (const side of this.state) for (const m of side.values()) n += m.size;
    return n;
  }

  /** The time of the row being processed (0 without a TTL: no clock is read per row then). */
  private now = 0;

  processFrom(side: 0 | 1, row: Row, kind: RowKind): void {
    if (this.ttl !== null) {
      this.now = this.ttl.now();
      if (this.ttl.sweepDue(this.now)) this.sweep();
    }
    const other = (1 - side) as 0 | 1;
    const inputOuter = this.outer[side];
    const otherOuter = this.outer[other];
    const key = this.keyOf[side](row);
    const matches = key === null ? [] : this.partners(side, row, key);
    if (isAccumulate(kind)) {
      if (inputOuter) {
        if (matches.length === 0) this.emitPadded(side, row, INSERT);
        else {
          if (otherOuter) this.gainPartner(other, matches);
          for (const m of matches) for (let c = 0; c < m.count; c++) this.emit(side, row, m.row, INSERT);
        }
        this.add(side, key, row, matches.reduce((n, m) => n + m.count, 0));
      } else {
        if (otherOuter) {
          this.gainPartner(other, matches);
          for (const m of matches) for (let c = 0; c < m.count; c++) this.emit(side, row, m.row, INSERT);
        } else {
          for (const m of matches) for (let c = 0; c < m.count; c++) this.emit(side, row, m.row, kind);
        }
        this.add(side, key, row, 0);
      }
      return;
    }
    this.retract(side, key, row);
    if (matches.length === 0) {
      if (inputOuter) this.emitPadded(side, row, DELETE);
      return;
    }
    const outKind = inputOuter ? DELETE : kind;
    for (const m of matches) for (let c = 0; c < m.count; c++) this.emit(side, row, m.row, outKind);
    if (otherOuter) {
      for (const m of matches) {
        // Flink visits each stored copy with the count before this row: a partner left with none is padded again.
        if (m.partners === 1) for (let c = 0; c < m.count; c++) this.emitPadded(other, m.row, INSERT);
        m.partners--;
      }
    }
  }

  /** The other side's entries under `key` that meet `row` (the ON condition holds). */
  private partners(side: 0 | 1, row: Row, key: unknown): Entry[] {
    const entries = this.state[(1 - side) as 0 | 1].get(key);
    if (!entries) return [];
    const out: Entry[] = [];
    for (const e of entries.values()) {
      if (!this.alive(e)) continue;
      if (this.condition === null || this.condition(side === 0 ? this.joined(row, e.row) : this.joined(e.row, row))) out.push(e);
    }
    return out;
  }

  /** Outer-side partners met for the first time lose their padded row (-D), and count one more partner. */
  private gainPartner(side: 0 | 1, entries: Entry[]): void {
    for (const e of entries) {
      if (e.partners === 0) for (let c = 0; c < e.count; c++) this.emitPadded(side, e.row, DELETE);
      e.partners++;
    }
  }

  private add(side: 0 | 1, key: unknown, row: Row, partners: number): void {
    if (key === null) {
      // A row with a NULL key never meets anything; an outer side still remembers it, to take its padded row back.
      if (!this.outer[side]) return;
    }
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

  private retract(side: 0 | 1, key: unknown, row: Row): void {
    const entries = this.state[side].get(key);
    if (!entries) return;
    const id = rowIdentity(row);
    const e = entries.get(id);
    if (!e) return;
    if (--e.count === 0 || !this.alive(e)) {
      entries.delete(id);
      if (entries.size === 0) this.state[side].delete(key);
    }
  }

  private joined(left: Row, right: Row): Row {
    const out = new Array(this.widths[0] + this.widths[1]);
    for (let i = 0; i < this.widths[0]; i++) out[i] = left[i];
    for (let i = 0; i < this.widths[1]; i++) out[this.widths[0] + i] = right[i];
    return out;
  }

  private emit(side: 0 | 1, row: Row, other: Row, kind: RowKind): void {
    this.next.process(side === 0 ? this.joined(row, other) : this.joined(other, row), kind);
  }

  private emitPadded(side: 0 | 1, row: Row, kind: RowKind): void {
    const nulls = new Array(this.widths[(1 - side) as 0 | 1]).fill(null);
    this.next.process(side === 0 ? this.joined(row, nulls) : this.joined(nulls, row), kind);
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
    for (const [side, row, count, partners] of state as [0 | 1, unknown[], number, number][]) {
      const r = row.map(decodeValue);
      const key = this.keyOf[side](r);
      this.add(side, key, r, partners);
      const e = this.state[side].get(key)!.get(rowIdentity(r))!;
      e.count = count;
    }
  }
}
