// SESSION windows: per group, a session grows while records keep arriving within `gap` of each
// other; overlapping sessions merge. Sessions keep their rows (accumulators cannot merge), and are
// aggregated once, when the watermark passes the session's end (last record + gap).
//
// Work per record is O(log sessions of its key), amortised: a key's open sessions are disjoint
// (a record merges every session it touches), so they are kept sorted by start and the ones a
// record touches (at most two) are found by binary search; rows are joined without copying
// (RowChain); sessions wait for the watermark in a queue ordered by end, so firing looks only at
// the sessions that fire.
//
// The rows of a merged session are in the order the previous implementation gave (order-sensitive
// aggregates such as LISTAGG and FIRST_VALUE depend on it): the touched sessions from the most
// recently created or merged to the least, then the new record.

import { INSERT, type Row } from '../types.js';
import { decodeValue, encodeValue, type Aggregation } from './aggregation.js';
import type { Operator } from './operator.js';
import { RowChain } from './row-chain.js';
import { isFired } from './window-assigner.js';

interface Session {
  start: number;
  end: number;
  rows: RowChain;
  readonly group: KeyGroup;
  /** When it was last created or merged: orders the rows of a merge, and a key's sessions in checkpoints. */
  seq: number;
  /** Merged into another session or fired: its queue entries are stale. */
  gone: boolean;
}

/** The open sessions of one key, sorted by start (disjoint, so also by end). */
interface KeyGroup {
  readonly key: unknown;
  readonly sessions: Session[];
  /** When the key got its entry in the map: ties between keys fire in this order. */
  readonly order: number;
}

/** The work done so far, counted so a test can tell linear from quadratic without timing. */
export interface SessionWork {
  /** Sessions looked at to place records and to fire. */
  sessionsVisited: number;
  /** Row references written into session state (once per record when nothing is copied). */
  rowsWritten: number;
}

export class SessionWindowOperator implements Operator {
  private readonly groups = new Map<unknown, KeyGroup>();
  private readonly queue = new EndQueue();
  private watermark = -Infinity;
  private seq = 0;
  private keysAdded = 0;
  private open = 0;
  readonly work: SessionWork = { sessionsVisited: 0, rowsWritten: 0 };

  constructor(
    private readonly gap: number,
    private readonly timeIndex: number,
    private readonly agg: Aggregation,
    private readonly next: Operator,
  ) {}

  get openWindows(): number {
    return this.open;
  }

  process(row: Row): void {
    const t = row[this.timeIndex] as number;
    const group = this.groupOf(this.agg.keyOf(row));
    const list = group.sessions;
    const end = t + this.gap;
    // Sessions that touch merge too (Flink's TimeWindow.intersects is inclusive): transfers
    // exactly `gap` apart belong to one session.
    const from = firstEndingAtOrAfter(list, t);
    let to = from;
    while (to < list.length && list[to]!.start <= end) to++;
    this.work.sessionsVisited += to - from + 1;
    this.work.rowsWritten++;
    if (to === from) {
      const s: Session = { start: t, end, rows: RowChain.from([row]), group, seq: ++this.seq, gone: false };
      list.splice(from, 0, s);
      this.open++;
      this.queue.push(s);
      return;
    }
    const touched = list.slice(from, to).sort((a, b) => b.seq - a.seq);
    const kept = touched[0]!;
    const oldEnd = kept.end;
    for (let i = 1; i < touched.length; i++) {
      const s = touched[i]!;
      kept.rows.join(s.rows);
      kept.start = Math.min(kept.start, s.start);
      kept.end = Math.max(kept.end, s.end);
      s.gone = true;
      this.open--;
    }
    kept.rows.push(row);
    kept.start = Math.min(kept.start, t);
    kept.end = Math.max(kept.end, end);
    kept.seq = ++this.seq;
    list.splice(from, to - from, kept);
    if (kept.end !== oldEnd) this.queue.push(kept);
  }

  private groupOf(key: unknown): KeyGroup {
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { key, sessions: [], order: this.keysAdded++ };
      this.groups.set(key, group);
    }
    return group;
  }

  onWatermark(wm: number): void {
    this.watermark = wm;
    if (this.queue.size > 0 && isFired(this.queue.peekEnd(), wm)) this.fire(wm);
    this.next.onWatermark(wm);
  }

  private fire(wm: number): void {
    const ready: Session[] = [];
    while (this.queue.size > 0 && isFired(this.queue.peekEnd(), wm)) {
      const s = this.queue.pop();
      this.work.sessionsVisited++;
      if (s.gone || !isFired(s.end, wm)) continue; // merged away, or its end moved on since it was queued
      s.gone = true;
      ready.push(s);
    }
    for (const s of ready) this.remove(s);
    ready.sort((a, b) => a.end - b.end || a.start - b.start || a.group.order - b.group.order);
    const k = this.agg.keyCount;
    for (const s of ready) {
      const g = this.agg.newGroupFor(s.rows.first());
      s.rows.forEach((r) => this.agg.add(g, r));
      const out = this.agg.outputRow(g, 3);
      out[k] = s.start;
      out[k + 1] = s.end;
      out[k + 2] = s.end - 1;
      this.next.process(out, INSERT);
    }
  }

  private remove(s: Session): void {
    const list = s.group.sessions;
    // Sessions fire oldest first: the fired one is at (or near) the front.
    const i = list.indexOf(s);
    this.work.sessionsVisited += i + 1;
    list.splice(i, 1);
    this.open--;
    if (list.length === 0) this.groups.delete(s.group.key);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    const out: { s: number; e: number; r: unknown[][] }[] = [];
    for (const group of this.groups.values()) {
      const inOrder = [...group.sessions].sort((a, b) => a.seq - b.seq);
      for (const s of inOrder)
        out.push({ s: s.start, e: s.end, r: s.rows.toArray().map((row) => row.map(encodeValue)) });
    }
    return { watermark: this.watermark === -Infinity ? null : this.watermark, sessions: out };
  }

  restore(state: unknown): void {
    const st = state as { watermark: number | null; sessions: { s: number; e: number; r: unknown[][] }[] };
    this.watermark = st.watermark ?? -Infinity;
    this.groups.clear();
    this.queue.clear();
    this.open = 0;
    for (const saved of st.sessions) {
      const rows = saved.r.map((r) => r.map(decodeValue));
      const group = this.groupOf(this.agg.keyOf(rows[0]!));
      const s: Session = {
        start: saved.s,
        end: saved.e,
        rows: RowChain.from(rows),
        group,
        seq: ++this.seq,
        gone: false,
      };
      group.sessions.push(s);
      this.open++;
      this.queue.push(s);
    }
    for (const group of this.groups.values()) group.sessions.sort((a, b) => a.start - b.start);
  }
}

/** Index of the first session of `list` (sorted, disjoint) whose end is ≥ t. */
function firstEndingAtOrAfter(list: readonly Session[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.end < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Sessions by end, earliest first (a binary heap). A session is queued again when its end moves;
 * the older entry is then stale and skipped when it comes out.
 */
class EndQueue {
  private readonly ends: number[] = [];
  private readonly sessions: Session[] = [];

  get size(): number {
    return this.ends.length;
  }

  /** The earliest end; only when size > 0. */
  peekEnd(): number {
    return this.ends[0]!;
  }

  push(s: Session): void {
    const ends = this.ends;
    const sessions = this.sessions;
    let i = ends.length;
    ends.push(s.end);
    sessions.push(s);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (ends[parent]! <= s.end) break;
      ends[i] = ends[parent]!;
      sessions[i] = sessions[parent]!;
      i = parent;
    }
    ends[i] = s.end;
    sessions[i] = s;
  }

  pop(): Session {
    const ends = this.ends;
    const sessions = this.sessions;
    const top = sessions[0]!;
    const lastEnd = ends.pop()!;
    const last = sessions.pop()!;
    const n = ends.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && ends[child + 1]! < ends[child]!) child++;
        if (ends[child]! >= lastEnd) break;
        ends[i] = ends[child]!;
        sessions[i] = sessions[child]!;
        i = child;
      }
      ends[i] = lastEnd;
      sessions[i] = last;
    }
    return top;
  }

  clear(): void {
    this.ends.length = 0;
    this.sessions.length = 0;
  }
}
