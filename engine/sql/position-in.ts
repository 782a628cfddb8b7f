// `POSITION(needle IN s)`, which node-sql-parser reads only when the needle is a literal, handed
// to it as `POSITION(needle ,  s)`: the keyword IN becomes a comma of the same length, so offsets
// after it do not move, and the binder sees an ordinary two-argument call.

import { isKeyword, isOp, type Token } from './tokenize.js';

/** `text` (the parser text of the file tokens came from) with the IN of every POSITION(... IN ...) made a comma. */
export function markPositionIn(text: string, tokens: readonly Token[]): string {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (let k = 0; k + 1 < tokens.length; k++) {
    if (!isKeyword(tokens[k], 'POSITION') || !isOp(tokens[k + 1], '(')) continue;
    const inAt = topLevelIn(tokens, k + 2);
    if (inAt === undefined) continue; // node-sql-parser reports the syntax error
    const word = tokens[inAt]!;
    pieces.push(text.slice(copiedUpTo, word.start), ','.padEnd(word.end - word.start, ' '));
    copiedUpTo = word.end;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join('');
}

/** The index of the IN directly inside the parenthesis opened before token `from`. */
function topLevelIn(tokens: readonly Token[], from: number): number | undefined {
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')') && --depth < 0) return undefined;
    else if (isOp(t, ';')) return undefined;
    else if (depth === 0 && isKeyword(t, 'IN')) return k;
  }
  return undefined;
}
