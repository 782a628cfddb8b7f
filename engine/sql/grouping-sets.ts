// `GROUP BY ... GROUPING SETS ((a, b), (a), ())`, which node-sql-parser cannot read, handed to it
// as a call it reads: `__GSETS_     ((a, b), (a),  0)`. GROUPING becomes the same-length name
// GROUPING_SETS_MARK, SETS spaces, and an empty set `()` the number 0 (its `(` a space), so every
// offset stays where it was; the planner (engine/plan/grouping-sets.ts) reads the call back.

import { isKeyword, isOp, type Token } from './tokenize.js';

/** The name GROUPING SETS reaches the planner as: as long as GROUPING. */
export const GROUPING_SETS_MARK = '__GSETS_';

export function markGroupingSets(text: string, tokens: readonly Token[]): string {
  let out = text;
  const put = (at: number, s: string): void => {
    out = out.slice(0, at) + s + out.slice(at + s.length);
  };
  for (let k = 0; k + 2 < tokens.length; k++) {
    if (!isKeyword(tokens[k], 'GROUPING') || !isKeyword(tokens[k + 1], 'SETS') || !isOp(tokens[k + 2], '('))
      continue;
    put(tokens[k]!.start, GROUPING_SETS_MARK);
    put(tokens[k + 1]!.start, ' '.repeat(tokens[k + 1]!.end - tokens[k + 1]!.start));
    let depth = 0;
    for (let j = k + 2; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (isOp(t, '(')) {
        depth++;
        if (isOp(tokens[j + 1], ')')) {
          put(t.start, ' ');
          put(tokens[j + 1]!.start, '0');
          j++;
          depth--;
        }
      } else if (isOp(t, ')') && --depth === 0) break;
      else if (isOp(t, ';')) break;
    }
  }
  return out;
}
