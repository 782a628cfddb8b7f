// Java's long/int arithmetic on row values (engine/int64.ts): numbers while safe, bigints beyond,
// 64-bit wrap-around, and the one-representation rule that keeps ===, Map keys and Sets working.

import { describe, expect, it } from 'vitest';
import {
  doubleToInt,
  doubleToLong,
  longAbs,
  longAdd,
  longDiv,
  longMod,
  longMul,
  longNeg,
  longOf,
  longSub,
  longToInt,
  parseLong,
} from '../../engine/int64.js';

const MAX = 9223372036854775807n;
const MIN = -9223372036854775808n;
const SAFE = Number.MAX_SAFE_INTEGER;

describe('the long layout: a number while safe, a bigint beyond', () => {
  it('longOf wraps to 64 bits and gives a number for every safe value', () => {
    expect(longOf(5n)).toBe(5);
    expect(longOf(BigInt(SAFE))).toBe(SAFE);
    expect(longOf(BigInt(SAFE) + 1n)).toBe(9007199254740992n);
    expect(longOf(MAX + 1n)).toBe(MIN);
    expect(longOf(MIN - 1n)).toBe(MAX);
  });

  it('parseLong reads the whole long range and refuses beyond', () => {
    expect(parseLong('42')).toBe(42);
    expect(parseLong('+42')).toBe(42);
    expect(parseLong('-0')).toBe(0);
    expect(Object.is(parseLong('-0'), -0)).toBe(false);
    expect(parseLong('1234567890123456789')).toBe(1234567890123456789n);
    expect(parseLong('9223372036854775807')).toBe(MAX);
    expect(parseLong('-9223372036854775808')).toBe(MIN);
    expect(parseLong('9223372036854775808')).toBeNull();
    expect(parseLong('00000000000000000000007')).toBe(7);
    expect(parseLong('1.5')).toBeNull();
    expect(parseLong('')).toBeNull();
  });
});

describe('long arithmetic as Java computes it', () => {
  it('sums past 2^53 are exact (Flink: 9007199254740991 + 2 + 1 = 9007199254740994)', () => {
    expect(longAdd(longAdd(SAFE, 2), 1)).toBe(9007199254740994n);
    expect(longAdd(9007199254740994n, -9007199254740994n)).toBe(0);
    expect(longSub(-SAFE, 2)).toBe(-9007199254740993n);
  });

  it('products past 2^53 are exact and wrap at 64 bits', () => {
    // The exact product is far beyond 2^63: wrapped, it happens to be a safe number again.
    expect(longMul(SAFE, 3000000000001)).toBe(9004199254740991);
    expect(longMul(3037000500, 3037000500)).toBe(-9223372036709301616n);
    expect(longMul(123456789, 1000)).toBe(123456789000);
    expect(longMul(MAX, 2)).toBe(-2);
    expect(Object.is(longMul(-5, 0), 0)).toBe(true);
  });

  it('overflow wraps like Java long', () => {
    expect(longAdd(MAX, 1)).toBe(MIN);
    expect(longSub(MIN, 1)).toBe(MAX);
    expect(longNeg(MIN)).toBe(MIN);
    expect(longAbs(MIN)).toBe(MIN);
    expect(longDiv(MIN, -1)).toBe(MIN);
  });

  it('division truncates toward zero, the remainder follows the dividend, by zero is null', () => {
    expect(longDiv(7, 2)).toBe(3);
    expect(longDiv(-7, 2)).toBe(-3);
    expect(Object.is(longDiv(-1, 5), 0)).toBe(true);
    expect(longDiv(MAX, 7)).toBe(1317624576693539401n);
    expect(longMod(-7, 2)).toBe(-1);
    expect(longMod(MAX, 1000)).toBe(807);
    expect(longDiv(5, 0)).toBeNull();
    expect(longMod(MAX, 0)).toBeNull();
  });
});

describe("Java's primitive casts", () => {
  it('double to int / long saturates, NaN is 0', () => {
    expect(doubleToInt(1.5e10)).toBe(2147483647);
    expect(doubleToInt(-1.5e10)).toBe(-2147483648);
    expect(doubleToInt(NaN)).toBe(0);
    expect(Object.is(doubleToInt(-0.5), 0)).toBe(true);
    expect(doubleToLong(1e19)).toBe(MAX);
    expect(doubleToLong(-1e19)).toBe(MIN);
    expect(doubleToLong(1e17)).toBe(100000000000000000n);
    expect(doubleToLong(-2.9)).toBe(-2);
  });

  it('long to int keeps the low 32 bits', () => {
    expect(longToInt(3000000000)).toBe(-1294967296);
    expect(longToInt(MAX)).toBe(-1);
    expect(longToInt(-957)).toBe(-957);
  });
});
