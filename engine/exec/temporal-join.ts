// An event-time temporal join (Flink's TemporalRowTimeJoinOperator): each left row meets the
// version of the right (versioned) table's row with its key that was valid at the left row's time:
// the latest right row at or before it. Left rows wait until the watermark passes them (later
// versions up to their time may still come), then go out joined, or NULL-padded for a LEFT join
// when no version was valid. A version that is a -U/-D row means "no row" from its time on.
// Insert-only out; the left rows' time attribute stays one.

import { INSERT, UPDATE_BEFORE, isAccumulate, type Row, type RowKind } from '../types.js';
import { SnapshotRows, type Operator } from './operator.js';
import { TwoInputOperator, joinRows } from './two-input.js';
import { decodeValue, encodeValue } from './aggregation.js';

interface Version {
  readonly time: number;
  readonly row: Row;
  readonly present: boolean;
}

interface Waiting {
  readonly row: Row;
  readonly time: number;
  readonly key: unknown;
  readonly seq: number;
}

export class TemporalJoinOperator extends TwoInputOperator {
  /** Left rows waiting for the watermark, by arrival. */
  private waiting: Waiting[] = [];
  private seq = 0;
  /** Per key, the right table's versions in time order. */
  private readonly versions = new Map<unknown, Version[]>();
  /** Keys with something to drop one day (several versions, or a deletion): the watermark visits only these. */
  private readonly prunable = new Set<unknown>();

  constructor(
    private readonly leftOuter: boolean,
    private readonly timeIndex: [number, number],
    private readonly keyOf: [(row: Row) => unknown, (row: Row) => unknown],
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    next: Operator,
  ) {
    super(next);
  }

  get heldRows(): number {
    let n = this.waiting.length;
    for (const v of this.versions.values()) n += v.length;
    return n;
  }

  processFrom(side: 0 | 1, row: Row, kind: RowKind): void {
    const time = row[this.timeIndex[side]] as number;
    if (side === 0) {
      this.waiting.push({ row, time, key: this.keyOf[0](row), seq: this.seq++ });
      return;
    }
    // A changelog's -U (debezium-json) is dropped before the join, as Flink's planner drops
    // UPDATE_BEFORE rows of a keyed input there (DropUpdateBefore): the +U after it is the version.
    if (kind === UPDATE_BEFORE) return;
    const key = this.keyOf[1](row);
    if (key === null) return;
    let list = this.versions.get(key);
    if (!list) {
      list = [];
      this.versions.set(key, list);
    }
    // One version per time: a later row with the same time replaces it.
    let i = list.length;
    while (i > 0 && list[i - 1]!.time > time) i--;
    const v = { time, row, present: isAccumulate(kind) };
    if (i > 0 && list[i - 1]!.time === time) list[i - 1] = v;
    else list.splice(i, 0, v);
    if (list.length > 1 || !v.present) this.prunable.add(key);
  }

  protected override advance(wm: number): void {
    const ready = this.waiting.filter((w) => w.time <= wm).sort((a, b) => a.time - b.time || a.seq - b.seq);
    if (ready.length > 0) {
      this.waiting = this.waiting.filter((w) => w.time > wm);
      for (const w of ready) this.emitFor(w);
    }
    this.dropOldVersions(wm);
    this.next.onWatermark(wm);
  }

  private emitFor(w: Waiting): void {
    const list = w.key === null ? undefined : this.versions.get(w.key);
    let version: Version | undefined;
    if (list) for (const v of list) if (v.time <= w.time) version = v;
    if (version?.present) {
      const joined = this.joined(w.row, version.row);
      if (this.condition === null || this.condition(joined)) {
        this.next.process(joined, INSERT);
        return;
      }
    }
    if (this.leftOuter) this.next.process(this.joined(w.row, new Array(this.widths[1]).fill(null)), INSERT);
  }

  /** Versions older than the one valid at the oldest left time still to come are no longer needed. */
  private dropOldVersions(wm: number): void {
    let oldest = wm;
    for (const w of this.waiting) if (w.time < oldest) oldest = w.time;
    for (const key of this.prunable) {
      const list = this.versions.get(key)!;
      let keepFrom = 0;
      for (let i = 0; i < list.length; i++) if (list[i]!.time <= oldest) keepFrom = i;
      if (keepFrom > 0) list.splice(0, keepFrom);
      if (list.length === 1 && !list[0]!.present && list[0]!.time <= oldest) {
        this.versions.delete(key);
        this.prunable.delete(key);
      } else if (list.length === 1 && list[0]!.present) this.prunable.delete(key);
    }
  }

  private joined(left: Row, right: Row): Row {
    return joinRows(left, right, this.widths);
  }

  snapshot(): unknown {
    const versions: [unknown[], boolean][] = [];
    for (const list of this.versions.values())
      for (const v of list) versions.push([v.row, v.present] as [unknown[], boolean]);
    return {
      waiting: new SnapshotRows(this.waiting, (w) => w.row.map(encodeValue)),
      versions: new SnapshotRows(versions, ([row, present]) => [row.map(encodeValue), present]),
    };
  }

  restore(state: unknown): void {
    const s = state as { waiting: unknown[][]; versions: [unknown[], boolean][] };
    for (const raw of s.waiting) this.processFrom(0, raw.map(decodeValue), INSERT);
    for (const [raw, present] of s.versions) this.processFrom(1, raw.map(decodeValue), present ? INSERT : 3);
  }
}
