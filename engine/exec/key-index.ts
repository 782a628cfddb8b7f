// Group keys → dense indexes (0, 1, 2, ... in order of first appearance), for GroupTable. Whole
// numbers in [0, 2^30) (one small integer key, or two packed by pairKey: the usual sender,
// receiver) go into an open-addressing table of Int32Arrays; any other key into a Map. A new key
// costs a store into two typed arrays instead of a Map entry, and a window of mostly new keys
// (each record of the laundering job opens a group) no longer spends its time growing Maps.

const EMPTY = -1;
const SMALL_LIMIT = 2 ** 30;

export class KeyIndex {
  /** slot → key (EMPTY when free), and slot → index. Capacity is a power of two, at most half full. */
  private slotKeys: Int32Array;
  private slotIndexes: Int32Array;
  private mask: number;
  private smallCount = 0;
  private other: Map<unknown, number> | null = null;

  /** `expected`: how many small keys to make room for at once (it grows past that as needed). */
  constructor(expected = 0) {
    let initialCapacity = 16;
    while (initialCapacity < expected * 2) initialCapacity *= 2;
    this.slotKeys = new Int32Array(initialCapacity).fill(EMPTY);
    this.slotIndexes = new Int32Array(initialCapacity);
    this.mask = initialCapacity - 1;
  }

  /** The index of `key`, or -1. */
  find(key: unknown): number {
    if (typeof key === 'number' && key >= 0 && key < SMALL_LIMIT && (key | 0) === key) {
      const keys = this.slotKeys;
      for (let s = hash(key) & this.mask; ; s = (s + 1) & this.mask) {
        const k = keys[s]!;
        if (k === key) return this.slotIndexes[s]!;
        if (k === EMPTY) return -1;
      }
    }
    return this.other?.get(key) ?? -1;
  }

  /** Records `key` (not present yet) under `index`. */
  add(key: unknown, index: number): void {
    if (typeof key === 'number' && key >= 0 && key < SMALL_LIMIT && (key | 0) === key) {
      if ((this.smallCount + 1) * 2 > this.slotKeys.length) this.grow();
      this.place(key, index);
      this.smallCount++;
      return;
    }
    (this.other ??= new Map()).set(key, index);
  }

  private place(key: number, index: number): void {
    const keys = this.slotKeys;
    let s = hash(key) & this.mask;
    while (keys[s] !== EMPTY) s = (s + 1) & this.mask;
    keys[s] = key;
    this.slotIndexes[s] = index;
  }

  private grow(): void {
    const oldKeys = this.slotKeys;
    const oldIndexes = this.slotIndexes;
    const capacity = oldKeys.length * 2;
    this.slotKeys = new Int32Array(capacity).fill(EMPTY);
    this.slotIndexes = new Int32Array(capacity);
    this.mask = capacity - 1;
    for (let s = 0; s < oldKeys.length; s++)
      if (oldKeys[s] !== EMPTY) this.place(oldKeys[s]!, oldIndexes[s]!);
  }
}

/** Spreads packed keys (a * 2^15 + b) over the table: Fibonacci hashing, high bits down. */
function hash(key: number): number {
  const h = Math.imul(key, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}
