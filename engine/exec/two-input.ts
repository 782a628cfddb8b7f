// What two-input operators (joins) share: an input port per side, and the watermark of the
// operator = the least of its inputs' (an ended input counts as +∞).

import type { Row, RowKind } from '../types.js';
import type { Operator } from './operator.js';

export abstract class TwoInputOperator {
  private readonly watermarks = [-Infinity, -Infinity];
  private readonly ended = [false, false];
  /** The combined input watermark. */
  protected watermark = -Infinity;
  readonly inputs: readonly [Operator, Operator];

  /** Per input: whether it is idle without ever having sent anything (it then does not hold the watermark back). */
  private idle: [() => boolean, () => boolean] = [() => false, () => false];

  constructor(protected readonly next: Operator) {
    this.inputs = [new TwoInputPort(this, 0), new TwoInputPort(this, 1)];
  }

  /** Tells the operator how to see that an input is idle (its sources, see SourceRunner.silent). */
  setIdleness(left: () => boolean, right: () => boolean): void {
    this.idle = [left, right];
  }

  /** A row of the left (0) or right (1) input. */
  abstract processFrom(side: 0 | 1, row: Row, kind: RowKind): void;

  /** The combined watermark moved to `wm`: expire state, then pass the watermark on. */
  protected advance(wm: number): void {
    this.next.onWatermark(wm);
  }

  watermarkFrom(side: 0 | 1, wm: number): void {
    if (wm <= this.watermarks[side]!) return;
    this.watermarks[side] = wm;
    const other = (1 - side) as 0 | 1;
    // An input idle from the start is left out, as Flink leaves out an idle input.
    const min = this.idle[other]() ? wm : Math.min(this.watermarks[0]!, this.watermarks[1]!);
    if (min > this.watermark) {
      this.watermark = min;
      this.advance(min);
    }
  }

  finishFrom(side: 0 | 1): void {
    if (this.ended[side]) return;
    this.ended[side] = true;
    if (this.ended[0] && this.ended[1]) this.next.finish();
  }

  abstract snapshot(): unknown;
  abstract restore(state: unknown): void;
}

/** One input of a two-input operator: what the operator feeding that side pushes to. */
class TwoInputPort implements Operator {
  constructor(
    private readonly op: TwoInputOperator,
    private readonly side: 0 | 1,
  ) {}
  process(row: Row, kind: RowKind): void {
    this.op.processFrom(this.side, row, kind);
  }
  onWatermark(wm: number): void {
    this.op.watermarkFrom(this.side, wm);
  }
  finish(): void {
    this.op.finishFrom(this.side);
  }
  snapshot(): unknown {
    return null;
  }
  restore(_state: unknown): void {}
}

/** A Map key for a row's values (a row's identity in join state): exact for every value type. */
export function rowIdentity(values: readonly unknown[]): string {
  let s = '';
  for (const v of values) {
    s +=
      v === null || v === undefined
        ? '\u0001'
        : typeof v === 'string'
          ? 's' + v
          : typeof v === 'bigint'
            ? 'b' + v.toString()
            : typeof v === 'number'
              ? 'n' + String(v)
              : 'o' + String(v);
    s += '\u0000';
  }
  return s;
}

/** A joined row: the left row's `widths[0]` values, then the right row's `widths[1]`. */
export function joinRows(left: Row, right: Row, widths: readonly [number, number]): Row {
  const out = new Array(widths[0] + widths[1]);
  for (let i = 0; i < widths[0]; i++) out[i] = left[i];
  for (let i = 0; i < widths[1]; i++) out[widths[0] + i] = right[i];
  return out;
}
