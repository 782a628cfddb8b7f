// UNION ALL: the rows of every input, as they come. Its watermark is the minimum over its inputs
// (an input that ended counts as +∞), and it ends when every input ended, as Flink's union does.

import type { Row, RowKind } from '../types.js';
import type { Operator } from './operator.js';

export class UnionOperator {
  private readonly watermarks: number[];
  private readonly ended: boolean[];
  private emitted = -Infinity;
  readonly inputs: readonly Operator[];

  constructor(
    count: number,
    private readonly next: Operator,
  ) {
    this.watermarks = new Array<number>(count).fill(-Infinity);
    this.ended = new Array<boolean>(count).fill(false);
    this.inputs = this.watermarks.map((_, i) => new UnionInput(this, i));
  }

  row(row: Row, kind: RowKind): void {
    this.next.process(row, kind);
  }

  /** Per input: whether it is idle without ever having sent anything (see SourceRunner.silent). */
  idle: (() => boolean)[] = [];

  watermark(input: number, wm: number): void {
    if (wm <= this.watermarks[input]!) return;
    this.watermarks[input] = wm;
    let min = Infinity;
    // An input idle from the start is left out, as Flink leaves out an idle input.
    this.watermarks.forEach((w, i) => {
      if (w < min && !(i !== input && this.idle[i]?.())) min = w;
    });
    if (min > this.emitted) {
      this.emitted = min;
      this.next.onWatermark(min);
    }
  }

  finish(input: number): void {
    if (this.ended[input]) return;
    this.ended[input] = true;
    if (this.ended.every(Boolean)) this.next.finish();
  }
}

/** One input of a UnionOperator: what the operator feeding it pushes to. */
class UnionInput implements Operator {
  constructor(
    private readonly union: UnionOperator,
    private readonly index: number,
  ) {}
  process(row: Row, kind: RowKind): void {
    this.union.row(row, kind);
  }
  onWatermark(wm: number): void {
    this.union.watermark(this.index, wm);
  }
  finish(): void {
    this.union.finish(this.index);
  }
  snapshot(): unknown {
    return null;
  }
  restore(_state: unknown): void {}
}
