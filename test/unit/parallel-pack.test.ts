// The pieces of a parallel run that must not lose a value: rows packed by column for another worker
// (engine/runtime/parallel/pack.ts) come back equal, and a key always goes to the same worker
// (engine/runtime/parallel/hash.ts), whatever the representation of its values.

import { describe, expect, it } from 'vitest';
import { packRows, unpackRow } from '../../engine/runtime/parallel/pack.js';
import { keyOwner } from '../../engine/runtime/parallel/hash.js';
import type { Row } from '../../engine/types.js';

function roundTrip(rows: Row[], width: number): Row[] {
  const transfer: ArrayBuffer[] = [];
  const packed = structuredClone(packRows(rows, width, transfer), { transfer });
  return rows.map((_, i) => unpackRow(packed, i));
}

describe('rows packed by column', () => {
  it('give back every value: numbers, strings, NULLs, bigints, booleans, -0, NaN, ±Infinity', () => {
    const rows: Row[] = [
      [1, 'a', null, 2n ** 60n, true, -0, 'x'],
      [2.5, '', 7, -(2n ** 63n), false, NaN, 'yé€'],
      [Number.MAX_SAFE_INTEGER, 'Sunday, 23-Jul-17 01:06:47 UTC', 'z', 5, null, Infinity, ''],
      [-Infinity, 'b', 3, null, true, 1, '🙂'],
    ];
    const back = roundTrip(rows, 7);
    expect(back).toEqual(rows);
    expect(Object.is(back[0]![5], -0)).toBe(true);
  });

  it('numbers go as one Float64Array per column, strings as one string per column', () => {
    const packed = packRows(
      [
        [1, 'ab'],
        [2, 'c'],
      ],
      2,
      [],
    );
    expect(packed.columns.map((c) => c.t)).toEqual(['f', 's']);
    expect(packRows([], 2, []).columns.map((c) => c.t)).toEqual(['a', 'a']);
  });
});

describe('the worker owning a key', () => {
  it('is the same for equal keys and spreads distinct keys over every worker', () => {
    const owner = keyOwner([(r) => r[0], (r) => r[1]], 4);
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) {
      const o = owner([s, `r${s % 7}`]);
      expect(o).toBe(owner([s, `r${s % 7}`]));
      expect(o).toBeGreaterThanOrEqual(0);
      expect(o).toBeLessThan(4);
      seen.add(o);
    }
    expect(seen.size).toBe(4);
    const one = keyOwner([(r) => r[0]], 3);
    expect(one([2n ** 60n])).toBe(one([2n ** 60n]));
    expect(one([null])).toBe(one([null]));
    expect(one([1.5])).toBe(one([1.5]));
  });
});
