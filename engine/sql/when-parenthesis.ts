// node-sql-parser cannot read a searched CASE whose condition starts with a parenthesis
// (`CASE WHEN (a OR b) AND c THEN ...` is a syntax error there). In the text it parses, the space
// before that parenthesis becomes a unary plus (`WHEN +(a OR b) AND c`): same length, and a unary
// plus binds tightest and changes no value, so the condition's tree is the one written.

import { isKeyword, isOp, type Token } from './tokenize.js';

export function markWhenParenthesis(text: string, tokens: readonly Token[]): string {
  let out = text;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const paren = tokens[k + 1]!;
    if (!isKeyword(tokens[k], 'WHEN') || !isOp(paren, '(') || paren.start === tokens[k]!.end) continue;
    // `WHEN(` without a space stays as written (node-sql-parser reports it).
    out = out.slice(0, paren.start - 1) + '+' + out.slice(paren.start);
  }
  return out;
}
