// The end of a pipeline: collects rows for a sink writer; the runtime hands them over after each
// source batch, so the writer sees batches, not single rows.

import type { Row } from '../types.js';
import type { Operator } from './operator.js';

export class SinkOperator implements Operator {
  private buffer: Row[] = [];
  rowsOut = 0;

  process(row: Row): void {
    this.buffer.push(row);
    this.rowsOut++;
  }

  /** Rows collected since the last call. */
  drain(): Row[] {
    const rows = this.buffer;
    this.buffer = [];
    return rows;
  }

  onWatermark(_wm: number): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(_state: unknown): void {}
}
