// Deduplication (ROW_NUMBER() OVER (PARTITION BY k ORDER BY <time attribute> [DESC]) with rn = 1),
// at once, without waiting for the watermark, as Flink's deduplicate functions:
// - on event time (RowTimeDeduplicateFunction): per key the row kept so far; a new row replaces
//   it when it comes earlier (keep first: ts < kept ts) or not earlier (keep last: ts >= kept ts).
//   The first row of a key is +I, a replacement -U old / +U new: updating even when keeping the
//   first row (a row with an earlier time can still come).
// - on processing time (ProcTimeDeduplicateKeepFirstRow/KeepLastRowFunction): keep first emits a
//   key's first row and nothing more (insert-only); keep last replaces the row with every new one
//   (-U/+U), nothing for a row equal to the kept one while state does not expire.
// One row per key is kept. With a state TTL (SET 'table.exec.state.ttl') a key's state expires when
// it was not written for that long (Flink's OnCreateAndWrite): its next row is a first row again.

import { INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';
import { SnapshotRows, type Operator } from './operator.js';
import type { StateTtl } from './state-ttl.js';
import { sameRow } from './top-n.js';

export class DeduplicateOperator implements Operator {
  private readonly kept = new Map<unknown, Row>();
  /** With a state TTL: when each key's row was last written. */
  private readonly writtenAt: Map<unknown, number> | null;

  constructor(
    private readonly keyOf: (row: Row) => unknown,
    /** The event-time column; null: processing time (arrival order). */
    private readonly timeIndex: number | null,
    private readonly keepLast: boolean,
    private readonly next: Operator,
    private readonly ttl: StateTtl | null = null,
  ) {
    this.writtenAt = ttl ? new Map() : null;
  }

  get keyCount(): number {
    return this.kept.size;
  }

  process(row: Row): void {
    const key = this.keyOf(row);
    let before = this.kept.get(key);
    if (this.ttl !== null) {
      const now = this.ttl.now();
      if (before !== undefined && this.ttl.expired(this.writtenAt!.get(key)!, now)) {
        this.kept.delete(key);
        before = undefined;
      }
      if (this.ttl.sweepDue(now)) this.sweep(now);
    }
    if (before !== undefined) {
      if (!this.replaces(before, row)) return;
      this.keep(key, row);
      // Keep last on processing time: an equal row changes nothing (unless state expires, Flink).
      if (this.timeIndex === null && this.ttl === null && sameRow(before, row)) return;
      this.next.process(before, UPDATE_BEFORE);
      this.next.process(row, UPDATE_AFTER);
      return;
    }
    this.keep(key, row);
    this.next.process(row, INSERT);
  }

  /** Whether `row` takes the place of the kept `before`. */
  private replaces(before: Row, row: Row): boolean {
    if (this.timeIndex === null) return this.keepLast;
    const t = row[this.timeIndex] as number;
    const t0 = before[this.timeIndex] as number;
    return this.keepLast ? t0 <= t : t < t0;
  }

  private keep(key: unknown, row: Row): void {
    this.kept.set(key, row);
    this.writtenAt?.set(key, this.ttl!.now());
  }

  /** Frees the keys whose TTL passed. */
  private sweep(now: number): void {
    for (const [key, at] of this.writtenAt!) {
      if (!this.ttl!.expired(at, now)) continue;
      this.writtenAt!.delete(key);
      this.kept.delete(key);
    }
  }

  onWatermark(wm: number): void {
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    return new SnapshotRows([...this.kept], ([key, row]) => [encodeValue(key), row.map(encodeValue)]);
  }

  restore(state: unknown): void {
    for (const item of (state as unknown[]) ?? []) {
      const [key, row] = item as [unknown, unknown[]];
      const k = decodeValue(key);
      this.kept.set(k, row.map(decodeValue));
      // Restored state counts as written now: its time to live starts again.
      this.writtenAt?.set(k, this.ttl!.now());
    }
  }
}
