// POWER as Flink computes it: Java's Math.pow, which on HotSpot (x86_64) is an intrinsic giving
// the correctly rounded result in practice, where V8's Math.pow (fdlibm's algorithm) is often one
// ulp off (POWER(7, 1.5): Java 18.520259177452136, V8 18.520259177452132). So the power is computed
// here in double-double arithmetic (about 100 significant bits: log, product, exp) and rounded once
// to a double. Special cases (zeros, infinities, NaN, a negative base) follow Java's rules, which
// are also JavaScript's; results out of the normal range (overflow, underflow, subnormals) are
// left to Math.pow. test/unit/java-pow.test.ts compares with Java 17's own Math.pow.

const SPLIT = 134217729; // 2^27 + 1: Dekker's split of a double into two 26-bit halves

// The result of each operation: a double-double hi + lo with |lo| <= ulp(hi) / 2.
let H = 0;
let L = 0;

function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  L = a - (s - bb) + (b - bb);
  H = s;
}

function quickTwoSum(a: number, b: number): void {
  const s = a + b;
  L = b - (s - a);
  H = s;
}

function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  L = ah * bh - p + ah * bl + al * bh + al * bl;
  H = p;
}

/** (ah, al) + (bh, bl). */
function add(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const sh = H;
  const sl = L;
  twoSum(al, bl);
  const th = H;
  const tl = L;
  quickTwoSum(sh, sl + th);
  quickTwoSum(H, L + tl);
}

/** (ah, al) × (bh, bl). */
function mul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  quickTwoSum(H, L + (ah * bl + al * bh));
}

/** (ah, al) / n for a small whole n. */
function divSmall(ah: number, al: number, n: number): void {
  const q1 = ah / n;
  twoProd(q1, n);
  const ph = H;
  const pl = L;
  twoSum(ah, -ph);
  const q2 = (H + (L - pl + al)) / n;
  quickTwoSum(q1, q2);
}

const LN2_HI = 0.6931471805599453;
const LN2_LO = 2.3190468138462996e-17;
const TWO52 = 4503599627370496;

/** exp(zh + zl) for |zh| < 709: r = z - k ln2, exp(r / 512) by its series, squared 9 times. */
function exp(zh: number, zl: number): void {
  const k = Math.round(zh / LN2_HI);
  twoProd(k, LN2_HI);
  const kh = H;
  const kl = L + k * LN2_LO;
  add(zh, zl, -kh, -kl);
  // s = r / 512, exact
  const sh = H / 512;
  const sl = L / 512;
  // e = expm1(s) = s + s^2/2! + ... + s^11/11!
  let th = sh;
  let tl = sl;
  let eh = sh;
  let el = sl;
  for (let n = 2; n <= 11; n++) {
    mul(th, tl, sh, sl);
    divSmall(H, L, n);
    th = H;
    tl = L;
    add(eh, el, th, tl);
    eh = H;
    el = L;
  }
  // (1 + e)^2 = 1 + (2e + e^2), kept as the part below 1 so that no bits are lost.
  for (let i = 0; i < 9; i++) {
    mul(eh, el, eh, el);
    add(2 * eh, 2 * el, H, L);
    eh = H;
    el = L;
  }
  add(1, 0, eh, el);
  const scale = 2 ** k; // |k| <= 1023 here: exact
  H *= scale;
  L *= scale;
}

/** log(x) for a positive normal x: k ln2 + log(m), log(m) from Math.log refined by one Newton step. */
function log(x: number): void {
  let k = Math.floor(Math.log2(x));
  let m = x / 2 ** k;
  // m in [sqrt(1/2), sqrt(2)); powers of two are exact so m is exact
  if (m >= Math.SQRT2) {
    m /= 2;
    k += 1;
  } else if (m < Math.SQRT1_2) {
    m *= 2;
    k -= 1;
  }
  const y0 = Math.log(m);
  // log(m) = y0 + log(m e^-y0), and m e^-y0 = 1 + d with d tiny: log(1 + d) = d - d^2/2.
  exp(-y0, 0);
  mul(H, L, m, 0);
  add(H, L, -1, 0);
  const dh = H;
  const dl = L;
  add(y0, 0, dh, dl);
  add(H, L, -(dh * dh) / 2, 0);
  const lh = H;
  const ll = L;
  twoProd(k, LN2_HI);
  add(H, L + k * LN2_LO, lh, ll);
}

/** Java's Math.pow(x, y), correctly rounded (to about 2^-100) where the result is a normal double. */
export function javaPow(x: number, y: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y) || x === 0 || y === 0 || x === 1) return Math.pow(x, y);
  if (y === 1) return x;
  if (y === 2) return x * x; // HotSpot's intrinsic takes x * x for y == 2 as well
  let sign = 1;
  if (x < 0) {
    if (!Number.isInteger(y)) return NaN;
    // An odd whole power keeps the sign (every whole y beyond 2^53 is even).
    if (Math.abs(y) < TWO52 && y % 2 !== 0) sign = -1;
    x = -x;
  }
  if (x < 2.2250738585072014e-308) return Math.pow(sign * x, y); // subnormal base
  log(x);
  const lh = H;
  const ll = L;
  twoProd(y, lh);
  quickTwoSum(H, L + y * ll);
  // Beyond these the result overflows, underflows or is subnormal: not in the double-double range.
  if (!(H < 709 && H > -708)) return Math.pow(sign * x, y);
  exp(H, L);
  return sign * (H + L);
}
