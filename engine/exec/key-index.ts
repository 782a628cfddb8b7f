// Group keys → their values (a window's groups), for GroupTable. Whole numbers in [0, 2^30) (one
// small integer key, or two packed into one: the usual sender, receiver) go into an open-addressing
// table that keeps each key next to its value in one array, so a lookup that hits reads one slot
// (one cache line) and then the value itself; any other key goes into a Map. A new key costs a
// store into that array instead of a Map entry, and a window of mostly new keys (each record of a
// high-cardinality job opens a group) does not spend its time growing Maps.
//
// For the hot path (GroupTable.get) the probe is split in two: slotOf() finds the key's slot or
// the free slot where it belongs, and putAt() fills that slot, so a new key is probed once.

const SMALL_LIMIT = 2 ** 30;

/** Whether `key` goes into the slot table (else the Map). */
export function isSmallKey(key: unknown): key is number {
  return typeof key === 'number' && key >= 0 && key < SMALL_LIMIT && (key | 0) === key;
}

export class KeyTable<V> {
  /**
   * Slot s holds its key at 2s (a small integer; undefined or a hole when free) and its
   * value at 2s + 1. Capacity (slots) is a power of two, at most half full.
   */
  private slots: unknown[];
  private mask: number;
  private smallCount = 0;
  private other: Map<unknown, V> | null = null;

  /** `expected`: how many small keys to make room for at once (it grows past that as needed). */
  constructor(expected = 0) {
    let capacity = 16;
    while (capacity < expected * 2) capacity *= 2;
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
  }

  /**
   * A small key's slot: s ≥ 0 when the key is at slot s (its value is valueAt(s)), or ~s (< 0)
   * for the free slot s where it belongs (fill it with putAt before any other insertion).
   */
  slotOf(key: number): number {
    const slots = this.slots;
    const mask = this.mask;
    for (let s = hash(key) & mask; ; s = (s + 1) & mask) {
      const k = slots[2 * s];
      if (k === key) return s;
      if (k === undefined) return ~s;
    }
  }

  valueAt(slot: number): V {
    return this.slots[2 * slot + 1] as V;
  }

  /** Stores a new small key at the free slot slotOf() returned (as ~slot) for it. */
  putAt(freeSlot: number, key: number, value: V): void {
    this.slots[2 * freeSlot] = key;
    this.slots[2 * freeSlot + 1] = value;
    if (++this.smallCount * 2 > this.mask + 1) this.grow();
  }

  /** Empties the table, keeping its capacity (a fired window's table serves the next window). */
  clear(): void {
    this.slots.fill(undefined);
    this.smallCount = 0;
    this.other = null;
  }

  /** The value under `key`, or undefined. */
  get(key: unknown): V | undefined {
    if (isSmallKey(key)) {
      const s = this.slotOf(key);
      return s >= 0 ? this.valueAt(s) : undefined;
    }
    return this.other?.get(key);
  }

  /** Records `key` (not present yet) with `value`. */
  add(key: unknown, value: V): void {
    if (isSmallKey(key)) {
      const s = this.slotOf(key);
      if (s >= 0) throw new Error(`KeyTable.add: key ${key} is already present`);
      this.putAt(~s, key, value);
      return;
    }
    (this.other ??= new Map()).set(key, value);
  }

  private grow(): void {
    const old = this.slots;
    const capacity = (this.mask + 1) * 2;
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i += 2) {
      const key = old[i] as number | undefined;
      if (key === undefined) continue;
      const s = ~this.slotOf(key);
      this.slots[2 * s] = key;
      this.slots[2 * s + 1] = old[i + 1];
    }
  }
}

function emptySlots(capacity: number): unknown[] {
  // Holes mark free slots: the array comes from V8 already filled with them (a fill() of a table
  // of a million slots cost as much as all the window's lookups), and pushing instead would copy
  // the growing array many times over.
  return new Array<unknown>(2 * capacity);
}

/** Spreads packed keys (a * 2^15 + b) over the table: Fibonacci hashing, high bits down. */
function hash(key: number): number {
  const h = Math.imul(key, 0x9e3779b1);
  return (h ^ (h >>> 15)) >>> 0;
}
