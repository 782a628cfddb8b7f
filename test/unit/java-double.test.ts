// Java 17's Double.toString / Float.toString ported (engine/java-double.ts), checked against
// Java's own output: test/unit/fixtures/java17-double-tostring.txt was written by Java 17 with
// fixtures/JavaDoubleToStringFixture.java (edge values and 30 000 seeded random doubles and floats).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { javaDoubleToString, javaFloatToString } from '../../engine/java-double.js';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'java17-double-tostring.txt');

const f64 = new Float64Array(1);
const b64 = new BigUint64Array(f64.buffer);
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function doubleOfBits(hex: string): number {
  b64[0] = BigInt('0x' + hex);
  return f64[0]!;
}

function floatOfBits(hex: string): number {
  u32[0] = parseInt(hex, 16);
  return f32[0]!;
}

describe('Java 17 Double.toString and Float.toString', () => {
  const lines = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split(' ') as [string, string, string]);

  it('gives Java 17 output for every value of the fixture', () => {
    const doubles = lines.filter(([k]) => k === 'D');
    const floats = lines.filter(([k]) => k === 'F');
    expect(doubles.length).toBeGreaterThan(30_000);
    expect(floats.length).toBeGreaterThan(10_000);
    const wrong: string[] = [];
    for (const [kind, hex, want] of lines) {
      const got = kind === 'D' ? javaDoubleToString(doubleOfBits(hex)) : javaFloatToString(floatOfBits(hex));
      if (got !== want) wrong.push(`${kind} ${hex}: Java ${want}, ours ${got}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('is not the shortest round-trip form where Java is not', () => {
    expect(javaDoubleToString(2 ** -44)).toBe('5.6843418860808015E-14');
    expect(String(2 ** -44)).toBe('5.684341886080802e-14');
    expect(javaDoubleToString(Number.MIN_VALUE)).toBe('4.9E-324');
    expect(javaDoubleToString(1e23)).toBe('9.999999999999999E22'); // JDK-4511638, fixed only in Java 19
    expect(javaDoubleToString(2e-3)).toBe('0.002');
    expect(javaDoubleToString(1e-3)).toBe('0.001');
    expect(javaDoubleToString(1e7)).toBe('1.0E7');
    expect(javaDoubleToString(9999999)).toBe('9999999.0');
    expect(javaDoubleToString(-0)).toBe('-0.0');
    expect(javaDoubleToString(NaN)).toBe('NaN');
    expect(javaDoubleToString(-Infinity)).toBe('-Infinity');
    expect(javaFloatToString(Math.fround(0.1))).toBe('0.1');
    expect(javaFloatToString(Math.fround(1.0e10))).toBe('1.0E10');
    expect(javaFloatToString(Math.fround(3.4028235e38))).toBe('3.4028235E38');
  });
});
