// The order in which a java.util.HashMap<Long, ...> hands out its keys. Flink keeps an OVER
// window's rows in a MapState keyed by their time; on the heap state backend that is a HashMap,
// and a RANGE window takes its expired rows back out in that map's order. For sums of DOUBLEs the
// order changes the last bits of the result, so to give Flink's numbers we take them out in the
// same order: by bucket (the key's hash spread and masked by the table's capacity), and within a
// bucket in the order the keys went in (HashMap appends to a bucket's chain, and a resize keeps
// the chain's order).

/** One map's capacity history and the insertion order of its keys. */
export class JavaLongHashOrder {
  /** The table's capacity: 16 from the first put, doubled when the size passes 3/4 of it; never shrinks. */
  capacity = 0;
  private readonly seqs = new Map<number, number>();
  private nextSeq = 0;
  /** The keys in ascending order (times mostly arrive in order: an append). */
  private readonly ascending: number[] = [];

  get size(): number {
    return this.seqs.size;
  }

  /** A key put into the map (a put of a key already in it changes nothing). */
  put(key: number): void {
    if (this.seqs.has(key)) return;
    if (this.capacity === 0) this.capacity = 16;
    this.seqs.set(key, this.nextSeq++);
    if (this.seqs.size > this.capacity * 0.75) this.capacity *= 2;
    const a = this.ascending;
    let i = a.length;
    while (i > 0 && a[i - 1]! > key) i--;
    a.splice(i, 0, key);
  }

  remove(key: number): void {
    if (!this.seqs.delete(key)) return;
    const i = this.ascending.indexOf(key);
    if (i >= 0) this.ascending.splice(i, 1);
  }

  /** The keys below `bound`, in the order the HashMap iterates them (the relative order of these among all its keys). */
  keysBelow(bound: number): number[] {
    const a = this.ascending;
    let n = 0;
    while (n < a.length && a[n]! < bound) n++;
    const keys = a.slice(0, n);
    return keys.length < 2 ? keys : this.order(keys);
  }

  /** `keys` (all in the map) in the order the HashMap iterates them. */
  order(keys: number[]): number[] {
    const mask = this.capacity - 1;
    return keys
      .map((k) => ({ k, bucket: spreadHash(k) & mask, seq: this.seqs.get(k) ?? 0 }))
      .sort((a, b) => a.bucket - b.bucket || a.seq - b.seq)
      .map((e) => e.k);
  }

  toJSON(): unknown {
    return { capacity: this.capacity, keys: [...this.seqs.keys()] };
  }

  static fromJSON(j: unknown): JavaLongHashOrder {
    const o = new JavaLongHashOrder();
    const { capacity, keys } = j as { capacity: number; keys: number[] };
    for (const k of keys) o.seqs.set(k, o.nextSeq++);
    o.ascending.push(...[...keys].sort((a, b) => a - b));
    o.capacity = capacity;
    return o;
  }
}

const TWO_32 = 4294967296;

/** HashMap.hash(Long.valueOf(v)): Long.hashCode is (int) (v ^ (v >>> 32)), spread by h ^ (h >>> 16). */
export function spreadHash(v: number): number {
  let h: number;
  if (Number.isSafeInteger(v) && v >= 0) {
    const hi = Math.floor(v / TWO_32);
    const lo = v - hi * TWO_32;
    h = (lo ^ hi) | 0;
  } else {
    const b = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    h = Number(BigInt.asIntN(32, (b ^ (b >> 32n)) & 0xffffffffn));
  }
  return (h ^ (h >>> 16)) | 0;
}
