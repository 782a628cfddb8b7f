// A regular join (no time bound): every row of both inputs is kept, by join key, and each new row
// meets the other side's rows of its key. The changelog it emits is Flink's StreamingJoinOperator's:
// an inner join passes the input's kind on; an outer side's row without a partner goes out
// NULL-padded (+I) and is taken back (-D) when its first partner arrives, and padded again when
// its last partner is taken back. State is kept for ever, or until SET 'table.exec.state.ttl'
// expires a row (state-ttl.ts).

import { DELETE, INSERT, isAccumulate, type Row, type RowKind } from '../types.js';
import type { JoinType } from '../plan/logical.js';
import type { Operator } from './operator.js';
import { TwoInputOperator, joinRows } from './two-input.js';
import { JoinSideState, type JoinEntry } from './join-side-state.js';
import type { StateTtl } from './state-ttl.js';

export class RegularJoinOperator extends TwoInputOperator {
  private readonly state: [JoinSideState, JoinSideState];
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
    this.state = [new JoinSideState(ttl), new JoinSideState(ttl)];
  }

  get stateRows(): number {
    return this.state[0].size + this.state[1].size;
  }

  processFrom(side: 0 | 1, row: Row, kind: RowKind): void {
    if (this.ttl !== null) {
      const now = this.ttl.now();
      this.state[0].now = this.state[1].now = now;
      if (this.ttl.sweepDue(now)) for (const s of this.state) s.sweep();
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
        this.add(
          side,
          key,
          row,
          matches.reduce((n, m) => n + m.count, 0),
        );
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
    this.state[side].remove(key, row);
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
  private partners(side: 0 | 1, row: Row, key: unknown): JoinEntry[] {
    const out: JoinEntry[] = [];
    for (const e of this.state[(1 - side) as 0 | 1].entries(key)) {
      if (
        this.condition === null ||
        this.condition(side === 0 ? this.joined(row, e.row) : this.joined(e.row, row))
      )
        out.push(e);
    }
    return out;
  }

  /** Outer-side partners met for the first time lose their padded row (-D), and count one more partner. */
  private gainPartner(side: 0 | 1, entries: JoinEntry[]): void {
    for (const e of entries) {
      if (e.partners === 0) for (let c = 0; c < e.count; c++) this.emitPadded(side, e.row, DELETE);
      e.partners++;
    }
  }

  private add(side: 0 | 1, key: unknown, row: Row, partners: number): void {
    // A row with a NULL key never meets anything; an outer side still remembers it, to take its padded row back.
    if (key === null && !this.outer[side]) return;
    this.state[side].add(key, row, partners);
  }

  private joined(left: Row, right: Row): Row {
    return joinRows(left, right, this.widths);
  }

  private emit(side: 0 | 1, row: Row, other: Row, kind: RowKind): void {
    this.next.process(side === 0 ? this.joined(row, other) : this.joined(other, row), kind);
  }

  private emitPadded(side: 0 | 1, row: Row, kind: RowKind): void {
    const nulls = new Array(this.widths[(1 - side) as 0 | 1]).fill(null);
    this.next.process(side === 0 ? this.joined(row, nulls) : this.joined(nulls, row), kind);
  }

  snapshot(): unknown {
    return { left: this.state[0].snapshot(), right: this.state[1].snapshot() };
  }

  restore(state: unknown): void {
    const s = state as { left: unknown; right: unknown };
    this.state[0].restore(s.left, this.keyOf[0]);
    this.state[1].restore(s.right, this.keyOf[1]);
  }
}
