// SESSION windows: per group, a session grows while records keep arriving within `gap` of each
// other; overlapping sessions merge. Sessions keep their rows (accumulators cannot merge), and are
// aggregated once, when the watermark passes the session's end (last record + gap).

import type { Row } from '../types.js';
import { decodeValue, encodeValue, type Aggregation } from './aggregation.js';
import type { Operator } from './operator.js';
import { isFired } from './window-assigner.js';

interface Session {
  start: number;
  end: number;
  rows: Row[];
}

export class SessionWindowOperator implements Operator {
  private readonly sessions = new Map<unknown, Session[]>();
  private watermark = -Infinity;
  /** Earliest session end of all open sessions: nothing can fire before it. */
  private nextEnd = Infinity;

  constructor(
    private readonly gap: number,
    private readonly timeIndex: number,
    private readonly agg: Aggregation,
    private readonly next: Operator,
  ) {}

  get openWindows(): number {
    let n = 0;
    for (const list of this.sessions.values()) n += list.length;
    return n;
  }

  process(row: Row): void {
    const t = row[this.timeIndex] as number;
    const key = this.agg.keyOf(row);
    let list = this.sessions.get(key);
    if (list === undefined) {
      list = [];
      this.sessions.set(key, list);
    }
    let merged: Session = { start: t, end: t + this.gap, rows: [row] };
    const keep: Session[] = [];
    for (const s of list) {
      // Sessions that touch merge too (Flink's TimeWindow.intersects is inclusive): transfers
      // exactly `gap` apart belong to one session.
      if (s.start <= merged.end && merged.start <= s.end) {
        merged = { start: Math.min(s.start, merged.start), end: Math.max(s.end, merged.end), rows: s.rows.concat(merged.rows) };
      } else keep.push(s);
    }
    keep.push(merged);
    this.sessions.set(key, keep);
    if (merged.end < this.nextEnd) this.nextEnd = merged.end;
  }

  onWatermark(wm: number): void {
    this.watermark = wm;
    if (isFired(this.nextEnd, wm)) this.fire(wm);
    this.next.onWatermark(wm);
  }

  private fire(wm: number): void {
    const ready: Session[] = [];
    let nextEnd = Infinity;
    for (const [key, list] of this.sessions) {
      const open: Session[] = [];
      for (const s of list) {
        if (isFired(s.end, wm)) ready.push(s);
        else {
          open.push(s);
          if (s.end < nextEnd) nextEnd = s.end;
        }
      }
      if (open.length === 0) this.sessions.delete(key);
      else this.sessions.set(key, open);
    }
    this.nextEnd = nextEnd;
    ready.sort((a, b) => a.end - b.end || a.start - b.start);
    const k = this.agg.keyCount;
    for (const s of ready) {
      const g = this.agg.newGroupFor(s.rows[0]!);
      for (const r of s.rows) this.agg.add(g, r);
      const out = this.agg.outputRow(g, 3);
      out[k] = s.start;
      out[k + 1] = s.end;
      out[k + 2] = s.end - 1;
      this.next.process(out);
    }
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    const out: { s: number; e: number; r: unknown[][] }[] = [];
    for (const list of this.sessions.values()) for (const s of list) out.push({ s: s.start, e: s.end, r: s.rows.map((row) => row.map(encodeValue)) });
    return { watermark: this.watermark === -Infinity ? null : this.watermark, sessions: out };
  }

  restore(state: unknown): void {
    const st = state as { watermark: number | null; sessions: { s: number; e: number; r: unknown[][] }[] };
    this.watermark = st.watermark ?? -Infinity;
    this.sessions.clear();
    this.nextEnd = Infinity;
    for (const s of st.sessions) {
      const rows = s.r.map((r) => r.map(decodeValue));
      const key = this.agg.keyOf(rows[0]!);
      const list = this.sessions.get(key) ?? [];
      list.push({ start: s.s, end: s.e, rows });
      this.sessions.set(key, list);
      if (s.e < this.nextEnd) this.nextEnd = s.e;
    }
  }
}
