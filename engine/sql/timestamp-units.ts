// `TIMESTAMPADD(DAY, n, ts)` / `TIMESTAMPDIFF(MONTH, a, b)`, whose unit keyword node-sql-parser
// cannot read as an argument, handed to it as `__TSA_DAY(       n, ts)`: the name, the
// parenthesis, the unit and its comma become one function name of the same total length or
// shorter (padded with spaces), so offsets after it do not move. The binder reads the unit back
// from the name (timestampUnitCall).

import { isOp, type Token } from './tokenize.js';

/** The functions and their short marks (the mark must fit in the text it replaces). */
const MARKS: Record<string, string> = { TIMESTAMPADD: '__TSA', TIMESTAMPDIFF: '__TSD' };

/** `text` with every TIMESTAMPADD(unit, ... / TIMESTAMPDIFF(unit, ... rewritten (see above). */
export function markTimestampUnits(text: string, tokens: readonly Token[]): string {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (let k = 0; k + 3 < tokens.length; k++) {
    const name = tokens[k]!;
    const mark = name.kind === 'ident' ? MARKS[name.value.toUpperCase()] : undefined;
    if (mark === undefined) continue;
    const unit = tokens[k + 2]!;
    if (
      !isOp(tokens[k + 1], '(') ||
      unit.kind !== 'ident' ||
      !/^[A-Za-z_]+$/.test(unit.value) ||
      !isOp(tokens[k + 3], ',')
    )
      continue;
    const marked = `${mark}_${unit.value.toUpperCase()}(`;
    const span = tokens[k + 3]!.end - name.start;
    if (marked.length > span) continue; // cannot happen for real unit names; node-sql-parser reports the text
    pieces.push(text.slice(copiedUpTo, name.start), marked.padEnd(span, ' '));
    copiedUpTo = tokens[k + 3]!.end;
    k += 3;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join('');
}

/** For a function name written by markTimestampUnits: the function and its unit; else undefined. */
export function timestampUnitCall(
  name: string,
): { fn: 'TIMESTAMPADD' | 'TIMESTAMPDIFF'; unit: string } | undefined {
  const m = /^__TS([AD])_([A-Z_]+)$/.exec(name);
  return m ? { fn: m[1] === 'A' ? 'TIMESTAMPADD' : 'TIMESTAMPDIFF', unit: m[2]! } : undefined;
}
