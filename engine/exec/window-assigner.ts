// Which epoch-aligned windows an event time belongs to (start ≤ t < end), for TUMBLE, HOP and
// CUMULATE, and the last moment a record can still count. Session windows depend on other records
// and are handled by SessionWindowOperator.

import type { WindowSpec } from '../plan/logical.js';

const EXACT = 2 ** 52;

/** floor((t - offset) / step) * step + offset, correct for negative t too. */
export function alignedStart(t: number, step: number, offset: number): number {
  const x = t - offset;
  // A rounded division and Math.floor instead of %, which on doubles (epoch ms exceed 2^31) is a
  // call to fmod: it runs for every record. Exact while |x| < 2^52 (any TIMESTAMP): the quotient's
  // rounding cannot reach the next whole number.
  if (x < EXACT && x > -EXACT) return Math.floor(x / step) * step + offset;
  const r = x % step;
  return t - (r < 0 ? r + step : r);
}

export class WindowAssigner {
  private readonly kind: WindowSpec['kind'];
  private readonly size: number;
  private readonly slide: number;
  private readonly offset: number;
  /** Whether Flink aggregates these windows in two phases (a window TVF, not a legacy group window). */
  readonly twoPhase: boolean;

  constructor(spec: WindowSpec) {
    this.twoPhase = spec.legacy !== true;
    this.kind = spec.kind;
    this.size = spec.sizeMs;
    this.slide = spec.slideMs;
    this.offset = spec.offsetMs;
  }

  /** The grid of window ends (TUMBLE: the size, HOP / CUMULATE: the slide or step) and its offset. */
  get endInterval(): number {
    return this.kind === 'TUMBLE' ? this.size : this.slide;
  }

  get endOffset(): number {
    return this.offset;
  }

  /** Windows of t: filled by assign() (no allocation per record). */
  readonly starts: number[] = [];
  readonly ends: number[] = [];

  /** Puts every window containing `t` into starts/ends (latest-ending first) and returns how many. */
  assign(t: number): number {
    const starts = this.starts;
    const ends = this.ends;
    switch (this.kind) {
      case 'TUMBLE': {
        const s = alignedStart(t, this.size, this.offset);
        starts[0] = s;
        ends[0] = s + this.size;
        return 1;
      }
      case 'HOP': {
        let n = 0;
        for (let s = alignedStart(t, this.slide, this.offset); s > t - this.size; s -= this.slide) {
          starts[n] = s;
          ends[n++] = s + this.size;
        }
        return n;
      }
      case 'CUMULATE': {
        const s = alignedStart(t, this.size, this.offset);
        const firstEnd = alignedStart(t, this.slide, this.offset) + this.slide;
        let n = 0;
        for (let e = s + this.size; e >= firstEnd; e -= this.slide) {
          starts[n] = s;
          ends[n++] = e;
        }
        return n;
      }
      default:
        throw new Error(`assign is not defined for ${this.kind} windows`);
    }
  }

  /** The largest window end among t's windows: a record is late once that window has fired. */
  lastEnd(t: number): number {
    switch (this.kind) {
      case 'TUMBLE':
        return alignedStart(t, this.size, this.offset) + this.size;
      case 'HOP':
        return alignedStart(t, this.slide, this.offset) + this.size;
      case 'CUMULATE':
        return alignedStart(t, this.size, this.offset) + this.size;
      case 'SESSION':
        // A record opens (or extends) a session until t + gap.
        return t + this.size;
    }
  }
}

/** Flink fires a window [start, end) when the watermark reaches its last millisecond, end - 1. */
export function isFired(end: number, watermark: number): boolean {
  return end - 1 <= watermark;
}
