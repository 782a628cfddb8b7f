// Small same-length rewrites of the text node-sql-parser reads, for Flink SQL it cannot read
// (the bigger ones: string-literals.ts, between-symmetric.ts). Same length, so every offset it
// reports still points at the right character of the file.

import { isKeyword, isOp, type Token } from './tokenize.js';

/** All of the rewrites below, in turn. */
export function rewriteForParser(text: string, tokens: readonly Token[]): string {
  return markBareLocalTime(
    markBareLocalTimestamp(dropSelectAll(markWhenParenthesis(text, tokens), tokens), tokens),
    tokens,
  );
}

/**
 * node-sql-parser cannot read LOCALTIMESTAMP written alone, as Flink SQL writes it (it reads only
 * LOCALTIMESTAMP(...)). It becomes the same-length call `__LOCALTS(   )`, which the binder knows
 * (engine/plan/builtins.ts LOCALTIMESTAMP_MARK); `LOCALTIMESTAMP(` stays as written and is refused there.
 */
function markBareLocalTimestamp(text: string, tokens: readonly Token[]): string {
  let out = text;
  for (let k = 0; k < tokens.length; k++) {
    const word = tokens[k]!;
    if (!isKeyword(word, 'LOCALTIMESTAMP') || isOp(tokens[k + 1], '(') || isOp(tokens[k - 1], '.')) continue;
    out = out.slice(0, word.start) + LOCALTIMESTAMP_MARKED + out.slice(word.end);
  }
  return out;
}

/** Bare LOCALTIME, as bare LOCALTIMESTAMP: the same-length call `__LTIME()`. */
function markBareLocalTime(text: string, tokens: readonly Token[]): string {
  let out = text;
  for (let k = 0; k < tokens.length; k++) {
    const word = tokens[k]!;
    if (!isKeyword(word, 'LOCALTIME') || isOp(tokens[k + 1], '(') || isOp(tokens[k - 1], '.')) continue;
    out = out.slice(0, word.start) + `${LOCALTIME_MARK}()` + out.slice(word.end);
  }
  return out;
}

/** The name a bare LOCALTIME reaches the binder as (as long as LOCALTIME with its parentheses). */
export const LOCALTIME_MARK = '__LTIME';

/** The name a bare LOCALTIMESTAMP reaches the binder as (engine/plan/builtins.ts binds it). */
export const LOCALTIMESTAMP_MARK = '__LOCALTS';
/** `__LOCALTS(   )`: as long as LOCALTIMESTAMP. */
const LOCALTIMESTAMP_MARKED = `${LOCALTIMESTAMP_MARK}(${' '.repeat('LOCALTIMESTAMP'.length - LOCALTIMESTAMP_MARK.length - 2)})`;

/**
 * node-sql-parser cannot read a searched CASE whose condition starts with a parenthesis
 * (`CASE WHEN (a OR b) AND c THEN ...` is a syntax error there). The space before that parenthesis
 * becomes a unary plus (`WHEN +(a OR b) AND c`): a unary plus binds tightest and changes no value,
 * so the condition's tree is the one written. `WHEN(` without a space stays as written.
 */
function markWhenParenthesis(text: string, tokens: readonly Token[]): string {
  let out = text;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const paren = tokens[k + 1]!;
    if (!isKeyword(tokens[k], 'WHEN') || !isOp(paren, '(') || paren.start === tokens[k]!.end) continue;
    out = out.slice(0, paren.start - 1) + '+' + out.slice(paren.start);
  }
  return out;
}

/** `SELECT ALL a, b` is `SELECT a, b` (ALL is the default); node-sql-parser cannot read it. */
function dropSelectAll(text: string, tokens: readonly Token[]): string {
  let out = text;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const all = tokens[k + 1]!;
    if (!isKeyword(tokens[k], 'SELECT') || !isKeyword(all, 'ALL')) continue;
    out = out.slice(0, all.start) + '   ' + out.slice(all.end);
  }
  return out;
}
