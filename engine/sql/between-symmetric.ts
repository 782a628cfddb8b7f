// `x BETWEEN SYMMETRIC a AND b`, which node-sql-parser cannot read, handed to it as
// `x BETWEEN        __sym(a) AND b` (same length: offsets after it do not move, and the low bound
// keeps its own unless several spaces stand before AND). The binder reads the marker call
// SYMMETRIC_MARK back. `BETWEEN ASYMMETRIC` (the default) loses its keyword.

import type { SqlExpr } from './nodes.js';
import { isKeyword, isOp, type Token } from './tokenize.js';

/** The function name that marks the low bound of a BETWEEN SYMMETRIC. */
export const SYMMETRIC_MARK = '__sym';

/** `text` (the parser text of the file tokens came from) with every BETWEEN [A]SYMMETRIC rewritten. */
export function markSymmetricBetween(text: string, tokens: readonly Token[]): string {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (let k = 0; k + 1 < tokens.length; k++) {
    if (!isKeyword(tokens[k], 'BETWEEN')) continue;
    const word = tokens[k + 1]!;
    if (isKeyword(word, 'ASYMMETRIC')) {
      pieces.push(text.slice(copiedUpTo, word.start), ' '.repeat(word.end - word.start));
      copiedUpTo = word.end;
      continue;
    }
    if (!isKeyword(word, 'SYMMETRIC')) continue;
    const and = andOfBetween(tokens, k + 2);
    if (and === undefined || and === k + 2) continue; // node-sql-parser reports the syntax error
    const low = text.slice(tokens[k + 2]!.start, tokens[and - 1]!.end);
    const span = tokens[and]!.start - word.start;
    pieces.push(text.slice(copiedUpTo, word.start), `${SYMMETRIC_MARK}(${low})`.padStart(span, ' '));
    copiedUpTo = tokens[and]!.start;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join('');
}

/** The index of the AND that ends the low bound starting at token `from` (outside parentheses). */
function andOfBetween(tokens: readonly Token[], from: number): number | undefined {
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (isOp(t, ';') || depth < 0) return undefined;
    else if (depth === 0 && isKeyword(t, 'AND')) return k;
  }
  return undefined;
}

/** The low bound node of a BETWEEN SYMMETRIC written by markSymmetricBetween, else undefined. */
export function symmetricLowBound(node: SqlExpr): SqlExpr | undefined {
  if (node.type !== 'function' || node.name !== SYMMETRIC_MARK || node.args.length !== 1) return undefined;
  return node.args[0];
}
