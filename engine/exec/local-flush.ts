// Flink aggregates TUMBLE / HOP / CUMULATE windows in two phases: a local pre-aggregation buffers
// records and is flushed into the global window state each time the watermark passes a window end
// of the operator's grid (its nextTriggerWatermark: the end - 1 of the slice or window the
// watermark is in). A DOUBLE sum is therefore the sum of per-flush partial sums, which can differ
// from a plain running sum in the last digit. Window operators count those flushes here; the
// DOUBLE SUM / AVG accumulators (aggregates.ts) close their partial sum when the count moves.

import { alignedStart } from './window-assigner.js';

/** How many times the local pre-aggregation has been flushed: shared by an Aggregation's accumulators. */
export interface FlushEpoch {
  value: number;
}

export class LocalFlushClock {
  /** The watermark at which the next flush happens; null until the first watermark. */
  private next: number | null = null;

  constructor(
    private readonly interval: number,
    private readonly offset: number,
    private readonly epoch: FlushEpoch,
  ) {}

  onWatermark(wm: number): void {
    if (!Number.isFinite(wm)) {
      if (wm === Infinity && this.next !== null) this.epoch.value++;
      return;
    }
    if (this.next === null) {
      this.next = this.triggerAfter(wm);
    } else if (wm >= this.next) {
      this.epoch.value++;
      this.next = this.triggerAfter(wm);
    }
  }

  /** Restored with the operator's watermark: the next trigger follows from it (see triggerAfter). */
  restore(watermark: number, epoch: number): void {
    this.epoch.value = epoch;
    this.next = Number.isFinite(watermark) ? this.triggerAfter(watermark) : null;
  }

  /** The last millisecond of the grid interval holding `wm` (Flink's getNextTriggerWatermark). */
  private triggerAfter(wm: number): number {
    return alignedStart(wm, this.interval, this.offset) + this.interval - 1;
  }
}
