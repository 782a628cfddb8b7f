// Rows on their way to another thread (a worker's sink rows, when the sink cannot encode them),
// packed by column so a message is a few buffers rather than an object per row: every column of
// numbers (and every string column's end offsets) is a block of ONE Float64Array, transferred, not
// copied; a column of strings is one string; anything else (NULLs, bigints, booleans, mixed) a
// plain array. One buffer per message rather than one per column: each transferred ArrayBuffer
// costs a backing-store hand-over of its own (kernel time). The caller may ask for extra blocks of
// n numbers in the same buffer.

import type { Row } from '../../types.js';

export type PackedColumn =
  /** The column's numbers are num[at .. at + n). */
  | { readonly t: 'f'; readonly at: number }
  /** Row i's string is text[end(i - 1) .. end(i)), the ends being num[at .. at + n). */
  | { readonly t: 's'; readonly text: string; readonly at: number }
  | { readonly t: 'a'; readonly data: unknown[] };

export interface PackedRows {
  readonly n: number;
  readonly columns: readonly PackedColumn[];
  /** Every numeric block: the columns' and then the caller's extra blocks. */
  readonly num: Float64Array;
  /** Where the caller's first extra block starts in `num` (each is n long). */
  readonly extra: number;
}

/**
 * Packs `rows` (each `width` wide), with `extraBlocks` blocks of n numbers for the caller after
 * the columns' (see PackedRows.extra); the one buffer to transfer is pushed onto `transfer`.
 */
export function packRows(
  rows: readonly Row[],
  width: number,
  transfer: ArrayBuffer[],
  extraBlocks = 0,
): PackedRows {
  const n = rows.length;
  // What each column is: 'f' all numbers, 's' all strings, 'a' anything else (or no rows).
  const kinds = new Array<'f' | 's' | 'a'>(width);
  let blocks = extraBlocks;
  for (let c = 0; c < width; c++) {
    let numbers = n > 0;
    let strings = n > 0;
    for (let i = 0; i < n && (numbers || strings); i++) {
      const t = typeof rows[i]![c];
      if (t !== 'number') numbers = false;
      if (t !== 'string') strings = false;
    }
    kinds[c] = numbers ? 'f' : strings ? 's' : 'a';
    if (numbers || strings) blocks++;
  }
  const num = new Float64Array(blocks * n);
  if (num.byteLength > 0) transfer.push(num.buffer);
  const columns: PackedColumn[] = [];
  let at = 0;
  for (let c = 0; c < width; c++) {
    const kind = kinds[c]!;
    if (kind === 'f') {
      for (let i = 0; i < n; i++) num[at + i] = rows[i]![c] as number;
      columns.push({ t: 'f', at });
      at += n;
    } else if (kind === 's') {
      const parts = new Array<string>(n);
      let end = 0;
      for (let i = 0; i < n; i++) {
        const s = rows[i]![c] as string;
        parts[i] = s;
        end += s.length;
        num[at + i] = end;
      }
      columns.push({ t: 's', text: parts.join(''), at });
      at += n;
    } else {
      const data = new Array<unknown>(n);
      for (let i = 0; i < n; i++) data[i] = rows[i]![c];
      columns.push({ t: 'a', data });
    }
  }
  return { n, columns, num, extra: at };
}

/** Row `i` of packed rows, a new array. */
export function unpackRow(p: PackedRows, i: number): Row {
  const cols = p.columns;
  const num = p.num;
  const row: Row = new Array(cols.length);
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c]!;
    if (col.t === 'f') row[c] = num[col.at + i];
    else if (col.t === 's') row[c] = col.text.slice(i === 0 ? 0 : num[col.at + i - 1]!, num[col.at + i]!);
    else row[c] = col.data[i];
  }
  return row;
}
