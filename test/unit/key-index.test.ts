// KeyTable (the key → group table of GroupTable) against a Map, over keys of every kind it sees:
// packed small integers (its own table, through several growths), other numbers, strings, null;
// and its two-step path for small keys (slotOf, then putAt at the free slot), as GroupTable uses it.

import { describe, expect, it } from 'vitest';
import { isSmallKey, KeyTable } from '../../engine/exec/key-index.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const randomKeyOf = (rnd: () => number) => (): unknown => {
  const r = rnd();
  if (r < 0.6) return Math.floor(rnd() * 3000) * 2 ** 15 + Math.floor(rnd() * 3000); // packed pairs
  if (r < 0.7) return Math.floor(rnd() * 50); // tiny integers: many collisions in the table
  if (r < 0.8) return 2 ** 30 + Math.floor(rnd() * 1000); // too large for the table
  if (r < 0.85) return -Math.floor(rnd() * 100);
  if (r < 0.9) return Math.floor(rnd() * 100) + 0.5;
  if (r < 0.97) return `k${Math.floor(rnd() * 500)}`;
  return null;
};

describe('KeyTable', () => {
  it('finds every key added, and no other, like a Map', () => {
    const randomKey = randomKeyOf(prng(5));
    const table = new KeyTable<number>();
    const reference = new Map<unknown, number>();
    for (let n = 0; n < 50_000; n++) {
      const key = randomKey();
      const expected = reference.get(key);
      expect(table.get(key)).toBe(expected);
      if (expected === undefined) {
        table.add(key, reference.size);
        reference.set(key, reference.size);
      }
    }
    expect(reference.size).toBeGreaterThan(10_000);
    for (const [key, i] of reference) expect(table.get(key)).toBe(i);
    expect(table.get(-0)).toBe(reference.get(0)); // -0 and 0 are one key, as in a Map
  });

  it('slotOf finds a small key or the free slot for it; putAt there keeps every key findable', () => {
    const randomKey = randomKeyOf(prng(11));
    const table = new KeyTable<string>(100); // sized for 100: grows several times below
    const reference = new Map<number, string>();
    for (let n = 0; n < 40_000; n++) {
      const key = randomKey();
      if (!isSmallKey(key)) continue;
      const s = table.slotOf(key);
      if (reference.has(key)) {
        expect(s).toBeGreaterThanOrEqual(0);
        expect(table.valueAt(s)).toBe(reference.get(key));
      } else {
        expect(s).toBeLessThan(0);
        table.putAt(~s, key, `v${key}`);
        reference.set(key, `v${key}`);
      }
    }
    expect(reference.size).toBeGreaterThan(5_000);
    for (const [key, v] of reference) expect(table.get(key)).toBe(v);
    expect(() => table.add([...reference.keys()][0], 'again')).toThrow(/already present/);
  });
});
