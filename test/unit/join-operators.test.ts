// Join operators on their own: the changelog of an outer regular join, an interval join's state
// freed by the watermark and its held-back output watermark, and a join's watermark with an input
// that is idle from the start.

import { describe, expect, it } from 'vitest';
import type { Operator } from '../../engine/exec/operator.js';
import { IntervalJoinOperator } from '../../engine/exec/interval-join.js';
import { RegularJoinOperator } from '../../engine/exec/regular-join.js';
import { DELETE, INSERT, ROW_KIND_SHORT, type Row, type RowKind } from '../../engine/types.js';

class Collect implements Operator {
  readonly out: string[] = [];
  readonly watermarks: number[] = [];
  process(row: Row, kind: RowKind): void {
    this.out.push(`${ROW_KIND_SHORT[kind]}${JSON.stringify(row)}`);
  }
  onWatermark(wm: number): void {
    this.watermarks.push(wm);
  }
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

const key = (r: Row): unknown => r[0];

describe('regular join changelog (Flink StreamingJoinOperator)', () => {
  it('a LEFT join pads a row without partner, takes the padding back when one arrives, pads again when it leaves', () => {
    const out = new Collect();
    const join = new RegularJoinOperator('LEFT', [key, key], null, [2, 2], out);
    join.processFrom(0, [1, 'l'], INSERT);
    join.processFrom(1, [1, 'r'], INSERT);
    join.processFrom(1, [1, 'r'], DELETE);
    expect(out.out).toEqual([
      '+I[1,"l",null,null]',
      '-D[1,"l",null,null]',
      '+I[1,"l",1,"r"]',
      '-D[1,"l",1,"r"]',
      '+I[1,"l",null,null]',
    ]);
  });

  it('NULL keys never meet', () => {
    const out = new Collect();
    const join = new RegularJoinOperator('INNER', [key, key], null, [1, 1], out);
    join.processFrom(0, [null], INSERT);
    join.processFrom(1, [null], INSERT);
    expect(out.out).toEqual([]);
  });
});

describe('interval join', () => {
  // left.ts - right.ts in [-1000, 0]: a right row meets left rows up to 1 s older.
  const bounds = { leftTimeIndex: 1, rightTimeIndex: 1, lower: -1000, upper: 0 };

  it('holds rows only while a partner can still come, and holds the output watermark back by the bound', () => {
    const out = new Collect();
    const join = new IntervalJoinOperator('INNER', bounds, [key, key], null, [2, 2], out);
    for (let t = 0; t < 100_000; t += 100) {
      join.processFrom(0, [t % 7, t], INSERT);
      join.processFrom(1, [t % 7, t + 500], INSERT);
      join.watermarkFrom(0, t);
      join.watermarkFrom(1, t);
    }
    // Rows within ~1 s of the watermark are all that is held, however long the input.
    expect(join.heldRows).toBeLessThan(40);
    expect(out.watermarks.at(-1)).toBe(99_900 - 1000);
  });

  it('a LEFT interval join pads a left row when its interval has passed without a partner', () => {
    const out = new Collect();
    const join = new IntervalJoinOperator('LEFT', bounds, [key, key], null, [2, 2], out);
    join.processFrom(0, [1, 1000], INSERT);
    join.watermarkFrom(0, 5000);
    join.watermarkFrom(1, 5000);
    expect(out.out).toEqual(['+I[1,1000,null,null]']);
  });
});

describe("a join's watermark", () => {
  it('leaves out an input that is idle from the start (an empty topic), as Flink does', () => {
    const out = new Collect();
    let rightSilent = false;
    const join = new RegularJoinOperator('INNER', [key, key], null, [1, 1], out);
    join.setIdleness(
      () => false,
      () => rightSilent,
    );
    join.watermarkFrom(0, 100);
    expect(out.watermarks).toEqual([]);
    rightSilent = true;
    join.watermarkFrom(0, 200);
    expect(out.watermarks).toEqual([200]);
  });
});
