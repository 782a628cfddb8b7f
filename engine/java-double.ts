// Java 17's Double.toString and Float.toString, digit for digit: Flink writes a DOUBLE or FLOAT as
// text (CAST to STRING, ||, CSV and JSON output) with them, and they are not always the shortest
// round-trip digits JavaScript prints: Java 17's jdk.internal.math.FloatingDecimal
// (BinaryToASCIIBuffer.dtoa) stops on a symmetric half-ulp test, so it sometimes prints one digit
// more (2^-44 is 5.6843418860808015E-14, 1e23 is 9.999999999999999E22, 5e-324 is 4.9E-324), and it
// checks its stopping rule in Java int and long arithmetic, overflow included. The code below
// follows dtoa step by step: the exact-integer shortcut (developLongDigits), then the int, long and
// big-integer digit loops, each with its own comparisons and wrap-around. About 3 % of random
// doubles print differently from JavaScript; test/unit/java-double.test.ts checks 45 000 values
// against Java 17's own output.

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const F32 = new Float32Array(1);
const U32F = new Uint32Array(F32.buffer);
// Little-endian words of the double (all platforms Node runs on).
const LO = 0;
const HI = 1;

const EXP_SHIFT = 52;
const MAX_SMALL_BIN_EXP = 62;
const MIN_SMALL_BIN_EXP = -21;
const TWO32 = 4294967296;

/** approximately ceil(log2(5^i)), as FloatingDecimal's N_5_BITS. */
const N_5_BITS = [
  0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56, 59, 61,
];
/** insignificantDigits(1L << i), as FloatingDecimal's insignificantDigitsNumber. */
const INSIGNIFICANT_DIGITS_NUMBER = [
  0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9, 9, 10,
  10, 10, 11, 11, 11, 12, 12, 12, 12, 13, 13, 13, 14, 14, 14, 15, 15, 15, 15, 16, 16, 16, 17, 17, 17, 18, 18,
  18, 19,
];
/** FDBigInteger.LONG_5_POW has 5^0 .. 5^26. */
const LONG_5_POW_LENGTH = 27;

const POW5_BIG: bigint[] = [1n];
function pow5(n: number): bigint {
  while (POW5_BIG.length <= n) POW5_BIG.push(POW5_BIG[POW5_BIG.length - 1]! * 5n);
  return POW5_BIG[n]!;
}

/** Trailing zero bits of a positive integer below 2^53 held in a number. */
function trailingZeros(x: number): number {
  const lo = x % TWO32;
  if (lo !== 0) return 31 - Math.clz32(lo & -lo);
  const hi = Math.floor(x / TWO32);
  return 32 + 31 - Math.clz32(hi & -hi);
}

const asLong = (x: bigint): bigint => BigInt.asIntN(64, x);

/** The digits and decimal exponent dtoa leaves in its buffer (value = 0.d1d2... × 10^decExponent). */
class Digits {
  digits: number[] = [];
  decExponent = 0;

  roundup(): void {
    const d = this.digits;
    let i = d.length - 1;
    let q = d[i]!;
    if (q === 9) {
      while (q === 9 && i > 0) {
        d[i] = 0;
        q = d[--i]!;
      }
      if (q === 9) {
        // Carry out: a leading 1, the other digits (kept) 0, one more in the exponent.
        this.decExponent += 1;
        d[0] = 1;
        return;
      }
    }
    d[i] = q + 1;
  }

  /** developLongDigits: all significant bits are in lvalue (an integer, exact). */
  developLongDigits(decExponent: number, lvalue: bigint, insignificantDigits: number): void {
    if (insignificantDigits !== 0) {
      const pow10 = 10n ** BigInt(insignificantDigits);
      const residue = lvalue % pow10;
      lvalue /= pow10;
      decExponent += insignificantDigits;
      if (residue >= pow10 >> 1n) lvalue++;
    }
    const text = lvalue.toString();
    let end = text.length;
    while (text.charCodeAt(end - 1) === 48) end--;
    decExponent += text.length - end;
    const d: number[] = [];
    for (let k = 0; k < end; k++) d.push(text.charCodeAt(k) - 48);
    this.digits = d;
    // Java counts one per digit after the first: the value is 0.digits × 10^(decExponent + length).
    this.decExponent = decExponent + end;
  }

  /** FloatingDecimal.BinaryToASCIIBuffer.dtoa (isCompatibleFormat = true). fractBits < 2^53, HOB at bit 52. */
  dtoa(binExp: number, fractBits: number, nSignificantBits: number): void {
    const tailZeros = trailingZeros(fractBits);
    const nFractBits = EXP_SHIFT + 1 - tailZeros;
    const nTinyBits = Math.max(0, nFractBits - binExp - 1);
    if (binExp <= MAX_SMALL_BIN_EXP && binExp >= MIN_SMALL_BIN_EXP) {
      if (nTinyBits < LONG_5_POW_LENGTH && nFractBits + N_5_BITS[nTinyBits]! < 64 && nTinyBits === 0) {
        const insignificant =
          binExp > nSignificantBits ? insignificantDigitsForPow2(binExp - nSignificantBits - 1) : 0;
        const lvalue =
          binExp >= EXP_SHIFT
            ? BigInt(fractBits) << BigInt(binExp - EXP_SHIFT)
            : BigInt(Math.floor(fractBits / 2 ** (EXP_SHIFT - binExp)));
        this.developLongDigits(0, lvalue, insignificant);
        return;
      }
    }
    let decExp = estimateDecExp(fractBits, binExp);
    const B5 = Math.max(0, -decExp);
    let B2 = B5 + nTinyBits + binExp;
    const S5 = Math.max(0, decExp);
    let S2 = S5 + nTinyBits;
    const M5 = B5;
    let M2 = B2 - nSignificantBits;

    const fract = fractBits / 2 ** tailZeros; // exact: the low bits are zeros
    B2 -= nFractBits - 1;
    const common2factor = Math.min(B2, S2);
    B2 -= common2factor;
    S2 -= common2factor;
    M2 -= common2factor;
    // Java's hack for exact powers of two (the next smaller number is half as far away).
    if (nFractBits === 1) M2 -= 1;
    if (M2 < 0) {
      B2 -= M2;
      S2 -= M2;
      M2 = 0;
    }
    const Bbits = nFractBits + B2 + (B5 < N_5_BITS.length ? N_5_BITS[B5]! : B5 * 3);
    const tenSbits = S2 + 1 + (S5 + 1 < N_5_BITS.length ? N_5_BITS[S5 + 1]! : (S5 + 1) * 3);

    const digits: number[] = [];
    let low: boolean;
    let high: boolean;
    let lowDigitDifference: number; // only its sign is used
    let q: number;
    // E-form prints at least two digits, so the first never stops the loop there.
    const forceSecond = (e: number) => e < -3 || e >= 8;
    if (Bbits < 64 && tenSbits < 64) {
      if (Bbits < 32 && tenSbits < 32) {
        // Java int arithmetic: everything wraps at 32 bits.
        let b = Math.imul(fract, 5 ** B5) << B2;
        const s = (5 ** S5) << S2;
        let m = (5 ** M5) << M2;
        const tens = Math.imul(s, 10);
        q = (b / s) | 0;
        b = Math.imul(10, b % s);
        m = Math.imul(m, 10);
        low = b < m;
        high = ((b + m) | 0) > tens;
        if (q === 0 && !high) decExp--;
        else digits.push(q);
        if (forceSecond(decExp)) high = low = false;
        while (!low && !high) {
          q = (b / s) | 0;
          b = Math.imul(10, b % s);
          m = Math.imul(m, 10);
          if (m > 0) {
            low = b < m;
            high = ((b + m) | 0) > tens;
          } else {
            // m overflowed: Java takes it as certainly above b and b + m above 10s.
            low = true;
            high = true;
          }
          digits.push(q);
        }
        lowDigitDifference = ((b << 1) - tens) | 0;
      } else {
        // Java long arithmetic: wraps at 64 bits.
        let b = asLong((BigInt(fract) * pow5(B5)) << BigInt(B2));
        const s = asLong(pow5(S5) << BigInt(S2));
        let m = asLong(pow5(M5) << BigInt(M2));
        const tens = asLong(s * 10n);
        q = Number(b / s);
        b = asLong(10n * (b % s));
        m = asLong(m * 10n);
        low = b < m;
        high = asLong(b + m) > tens;
        if (q === 0 && !high) decExp--;
        else digits.push(q);
        if (forceSecond(decExp)) high = low = false;
        while (!low && !high) {
          q = Number(b / s);
          b = asLong(10n * (b % s));
          m = asLong(m * 10n);
          if (m > 0n) {
            low = b < m;
            high = asLong(b + m) > tens;
          } else {
            low = true;
            high = true;
          }
          digits.push(q);
        }
        const diff = asLong((b << 1n) - tens);
        lowDigitDifference = diff > 0n ? 1 : diff < 0n ? -1 : 0;
      }
    } else {
      // FDBigInteger arithmetic: exact. Its 'high' test is B + M >= 10S (the others use >).
      let b = (BigInt(fract) * pow5(B5)) << BigInt(B2);
      const s = pow5(S5) << BigInt(S2);
      let m = (pow5(M5) << BigInt(M2)) * 10n;
      const tens = s * 10n;
      q = Number(b / s);
      b = (b % s) * 10n;
      low = b < m;
      high = b + m >= tens;
      if (q === 0 && !high) decExp--;
      else digits.push(q);
      if (forceSecond(decExp)) high = low = false;
      while (!low && !high) {
        q = Number(b / s);
        b = (b % s) * 10n;
        m *= 10n;
        low = b < m;
        high = b + m >= tens;
        digits.push(q);
      }
      if (high && low) {
        const diff = (b << 1n) - tens;
        lowDigitDifference = diff > 0n ? 1 : diff < 0n ? -1 : 0;
      } else {
        lowDigitDifference = 0;
      }
    }
    this.digits = digits;
    this.decExponent = decExp + 1;
    // The last digit is rounded by the stopping condition.
    if (high) {
      if (low) {
        if (lowDigitDifference === 0) {
          // A tie: round to an even last digit.
          if ((digits[digits.length - 1]! & 1) !== 0) this.roundup();
        } else if (lowDigitDifference > 0) {
          this.roundup();
        }
      } else {
        this.roundup();
      }
    }
  }

  /** BinaryToASCIIBuffer.getChars: plain between 10^-3 and 10^7, else E-form, always a '.'. */
  text(negative: boolean): string {
    const d = this.digits;
    const n = d.length;
    const e = this.decExponent;
    let out = negative ? '-' : '';
    if (e > 0 && e < 8) {
      const intLen = Math.min(n, e);
      for (let k = 0; k < intLen; k++) out += d[k];
      if (intLen < e) {
        out += '0'.repeat(e - intLen) + '.0';
      } else {
        out += '.';
        if (intLen < n) for (let k = intLen; k < n; k++) out += d[k];
        else out += '0';
      }
    } else if (e <= 0 && e > -3) {
      out += '0.' + '0'.repeat(-e);
      for (let k = 0; k < n; k++) out += d[k];
    } else {
      out += d[0] + '.';
      if (n > 1) for (let k = 1; k < n; k++) out += d[k];
      else out += '0';
      out += 'E' + (e - 1);
    }
    return out;
  }
}

function insignificantDigitsForPow2(p2: number): number {
  return p2 > 1 && p2 < INSIGNIFICANT_DIGITS_NUMBER.length ? INSIGNIFICANT_DIGITS_NUMBER[p2]! : 0;
}

/** FloatingDecimal.estimateDecExp: floor(log10(d)) estimated in double arithmetic, as Java does it. */
function estimateDecExp(fractBits: number, binExp: number): number {
  const d2 = fractBits / 2 ** EXP_SHIFT; // 1 <= d2 < 2: the mantissa with exponent 0
  const d = (d2 - 1.5) * 0.289529654 + 0.176091259 + binExp * 0.301029995663981;
  return Math.floor(d) | 0;
}

const buffer = new Digits();

/** Java 17's Double.toString(x). */
export function javaDoubleToString(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  F64[0] = x;
  const hi = U32[HI]!;
  const negative = hi >>> 31 === 1;
  let binExp = (hi >>> 20) & 0x7ff;
  let fractBits = (hi & 0xfffff) * TWO32 + U32[LO]!;
  let nSignificantBits: number;
  if (binExp === 0) {
    // Subnormal: normalise so the high-order bit is at bit 52.
    const high = Math.floor(fractBits / TWO32);
    const leadingZeros = high !== 0 ? Math.clz32(high) : 32 + Math.clz32(fractBits);
    const bits = 64 - leadingZeros;
    const shift = EXP_SHIFT + 1 - bits;
    fractBits *= 2 ** shift;
    binExp = 1 - shift;
    nSignificantBits = bits;
  } else {
    fractBits += 2 ** EXP_SHIFT;
    nSignificantBits = EXP_SHIFT + 1;
  }
  buffer.dtoa(binExp - 1023, fractBits, nSignificantBits);
  return buffer.text(negative);
}

/** Java 17's Float.toString(x) for a FLOAT value (held as the number Math.fround gives). */
export function javaFloatToString(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  F32[0] = x;
  const bits = U32F[0]!;
  const negative = bits >>> 31 === 1;
  let binExp = (bits >>> 23) & 0xff;
  let fractBits = bits & 0x7fffff;
  let nSignificantBits: number;
  if (binExp === 0) {
    const leadingZeros = Math.clz32(fractBits);
    const shift = leadingZeros - 8;
    fractBits <<= shift;
    binExp = 1 - shift;
    nSignificantBits = 32 - leadingZeros;
  } else {
    fractBits |= 1 << 23;
    nSignificantBits = 24;
  }
  // As Java: the float's bits moved to where a double's are.
  buffer.dtoa(binExp - 127, fractBits * 2 ** (EXP_SHIFT - 23), nSignificantBits);
  return buffer.text(negative);
}
