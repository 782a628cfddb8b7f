// The end of a pipeline: collects rows (and their changelog kinds) for a sink writer; the runtime
// hands them over after each source batch, so the writer sees batches, not single rows.

import { INSERT, type Row, type RowKind } from '../types.js';
import type { Operator } from './operator.js';

export class SinkOperator implements Operator {
  private buffer: Row[] = [];
  /** Kinds of `buffer`'s rows, made only once a row that is not +I arrives (insert-only streams never pay for it). */
  private kinds: RowKind[] | null = null;
  rowsOut = 0;

  process(row: Row, kind: RowKind): void {
    if (kind !== INSERT && this.kinds === null)
      this.kinds = new Array<RowKind>(this.buffer.length).fill(INSERT);
    this.buffer.push(row);
    if (this.kinds !== null) this.kinds.push(kind);
    this.rowsOut++;
  }

  /** Rows collected since the last call, with their kinds (undefined: all +I). */
  drain(): { rows: Row[]; kinds: RowKind[] | undefined } {
    const rows = this.buffer;
    const kinds = this.kinds ?? undefined;
    this.buffer = [];
    this.kinds = null;
    return { rows, kinds };
  }

  onWatermark(_wm: number): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(_state: unknown): void {}
}
