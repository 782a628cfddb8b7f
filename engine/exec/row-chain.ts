// The rows of one SESSION window, in arrival order. Sessions grow by one row at a time and merge
// when a record bridges two of them; an array per session would copy every row on each merge (and
// `concat` per record made a long session quadratic). Linked segments make appending a row and
// joining two sessions' rows O(1): no row is ever copied.

import type { Row } from '../types.js';

interface Segment {
  readonly rows: Row[];
  next: Segment | null;
}

export class RowChain {
  private head: Segment;
  private tail: Segment;
  private count: number;

  private constructor(rows: Row[]) {
    this.head = { rows, next: null };
    this.tail = this.head;
    this.count = rows.length;
  }

  /** A chain holding `rows` (taken over, not copied). */
  static from(rows: Row[]): RowChain {
    return new RowChain(rows);
  }

  get length(): number {
    return this.count;
  }

  push(row: Row): void {
    this.tail.rows.push(row);
    this.count++;
  }

  /** Appends `other`'s rows after this chain's; `other` must not be used afterwards. */
  join(other: RowChain): void {
    this.tail.next = other.head;
    this.tail = other.tail;
    this.count += other.count;
  }

  first(): Row {
    return this.head.rows[0]!;
  }

  forEach(fn: (row: Row) => void): void {
    for (let s: Segment | null = this.head; s !== null; s = s.next) {
      const rows = s.rows;
      for (let i = 0; i < rows.length; i++) fn(rows[i]!);
    }
  }

  /** The rows as one array (for checkpoints). */
  toArray(): Row[] {
    const out = new Array<Row>(this.count);
    let i = 0;
    this.forEach((r) => (out[i++] = r));
    return out;
  }
}
