// Compares two CSV outputs as the same header plus the same multiset of rows (row order differs
// between the engine and the floor: the engine fires keys in its own order).

import { readFileSync } from 'node:fs';

export interface CsvComparison {
  readonly identical: boolean;
  readonly rows: number;
  /** What differs, when not identical. */
  readonly difference?: string;
}

export function compareCsvRows(expectedPath: string, actualPath: string): CsvComparison {
  const [expHeader, exp] = headerAndSortedRows(expectedPath);
  const [actHeader, act] = headerAndSortedRows(actualPath);
  if (expHeader !== actHeader) {
    return {
      identical: false,
      rows: act.length,
      difference: `header '${actHeader}' instead of '${expHeader}'`,
    };
  }
  if (exp.length !== act.length) {
    const missing = exp.find((r) => !act.includes(r));
    const extra = act.find((r) => !exp.includes(r));
    return {
      identical: false,
      rows: act.length,
      difference:
        `${act.length} rows instead of ${exp.length}` +
        (missing ? `; missing e.g. ${missing}` : '') +
        (extra ? `; unexpected e.g. ${extra}` : ''),
    };
  }
  for (let i = 0; i < exp.length; i++) {
    if (exp[i] !== act[i]) {
      return {
        identical: false,
        rows: act.length,
        difference: `sorted row ${i + 1}: '${act[i]}' instead of '${exp[i]}'`,
      };
    }
  }
  return { identical: true, rows: act.length };
}

function headerAndSortedRows(path: string): [string, string[]] {
  const lines = readFileSync(path, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = lines.shift() ?? '';
  return [header, lines.sort()];
}

/** Data rows of a CSV file with a header. */
export function countCsvRows(path: string): number {
  const text = readFileSync(path, 'utf8');
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  if (text.length > 0 && !text.endsWith('\n')) n++;
  return Math.max(0, n - 1);
}
