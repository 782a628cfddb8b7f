// Drops records that arrive after every window they belong to has fired, counts them, and hands
// them to the job's late-records sink when one is declared (Flink drops them silently; we keep a
// trace). Sits between the source's WHERE and the window aggregate.

import { INSERT, type Row } from '../types.js';
import { StatelessOperator, type Operator } from './operator.js';
import { isFired, type WindowAssigner } from './window-assigner.js';

export class LateRecordFilter extends StatelessOperator {
  private watermark = -Infinity;
  lateCount = 0;

  constructor(
    private readonly assigner: WindowAssigner,
    private readonly timeIndex: number,
    /** Receives each late row (the source table's row) with the watermark it was late against. */
    private readonly onLate: (row: Row, watermark: number) => void,
    next: Operator,
  ) {
    super(next);
  }

  process(row: Row): void {
    const t = row[this.timeIndex] as number;
    if (isFired(this.assigner.lastEnd(t), this.watermark)) {
      this.lateCount++;
      this.onLate(row, this.watermark);
      return;
    }
    this.next.process(row, INSERT);
  }

  override onWatermark(wm: number): void {
    this.watermark = wm;
    this.next.onWatermark(wm);
  }

  override snapshot(): unknown {
    return { lateCount: this.lateCount, watermark: this.watermark === -Infinity ? null : this.watermark };
  }

  override restore(state: unknown): void {
    const s = state as { lateCount: number; watermark: number | null } | null;
    if (!s) return;
    this.lateCount = s.lateCount;
    this.watermark = s.watermark ?? -Infinity;
  }
}
