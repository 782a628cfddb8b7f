// Which worker owns a key: a hash of the key's values (as Flink's hash exchange assigns key groups).
// Only needs to agree between the workers of one run; the same value has one representation in a
// row (engine/types.ts: a BIGINT is a number while safe, a timestamp its ms), so equal keys hash alike.

import type { Row } from '../../types.js';

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x01000193);
  return h ^ (h >>> 15);
}

function hashValue(h: number, v: unknown): number {
  switch (typeof v) {
    case 'number':
      if ((v | 0) === v) return mix(h, v);
      F64[0] = v;
      return mix(mix(h, U32[0]!), U32[1]!);
    case 'string':
      h = mix(h, 0x5bd1e995);
      for (let i = 0; i < v.length; i++) h = Math.imul(h ^ v.charCodeAt(i), 0x01000193);
      return h;
    case 'boolean':
      return mix(h, v ? 0x2f : 0x1f);
    case 'bigint':
      return hashValue(mix(h, 0x3b), v.toString());
    default:
      // NULL (and anything without a value identity) goes to one place.
      return mix(h, 0x7f4a7c15);
  }
}

/** The worker (0..n-1) that owns the key the functions compute from a row. */
export function keyOwner(keyFns: readonly ((row: Row) => unknown)[], n: number): (row: Row) => number {
  if (keyFns.length === 1) {
    const f = keyFns[0]!;
    return (row) => (hashValue(0x811c9dc5, f(row)) >>> 0) % n;
  }
  return (row) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < keyFns.length; i++) h = hashValue(h, keyFns[i]!(row));
    return (h >>> 0) % n;
  };
}
