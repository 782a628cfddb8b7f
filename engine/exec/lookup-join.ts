// A lookup join (Flink's LookupJoinRunner, batched): each input row asks the table for the rows
// whose key columns equal its keys. Lookups are asynchronous (a database round trip), while rows
// flow through operators synchronously: so the operator holds what reaches it (rows, watermarks,
// the end of input) in arrival order, and the runtime drains it after each source batch (drain()):
// one lookupMany() for the batch's distinct keys, then every held event passed on in order, the rows
// joined (or NULL-padded for a LEFT join). Nothing is held across a checkpoint (the runtime drains
// first), so the operator has no state to save.

import type { LookupReader } from '../../connectors/api.js';
import type { Row, RowKind } from '../types.js';
import type { Operator } from './operator.js';
import { rowIdentity, joinRows } from './two-input.js';

type Held =
  { readonly row: Row; readonly kind: RowKind } | { readonly watermark: number } | { readonly finish: true };

export class LookupJoinOperator implements Operator {
  private held: Held[] = [];

  constructor(
    private readonly reader: LookupReader,
    private readonly leftOuter: boolean,
    /** The lookup key of an input row (values of the key columns' types); null when a value is NULL. */
    private readonly keyOf: (row: Row) => unknown[] | null,
    /** A looked-up physical row → the table's row (computed columns filled). */
    private readonly tableRow: (physical: Row) => Row,
    private readonly condition: ((row: Row) => boolean) | null,
    private readonly widths: [number, number],
    private readonly next: Operator,
  ) {}

  /** Whether events wait for drain(). */
  get pending(): boolean {
    return this.held.length > 0;
  }

  process(row: Row, kind: RowKind): void {
    this.held.push({ row, kind });
  }

  onWatermark(wm: number): void {
    this.held.push({ watermark: wm });
  }

  finish(): void {
    this.held.push({ finish: true });
  }

  /** Looks up the keys of the held rows and passes every held event on, in order. */
  async drain(): Promise<void> {
    while (this.held.length > 0) {
      const events = this.held;
      this.held = [];
      const keys: unknown[][] = [];
      const slot = new Map<string, number>();
      const keyIndex = events.map((e) => {
        if (!('row' in e)) return -1;
        const k = this.keyOf(e.row);
        if (k === null) return -1;
        const id = rowIdentity(k);
        let i = slot.get(id);
        if (i === undefined) {
          i = keys.length;
          keys.push(k);
          slot.set(id, i);
        }
        return i;
      });
      const found = keys.length > 0 ? await this.reader.lookupMany(keys) : [];
      events.forEach((e, n) => {
        if ('watermark' in e) this.next.onWatermark(e.watermark);
        else if ('finish' in e) this.next.finish();
        else this.emit(e.row, e.kind, keyIndex[n]! < 0 ? [] : found[keyIndex[n]!]!);
      });
    }
  }

  private emit(row: Row, kind: RowKind, matches: readonly Row[]): void {
    let met = false;
    for (const m of matches) {
      const joined = this.joined(row, this.tableRow(m));
      if (this.condition !== null && !this.condition(joined)) continue;
      this.next.process(joined, kind);
      met = true;
    }
    if (!met && this.leftOuter)
      this.next.process(this.joined(row, new Array(this.widths[1]).fill(null)), kind);
  }

  private joined(left: Row, right: Row): Row {
    return joinRows(left, right, this.widths);
  }

  snapshot(): unknown {
    return null;
  }

  restore(_state: unknown): void {}
}
