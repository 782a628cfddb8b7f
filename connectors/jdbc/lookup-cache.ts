// The PARTIAL lookup cache of Flink ('lookup.cache' = 'PARTIAL'): the rows found for a key are kept
// and answer the next lookups of that key, until the entry expires ('lookup.partial-cache.
// expire-after-write': so long after it was fetched; '.expire-after-access': so long after it was
// last used) or is evicted, least recently used first, when more than 'lookup.partial-cache.max-rows'
// keys are held (Flink's cache counts entries, one per key, however many rows a key has). A key
// with no rows is kept as such when 'lookup.partial-cache.cache-missing-key' is true (the default).
//
// A Map in access order is the LRU list: a hit moves its entry to the end, eviction takes the first.

import type { Row } from '../../engine/types.js';
import type { LookupOptions } from './options.js';

interface Entry {
  readonly rows: readonly Row[];
  readonly writtenAt: number;
  accessedAt: number;
}

export class LookupCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly o: LookupOptions,
    /** Milliseconds; Date.now by default. */
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** The cached rows of `key`, or undefined when it is not cached (or its entry expired). */
  get(key: string): readonly Row[] | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const now = this.now();
    if (this.expired(e, now)) {
      this.entries.delete(key);
      return undefined;
    }
    e.accessedAt = now;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.rows;
  }

  /** Keeps what the database answered for `key` (nothing for no rows unless missing keys are cached). */
  put(key: string, rows: readonly Row[]): void {
    if (rows.length === 0 && !this.o.cacheMissingKey) {
      this.entries.delete(key);
      return;
    }
    const now = this.now();
    this.entries.delete(key);
    this.entries.set(key, { rows, writtenAt: now, accessedAt: now });
    const max = this.o.maxRows;
    if (max !== undefined && this.entries.size > max) this.evict(max);
  }

  private expired(e: Entry, now: number): boolean {
    const w = this.o.expireAfterWriteMs;
    const a = this.o.expireAfterAccessMs;
    return (w !== undefined && now - e.writtenAt >= w) || (a !== undefined && now - e.accessedAt >= a);
  }

  /** Drops the least recently used entries down to `max` (expired ones go when next asked for). */
  private evict(max: number): void {
    for (const k of this.entries.keys()) {
      if (this.entries.size <= max) return;
      this.entries.delete(k);
    }
  }
}
