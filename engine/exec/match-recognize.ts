// MATCH_RECOGNIZE on event time, as Flink's CepOperator runs it: each partition's rows are held per
// time until the watermark passes that time, then fed to the partition's automaton (cep-nfa.ts) in
// time order (rows of one time in arrival order, or by the further ORDER BY keys); a row at or
// before the watermark is late and dropped. Timers fire as Flink's do (one at each held time, one
// at a new partial match's start + WITHIN), and each firing also ages the partial matches out by
// the watermark, so matches leave at the same moments and MATCH_ROWTIME() is the same time.
// Each match becomes one row: [...partition keys, ...measures]. Insert-only.

import { ALL_ROWS } from '../plan/match-recognize.js';
import type { MatchFormulas, MatchSlot } from '../plan/logical.js';
import { INSERT, type Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';
import { Aggregation } from './aggregation.js';
import type { DefineCondition, Match, MatchContext, Nfa, NfaPartition } from './cep-nfa.js';
import { compilePredicate, compileProjection } from './compile.js';
import { EventTimers } from './event-timers.js';
import { SnapshotRows, type Operator } from './operator.js';

/** One partition key's state: rows waiting for the watermark, and the automaton's state. */
interface Partition {
  readonly rows: Map<number, Row[]>;
  nfa: NfaPartition;
}

export class MatchRecognizeOperator implements Operator {
  private readonly partitions = new Map<unknown, Partition>();
  private readonly timers = new EventTimers<unknown>();
  private watermark = -Infinity;

  constructor(
    private readonly keyOf: (row: Row) => unknown,
    private readonly timeIndex: number,
    /** Orders the rows of one time (the ORDER BY keys after the time); null: arrival order. */
    private readonly sortRows: ((rows: Row[]) => Row[]) | null,
    private readonly nfa: Nfa,
    /** The output row of a match emitted at `ts`. */
    private readonly output: (match: Match, ts: number) => Row,
    /** Receives each late row with the watermark it came after. */
    private readonly onLate: (row: Row, watermark: number) => void,
    private readonly next: Operator,
  ) {}

  /** Partitions with state: for tests and progress. */
  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Rows held: waiting for the watermark, and in partial matches (for state tests). */
  get rowsHeld(): number {
    let n = 0;
    for (const p of this.partitions.values()) {
      for (const list of p.rows.values()) n += list.length;
      n += p.nfa.buffer.eventCount;
    }
    return n;
  }

  process(row: Row): void {
    const ts = row[this.timeIndex];
    if (typeof ts !== 'number' || ts <= this.watermark) {
      this.onLate(row, this.watermark);
      return;
    }
    const key = this.keyOf(row);
    let p = this.partitions.get(key);
    if (!p) {
      p = { rows: new Map(), nfa: this.nfa.newPartition() };
      this.partitions.set(key, p);
    }
    const list = p.rows.get(ts);
    if (list) list.push(row);
    else {
      p.rows.set(ts, [row]);
      this.timers.register(key, ts);
    }
  }

  onWatermark(wm: number): void {
    if (wm <= this.watermark) return;
    this.watermark = wm;
    this.timers.advance(wm, (_time, key) => this.onEventTime(key));
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  /** CepOperator.onEventTime: the rows up to the watermark in time order, then the watermark itself. */
  private onEventTime(key: unknown): void {
    const p = this.partitions.get(key);
    if (!p) return;
    const wm = this.watermark;
    let due: number[] | null = null;
    for (const t of p.rows.keys()) if (t <= wm) (due ??= []).push(t);
    if (due !== null) {
      if (due.length > 1) due.sort((a, b) => a - b);
      for (const ts of due) {
        this.emit(this.nfa.advanceTime(p.nfa, ts), ts);
        const rows = p.rows.get(ts)!;
        for (const row of this.sortRows ? this.sortRows(rows) : rows) {
          const matches = this.nfa.process(p.nfa, row, ts);
          if (this.nfa.windowMs > 0 && p.nfa.newStart) this.timers.register(key, ts + this.nfa.windowMs);
          this.emit(matches, ts);
        }
        p.rows.delete(ts);
      }
    }
    this.emit(this.nfa.advanceTime(p.nfa, wm), wm);
    p.nfa.newStart = false;
    // Only the start state left: Flink drops the automaton's state (a fresh one starts at version 1).
    if (p.nfa.idle) {
      if (p.rows.size === 0 && p.nfa.buffer.isEmpty) this.partitions.delete(key);
      else p.nfa = this.nfa.newPartition(p.nfa.buffer);
    }
  }

  private emit(matches: readonly Match[], ts: number): void {
    for (const m of matches) this.next.process(this.output(m, ts), INSERT);
  }

  snapshot(): unknown {
    const entries = [...this.partitions];
    return {
      watermark: encodeValue(this.watermark),
      timers: this.timers.snapshot(),
      partitions: new SnapshotRows(entries, ([key, p]) => [
        encodeValue(key),
        [...p.rows].map(([t, rows]) => [t, rows.map((r) => r.map(encodeValue))]),
        p.nfa.toJSON(),
      ]),
    };
  }

  restore(state: unknown): void {
    const s = state as { watermark: unknown; timers: unknown; partitions: unknown[] } | null;
    if (!s) return;
    this.watermark = s.watermark === null ? -Infinity : (decodeValue(s.watermark) as number);
    this.timers.restore(s.timers);
    for (const item of s.partitions) {
      const [key, rows, nfa] = item as [unknown, [number, unknown[][]][], unknown];
      this.partitions.set(decodeValue(key), {
        rows: new Map(rows.map(([t, list]) => [t, list.map((r) => r.map(decodeValue))])),
        nfa: this.nfa.restorePartition(nfa),
      });
    }
  }
}

type Lists = (variable: string) => readonly Row[];

const cell = (row: Row, column: number): unknown => {
  const v = row[column];
  return v === undefined ? null : v;
};

/** How each slot (engine/plan/match-recognize.ts) is read from the rows of a match. */
function slotReader(slot: MatchSlot): (lists: Lists, ts: number) => unknown {
  switch (slot.kind) {
    case 'row': {
      const { variable, first, offset, column } = slot;
      return (lists) => {
        const rows = lists(variable);
        if (rows.length <= offset) return null;
        return cell(rows[first ? offset : rows.length - 1 - offset]!, column);
      };
    }
    case 'aggregate': {
      const agg = new Aggregation([], [slot.call]);
      const variable = slot.variable;
      return (lists) => {
        const g = agg.newGroup([]);
        for (const r of lists(variable)) agg.add(g, r);
        return agg.outputRow(g, 0)[0];
      };
    }
    case 'match-rowtime':
      return (_lists, ts) => ts;
  }
}

function slotRow(readers: readonly ((lists: Lists, ts: number) => unknown)[], lists: Lists, ts: number): Row {
  const row = new Array(readers.length);
  for (let i = 0; i < readers.length; i++) row[i] = readers[i]!(lists, ts);
  return row;
}

type DefineReader = (row: Row, ctx: MatchContext) => unknown;

/**
 * How a DEFINE reads a slot while `variable` is tested on `row`. The variable's own rows (and all
 * rows, for `*`) are its rows so far followed by `row`: read by position, without building that
 * list, and without reading the partial match from the buffer when only `row` is asked for
 * (`A.price`, `price`, `LAST(A.price)`), the common case.
 */
function defineReader(slot: MatchSlot, variable: string, variables: readonly string[]): DefineReader {
  const all = (ctx: MatchContext): readonly Row[] => {
    const out: Row[] = [];
    for (const name of variables) for (const r of ctx.eventsFor(name)) out.push(r);
    return out;
  };
  switch (slot.kind) {
    case 'row': {
      const { first, offset, column } = slot;
      const v = slot.variable;
      if (v !== variable && v !== ALL_ROWS) {
        return (_row, ctx) => {
          const rows = ctx.eventsFor(v);
          if (rows.length <= offset) return null;
          return cell(rows[first ? offset : rows.length - 1 - offset]!, column);
        };
      }
      if (!first && offset === 0) return (row) => cell(row, column);
      const before = v === ALL_ROWS ? all : (ctx: MatchContext) => ctx.eventsFor(v);
      return (row, ctx) => {
        const rows = before(ctx);
        const n = rows.length + 1;
        if (n <= offset) return null;
        const i = first ? offset : n - 1 - offset;
        return cell(i === rows.length ? row : rows[i]!, column);
      };
    }
    case 'aggregate': {
      const agg = new Aggregation([], [slot.call]);
      const v = slot.variable;
      const own = v === variable || v === ALL_ROWS;
      const before = v === ALL_ROWS ? all : (ctx: MatchContext) => ctx.eventsFor(v);
      return (row, ctx) => {
        const g = agg.newGroup([]);
        for (const r of before(ctx)) agg.add(g, r);
        if (own) agg.add(g, row);
        return agg.outputRow(g, 0)[0];
      };
    }
    case 'match-rowtime':
      return () => 0;
  }
}

/**
 * A DEFINE condition of `variable`: its rows so far plus the row tested, all rows of the partial
 * match (in pattern order) plus the row tested for `*`, other variables' rows as they are.
 */
export function compileDefine(
  f: MatchFormulas,
  variable: string,
  variables: readonly string[],
): DefineCondition {
  const readers = f.slots.map((s) => defineReader(s, variable, variables));
  const test = compilePredicate(f.exprs[0]!);
  const n = readers.length;
  // One slot row for every test: a condition is tested to its end before the next one starts.
  const slots: unknown[] = new Array(n);
  return (row: Row, ctx: MatchContext) => {
    for (let i = 0; i < n; i++) slots[i] = readers[i]!(row, ctx);
    return test(slots);
  };
}

/** The output row of a match: the partition keys (from any of its rows), then the measures. */
export function compileMeasures(
  f: MatchFormulas,
  partitionKeys: readonly number[],
  variables: readonly string[],
): (match: Match, ts: number) => Row {
  const readers = f.slots.map(slotReader);
  const project = compileProjection(f.exprs);
  return (match, ts) => {
    const lists: Lists = (v) =>
      v === ALL_ROWS ? variables.flatMap((name) => match.get(name) ?? []) : (match.get(v) ?? []);
    const measures = project(slotRow(readers, lists, ts));
    let any: Row | undefined;
    for (const rows of match.values()) if ((any = rows[0])) break;
    const out = new Array(partitionKeys.length + measures.length);
    for (let i = 0; i < partitionKeys.length; i++) out[i] = any ? (any[partitionKeys[i]!] ?? null) : null;
    for (let i = 0; i < measures.length; i++) out[partitionKeys.length + i] = measures[i];
    return out;
  };
}
