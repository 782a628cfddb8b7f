// The operator interface every step of a running job implements. Rows are pushed one at a time
// (synchronously, no promise per record); watermarks travel the same path, so an operator always
// sees a row before the watermark that row's source emits after it.

import type { Row, RowKind } from '../types.js';

export interface Operator {
  /**
   * One input row and its changelog kind (+I for insert-only streams). Must not modify the row: a
   * row can be shared by several consumers.
   */
  process(row: Row, kind: RowKind): void;
  /** Event time has advanced to `wm` (monotonic). +Infinity at the end of a bounded input. */
  onWatermark(wm: number): void;
  /** The input has ended (after the final watermark): emit anything still held. */
  finish(): void;
  /** JSON-safe state for a checkpoint (null for stateless operators); large lists as SnapshotRows. */
  snapshot(): unknown;
  restore(state: unknown): void;
}

/** Base for operators without state: forwards watermarks and end of input. */
export abstract class StatelessOperator implements Operator {
  constructor(protected readonly next: Operator) {}
  abstract process(row: Row, kind: RowKind): void;
  onWatermark(wm: number): void {
    this.next.onWatermark(wm);
  }
  finish(): void {
    this.next.finish();
  }
  snapshot(): unknown {
    return null;
  }
  restore(_state: unknown): void {}
}

/** Sends everything to several operators: a node of the plan graph read by several others. */
export class FanOut implements Operator {
  constructor(private readonly outputs: readonly Operator[]) {}
  process(row: Row, kind: RowKind): void {
    for (let i = 0; i < this.outputs.length; i++) this.outputs[i]!.process(row, kind);
  }
  onWatermark(wm: number): void {
    for (const o of this.outputs) o.onWatermark(wm);
  }
  finish(): void {
    for (const o of this.outputs) o.finish();
  }
  snapshot(): unknown {
    return null;
  }
  restore(_state: unknown): void {}
}

/**
 * A list of a snapshot made a slice at a time (the groups of a window or a running aggregate): the
 * checkpoint store writes large ones in chunks, so a checkpoint of a million groups never holds a
 * copy of every one at once. Taken and written in one synchronous step, so the groups do not change
 * in between. JSON.stringify sees the whole list (toJSON).
 */
export class SnapshotRows<T = unknown> {
  constructor(
    private readonly items: readonly T[],
    private readonly encode: (item: T) => unknown,
  ) {}

  get length(): number {
    return this.items.length;
  }

  slice(from: number, to: number): unknown[] {
    const out = new Array<unknown>(to - from);
    for (let i = from; i < to; i++) out[i - from] = this.encode(this.items[i]!);
    return out;
  }

  toJSON(): unknown[] {
    return this.slice(0, this.items.length);
  }
}
