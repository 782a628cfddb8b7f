// Top-N (ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) with WHERE rn <= N): per partition the
// rows in ORDER BY order, equal keys in arrival order, and a changelog of the rows numbered
// start..end as they change, as Flink's AppendOnlyTopNFunction / RetractableTopNFunction emit it:
// - with the row number in the output, a row that enters pushes the rows after it down one
//   number each: -U/+U for every number whose row changed, +I for a number newly filled, -D for
//   one left empty (a retracted row);
// - without it, only the rows that leave (-D) and enter (+I) the top N.
// Over an insert-only input, rows that fall below the top N can never come back, so only the top
// N (and rows tied with the last) are kept; over an updating input every row is kept, since a
// retraction brings the next one back up.
// With a state TTL (SET 'table.exec.state.ttl') a partition's rows expire when the partition was
// not written for the TTL (processing time), as the state of Flink's rank functions does (their
// StateTtlConfig, OnCreateAndWrite, NeverReturnExpired): a row that enters or leaves the kept rows
// writes; a row kept out of a full top N does not. Expiry emits nothing; the partition's next row
// starts afresh (+I at number 1), and a sweep frees expired partitions at most twice per TTL.

import {
  DELETE,
  INSERT,
  UPDATE_AFTER,
  UPDATE_BEFORE,
  isAccumulate,
  type Row,
  type RowKind,
} from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';
import { SnapshotRows, type Operator } from './operator.js';
import type { CompiledSortKey } from './sort-key.js';
import type { StateTtl } from './state-ttl.js';

/** The rows of one sort key, in arrival order. */
interface Entry {
  readonly key: unknown[];
  readonly rows: Row[];
}

export class TopNOperator implements Operator {
  /** Partition → its entries in sort order. */
  private readonly partitions = new Map<unknown, Entry[]>();
  /** Partition → when its rows were last written (with a TTL only). */
  private readonly writtenAt: Map<unknown, number> | null;

  constructor(
    private readonly partitionOf: (row: Row) => unknown,
    private readonly sortKey: CompiledSortKey,
    /** The row numbers emitted, 1-based, inclusive. */
    private readonly start: number,
    private readonly end: number,
    private readonly outputRankNumber: boolean,
    /** Whether the input holds -U/-D rows: then every row is kept, for the ones a retraction brings back. */
    private readonly retracting: boolean,
    private readonly next: Operator,
    private readonly ttl: StateTtl | null = null,
  ) {
    this.writtenAt = ttl ? new Map() : null;
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Rows held over all partitions (counted on each call: for tests). */
  get heldRows(): number {
    let n = 0;
    for (const entries of this.partitions.values()) n += count(entries);
    return n;
  }

  process(row: Row, kind: RowKind): void {
    const part = this.partitionOf(row);
    let entries = this.partitions.get(part);
    let now = 0;
    if (this.ttl !== null) {
      now = this.ttl.now();
      if (entries !== undefined && this.ttl.expired(this.writtenAt!.get(part)!, now)) {
        this.partitions.delete(part);
        this.writtenAt!.delete(part);
        entries = undefined;
      }
      if (this.ttl.sweepDue(now)) this.sweep(now);
    }
    if (!entries) {
      if (!isAccumulate(kind)) return; // taking back a row never seen (as Flink, which only warns)
      entries = [];
      this.partitions.set(part, entries);
    }
    const key = this.sortKey.keyOf(row);
    // A full top N keeps out a row that does not sort before its last (Flink's checkSortKeyInBufferRange).
    if (
      !this.retracting &&
      entries.length > 0 &&
      this.sortKey.compare(key, entries[entries.length - 1]!.key) >= 0 &&
      count(entries) >= this.end
    )
      return;
    const before = this.top(entries);
    const at = this.find(entries, key);
    if (isAccumulate(kind)) {
      if (at.found) entries[at.index]!.rows.push(row);
      else entries.splice(at.index, 0, { key, rows: [row] });
    } else {
      if (!at.found) return;
      const rows = entries[at.index]!.rows;
      const i = rows.findIndex((r) => sameRow(r, row));
      if (i < 0) return;
      rows.splice(i, 1);
      if (rows.length === 0) entries.splice(at.index, 1);
    }
    this.writtenAt?.set(part, now);
    this.emitChanges(before, this.top(entries));
    if (!this.retracting) this.trim(entries);
    if (entries.length === 0) {
      this.partitions.delete(part);
      this.writtenAt?.delete(part);
    }
  }

  /** Frees the partitions whose TTL passed. */
  private sweep(now: number): void {
    for (const [part, at] of this.writtenAt!) {
      if (!this.ttl!.expired(at, now)) continue;
      this.writtenAt!.delete(part);
      this.partitions.delete(part);
    }
  }

  /** The rows numbered 1..end now. */
  private top(entries: readonly Entry[]): Row[] {
    const out: Row[] = [];
    for (const e of entries) {
      for (const r of e.rows) {
        if (out.length >= this.end) return out;
        out.push(r);
      }
    }
    return out;
  }

  private emitChanges(before: readonly Row[], after: readonly Row[]): void {
    if (this.outputRankNumber) {
      for (let n = this.start; n <= this.end; n++) {
        const o = before[n - 1];
        const r = after[n - 1];
        if (o === r) continue;
        if (o && r) {
          this.next.process(this.withNumber(o, n), UPDATE_BEFORE);
          this.next.process(this.withNumber(r, n), UPDATE_AFTER);
        } else if (o) this.next.process(this.withNumber(o, n), DELETE);
        else if (r) this.next.process(this.withNumber(r, n), INSERT);
      }
      return;
    }
    const kept = (rows: readonly Row[]): Set<Row> => new Set(rows.slice(this.start - 1));
    const was = kept(before);
    const is = kept(after);
    for (const r of was) if (!is.has(r)) this.next.process(r, DELETE);
    for (const r of is) if (!was.has(r)) this.next.process(r, INSERT);
  }

  private withNumber(row: Row, n: number): Row {
    const out = row.slice();
    out.push(n);
    return out;
  }

  /** Drops the entries after the one holding row number `end`: they can never rise again. */
  private trim(entries: Entry[]): void {
    let n = 0;
    for (let i = 0; i < entries.length; i++) {
      n += entries[i]!.rows.length;
      if (n >= this.end) {
        entries.length = i + 1;
        return;
      }
    }
  }

  /** Binary search: the entry with `key`, or where it would go. */
  private find(entries: readonly Entry[], key: readonly unknown[]): { index: number; found: boolean } {
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = this.sortKey.compare(entries[mid]!.key, key);
      if (c === 0) return { index: mid, found: true };
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return { index: lo, found: false };
  }

  onWatermark(wm: number): void {
    this.next.onWatermark(wm);
  }

  finish(): void {
    this.next.finish();
  }

  snapshot(): unknown {
    return new SnapshotRows([...this.partitions], ([part, entries]) => [
      encodeValue(part),
      entries.map((e) => e.rows.map((r) => r.map(encodeValue))),
    ]);
  }

  restore(state: unknown): void {
    for (const item of (state as unknown[]) ?? []) {
      const [encoded, entries] = item as [unknown, unknown[][][]];
      const part = decodeValue(encoded);
      // Restored state counts as written now: its time to live starts again.
      this.writtenAt?.set(part, this.ttl!.now());
      this.partitions.set(
        part,
        entries.map((rows) => {
          const decoded = rows.map((r) => r.map(decodeValue));
          return { key: this.sortKey.keyOf(decoded[0]!), rows: decoded };
        }),
      );
    }
  }
}

function count(entries: readonly Entry[]): number {
  let n = 0;
  for (const e of entries) n += e.rows.length;
  return n;
}

/** Two rows with the same values (a retraction names its row by its values). */
export function sameRow(a: Row, b: Row): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (
      x !== y &&
      !(x == null && y == null) &&
      !(typeof x === 'number' && typeof y === 'number' && Number.isNaN(x) && Number.isNaN(y))
    )
      return false;
  }
  return true;
}
