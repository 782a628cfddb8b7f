// A window TVF's rows (`FROM TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))` without GROUP BY), as
// Flink's WindowTableFunctionOperator: each row once per window it falls in, with window_start,
// window_end and window_time (window_end - 1 ms) appended. Nothing is held and nothing is late
// here: the window operator after it (window Top-N, window deduplication) drops rows whose window
// has fired.

import { INSERT, type Row } from '../types.js';
import { StatelessOperator, type Operator } from './operator.js';
import type { WindowAssigner } from './window-assigner.js';

export class WindowTableOperator extends StatelessOperator {
  constructor(
    private readonly assigner: WindowAssigner,
    private readonly timeIndex: number,
    next: Operator,
  ) {
    super(next);
  }

  process(row: Row): void {
    const t = row[this.timeIndex];
    if (typeof t !== 'number') return; // a row without a time is in no window (Flink drops it too)
    const n = this.assigner.assign(t);
    for (let i = 0; i < n; i++) {
      const end = this.assigner.ends[i]!;
      this.next.process([...row, this.assigner.starts[i]!, end, end - 1], INSERT);
    }
  }
}
