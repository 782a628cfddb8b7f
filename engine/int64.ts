// Java's integral arithmetic on row values (the BIGINT layout is fixed in engine/types.ts).
//
// A BIGINT is a JS number while it is a safe integer (|v| <= 2^53 - 1) and a JS bigint only
// beyond: one representation per value, so ===, Map keys and Set membership need no care. The
// helpers add, subtract and multiply numbers directly and check the result's range (for safe
// operands a result within the safe range is exact); only a result that leaves it is computed
// again as a bigint and wrapped to 64 bits like Java's long. INT, SMALLINT and TINYINT wrap like
// Java's int, short and byte.

/** A BIGINT row value: a safe-integer number, or a bigint outside the safe range. */
export type Long = number | bigint;

export const LONG_MIN = -(2n ** 63n);
export const LONG_MAX = 2n ** 63n - 1n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE = -Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);
const MIN_SAFE_BIG = -MAX_SAFE_BIG;

/** A 64-bit value in the row layout: wrapped to 64 bits like Java's long, a number when safe. */
export function longOf(b: bigint): Long {
  const w = BigInt.asIntN(64, b);
  return w >= MIN_SAFE_BIG && w <= MAX_SAFE_BIG ? Number(w) : w;
}

/** A whole number (any size, e.g. a double's integral part) as a long value, wrapping past 64 bits. */
export function longOfInteger(n: number): Long {
  return n >= MIN_SAFE && n <= MAX_SAFE ? n + 0 : longOf(BigInt(n));
}

export function longAdd(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (r <= MAX_SAFE && r >= MIN_SAFE) return r;
  }
  return longOf(BigInt(a) + BigInt(b));
}

export function longSub(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a - b;
    if (r <= MAX_SAFE && r >= MIN_SAFE) return r;
  }
  return longOf(BigInt(a) - BigInt(b));
}

export function longMul(a: Long, b: Long): Long {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a * b;
    // + 0: Java has no negative zero (-5 * 0 is 0).
    if (r <= MAX_SAFE && r >= MIN_SAFE) return r + 0;
  }
  return longOf(BigInt(a) * BigInt(b));
}

/** Java's long `/` (truncates toward zero; MIN / -1 wraps to MIN). By zero: null (see functions.intDiv). */
export function longDiv(a: Long, b: Long): Long | null {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : Math.trunc(a / b) + 0;
  const d = BigInt(b);
  return d === 0n ? null : longOf(BigInt(a) / d);
}

/** Java's long `%` (the sign follows the dividend). By zero: null. */
export function longMod(a: Long, b: Long): Long | null {
  if (typeof a === 'number' && typeof b === 'number') return b === 0 ? null : (a % b) + 0;
  const d = BigInt(b);
  return d === 0n ? null : longOf(BigInt(a) % d);
}

export function longNeg(a: Long): Long {
  return typeof a === 'number' ? 0 - a : longOf(-a);
}

/** Math.abs for a long: ABS(Long.MIN_VALUE) stays MIN_VALUE, as in Java. */
export function longAbs(a: Long): Long {
  return typeof a === 'number' ? Math.abs(a) : longOf(a < 0n ? -a : a);
}

/** A long as a double (CAST(x AS DOUBLE), mixed arithmetic): exact below 2^53, else the nearest. */
export function longToDouble(a: Long): number {
  return typeof a === 'number' ? a : Number(a);
}

/** Java's (long) cast of a double: truncates, saturates at the long range, NaN is 0. */
export function doubleToLong(x: number): Long {
  if (Number.isNaN(x)) return 0;
  const t = Math.trunc(x);
  if (t >= MIN_SAFE && t <= MAX_SAFE) return t + 0;
  if (t >= 9223372036854775807) return LONG_MAX;
  if (t <= -9223372036854775808) return LONG_MIN;
  return BigInt(t);
}

/** Java's (int) cast of a double: truncates, saturates at the int range, NaN is 0. */
export function doubleToInt(x: number): number {
  if (Number.isNaN(x)) return 0;
  if (x >= 2147483647) return 2147483647;
  if (x <= -2147483648) return -2147483648;
  return Math.trunc(x) + 0;
}

/** Java's narrowing of a long to int (the low 32 bits), and of an int to short / byte. */
export function longToInt(a: Long): number {
  return typeof a === 'number' ? a | 0 : Number(BigInt.asIntN(32, a));
}

export function intToShort(a: number): number {
  return (a << 16) >> 16;
}

export function intToByte(a: number): number {
  return (a << 24) >> 24;
}

/**
 * Whole-number text (optional sign, digits) as a long: a number when safe, a bigint within
 * Long's range, null when it is no whole number or does not fit 64 bits.
 */
export function parseLong(text: string): Long | null {
  if (!/^[+-]?\d+$/.test(text)) return null;
  const n = Number(text);
  if (n >= MIN_SAFE && n <= MAX_SAFE) return n + 0;
  const b = BigInt(text);
  if (b < LONG_MIN || b > LONG_MAX) return null;
  return b >= MIN_SAFE_BIG && b <= MAX_SAFE_BIG ? Number(b) : b;
}
