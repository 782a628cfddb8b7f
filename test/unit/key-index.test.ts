// KeyIndex (the key → position index of GroupTable) against a Map, over keys of every kind it
// sees: packed small integers (its own table, through several growths), other numbers, strings, null.

import { describe, expect, it } from 'vitest';
import { KeyIndex } from '../../engine/exec/key-index.js';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('KeyIndex', () => {
  it('finds every key added, and no other, like a Map', () => {
    const rnd = prng(5);
    const index = new KeyIndex();
    const reference = new Map<unknown, number>();
    const randomKey = (): unknown => {
      const r = rnd();
      if (r < 0.6) return Math.floor(rnd() * 3000) * 2 ** 15 + Math.floor(rnd() * 3000); // packed pairs
      if (r < 0.7) return Math.floor(rnd() * 50); // tiny integers: many collisions in the table
      if (r < 0.8) return 2 ** 30 + Math.floor(rnd() * 1000); // too large for the table
      if (r < 0.85) return -Math.floor(rnd() * 100);
      if (r < 0.9) return Math.floor(rnd() * 100) + 0.5;
      if (r < 0.97) return `k${Math.floor(rnd() * 500)}`;
      return null;
    };
    for (let n = 0; n < 50_000; n++) {
      const key = randomKey();
      const expected = reference.get(key) ?? -1;
      expect(index.find(key)).toBe(expected);
      if (expected === -1) {
        index.add(key, reference.size);
        reference.set(key, reference.size);
      }
    }
    expect(reference.size).toBeGreaterThan(10_000);
    for (const [key, i] of reference) expect(index.find(key)).toBe(i);
    expect(index.find(-0)).toBe(reference.get(0) ?? -1); // -0 and 0 are one key, as in a Map
  });
});
