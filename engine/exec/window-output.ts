// The rows a fired window emits: per group [...keys, window_start, window_end, window_time,
// ...aggregates], optionally filtered by the query's HAVING right here. Most groups of a typical
// alerting query fail HAVING, so with it fused the row is built in one reused array and copied
// only when it passes (a separate FilterOperator would get a new array for every group).

import { INSERT, type Row } from '../types.js';
import type { Aggregation, GroupState } from './aggregation.js';
import type { Operator } from './operator.js';

export class WindowOutput {
  private readonly width: number;
  private readonly scratch: unknown[];

  constructor(
    private readonly agg: Aggregation,
    /** HAVING over the output row, or null to emit every group. */
    private readonly having: ((row: Row) => boolean) | null,
    private readonly next: Operator,
  ) {
    this.width = agg.keyCount + 3 + agg.aggCount;
    this.scratch = new Array(this.width);
  }

  emit(g: GroupState, start: number, end: number): void {
    const out = this.having === null ? new Array(this.width) : this.scratch;
    this.agg.fillOutputRow(g, 3, out);
    const k = this.agg.keyCount;
    out[k] = start;
    out[k + 1] = end;
    out[k + 2] = end - 1;
    if (this.having === null) this.next.process(out, INSERT);
    else if (this.having(out)) this.next.process(out.slice(), INSERT);
  }
}
