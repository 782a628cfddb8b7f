// Rows on their way to another worker, packed by column so a message is a few buffers rather than
// an object per row: a column of numbers is a Float64Array (transferred, not copied), a column of
// strings one string and their end offsets, anything else (NULLs, bigints, booleans) a plain array.

import type { Row } from '../../types.js';

export type PackedColumn =
  | { readonly t: 'f'; readonly data: Float64Array }
  | { readonly t: 's'; readonly text: string; readonly ends: Int32Array }
  | { readonly t: 'a'; readonly data: unknown[] };

export interface PackedRows {
  readonly n: number;
  readonly columns: readonly PackedColumn[];
}

/** Packs `rows` (each `width` wide); the buffers to transfer are pushed onto `transfer`. */
export function packRows(rows: readonly Row[], width: number, transfer: ArrayBuffer[]): PackedRows {
  const n = rows.length;
  const columns: PackedColumn[] = [];
  for (let c = 0; c < width; c++) {
    let numbers = true;
    let strings = true;
    for (let i = 0; i < n && (numbers || strings); i++) {
      const t = typeof rows[i]![c];
      if (t !== 'number') numbers = false;
      if (t !== 'string') strings = false;
    }
    if (n > 0 && numbers) {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = rows[i]![c] as number;
      transfer.push(data.buffer);
      columns.push({ t: 'f', data });
    } else if (n > 0 && strings) {
      const ends = new Int32Array(n);
      const parts = new Array<string>(n);
      let at = 0;
      for (let i = 0; i < n; i++) {
        const s = rows[i]![c] as string;
        parts[i] = s;
        at += s.length;
        ends[i] = at;
      }
      transfer.push(ends.buffer);
      columns.push({ t: 's', text: parts.join(''), ends });
    } else {
      const data = new Array<unknown>(n);
      for (let i = 0; i < n; i++) data[i] = rows[i]![c];
      columns.push({ t: 'a', data });
    }
  }
  return { n, columns };
}

/** Row `i` of packed rows, a new array. */
export function unpackRow(p: PackedRows, i: number): Row {
  const cols = p.columns;
  const row: Row = new Array(cols.length);
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c]!;
    if (col.t === 'f') row[c] = col.data[i];
    else if (col.t === 's') row[c] = col.text.slice(i === 0 ? 0 : col.ends[i - 1]!, col.ends[i]!);
    else row[c] = col.data[i];
  }
  return row;
}
