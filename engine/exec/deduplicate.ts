// Deduplication on event time (ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts [DESC]) with rn = 1),
// as Flink's RowTimeDeduplicateFunction: per key the row kept so far; a new row replaces it when
// it comes earlier (keep first: ts < kept ts) or not earlier (keep last: ts >= kept ts), at once,
// without waiting for the watermark. The first row of a key is +I, a replacement -U old / +U new;
// so the output is updating even when keeping the first row (a row with an earlier time can still
// come). One row per key is kept.

import { INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';
import { SnapshotRows, type Operator } from './operator.js';

export class DeduplicateOperator implements Operator {
  private readonly kept = new Map<unknown, Row>();

  constructor(
    private readonly keyOf: (row: Row) => unknown,
    private readonly timeIndex: number,
    private readonly keepLast: boolean,
    private readonly next: Operator,
  ) {}

  get keyCount(): number {
    return this.kept.size;
  }

  process(row: Row): void {
    const key = this.keyOf(row);
    const before = this.kept.get(key);
    if (before !== undefined) {
      const t = row[this.timeIndex] as number;
      const t0 = before[this.timeIndex] as number;
      if (this.keepLast ? !(t0 <= t) : !(t < t0)) return;
      this.next.process(before, UPDATE_BEFORE);
      this.next.process(row, UPDATE_AFTER);
    } else this.next.process(row, INSERT);
    this.kept.set(key, row);
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
      this.kept.set(decodeValue(key), row.map(decodeValue));
    }
  }
}
