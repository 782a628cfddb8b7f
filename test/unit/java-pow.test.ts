// POWER's Math.pow (engine/exec/java-pow.ts) against Java 17's own Math.pow on HotSpot:
// test/unit/fixtures/java17-math-pow.txt was written by fixtures/JavaPowFixture.java (edge pairs and
// 6000 seeded random ones; the same bits with -Xint and JIT-compiled).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { javaPow } from '../../engine/exec/java-pow.js';

const f64 = new Float64Array(1);
const b64 = new BigUint64Array(f64.buffer);

function ofBits(hex: string): number {
  b64[0] = BigInt('0x' + hex);
  return f64[0]!;
}

function bits(x: number): string {
  f64[0] = x;
  return b64[0]!.toString(16);
}

describe("Java's Math.pow", () => {
  it('gives the bits Java 17 gives for every pair of the fixture', () => {
    const lines = readFileSync(join(import.meta.dirname, 'fixtures', 'java17-math-pow.txt'), 'utf8')
      .split('\n')
      .filter((l) => l.length > 0);
    expect(lines.length).toBeGreaterThan(6000);
    const wrong: string[] = [];
    let v8Wrong = 0;
    for (const line of lines) {
      const [x, y, want] = line.split(' ') as [string, string, string];
      const got = javaPow(ofBits(x), ofBits(y));
      if (bits(got) !== want && !(Number.isNaN(got) && Number.isNaN(ofBits(want))))
        wrong.push(`pow(${ofBits(x)}, ${ofBits(y)}): Java ${ofBits(want)}, ours ${got}`);
      if (bits(Math.pow(ofBits(x), ofBits(y))) !== want) v8Wrong++;
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    // The reason for the module: V8's Math.pow differs from Java's on a good share of these.
    expect(v8Wrong).toBeGreaterThan(100);
  });

  it('gives POWER(7, 1.5) as Flink does', () => {
    expect(javaPow(7, 1.5)).toBe(18.520259177452136);
    expect(javaPow(-2, 3)).toBe(-8);
    expect(javaPow(-2, 0.5)).toBeNaN();
    expect(Object.is(javaPow(-0, 3), -0)).toBe(true);
  });
});
