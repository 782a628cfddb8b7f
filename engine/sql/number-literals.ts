// Number literals exactly as written, in the text handed to node-sql-parser.
//
// node-sql-parser reads a number through a JS double: 1234567890123456.789 becomes
// 1234567890123456.750, and -9007199254740993 (its minus folded in) -9007199254740992. A double
// carries 15 significant digits exactly, so a literal with more stands in as the name `__n<offset>`
// (the file offset of its first digit, padded with spaces to the literal's length: offsets after
// it do not move), and the parsed tree gets a number node with the literal's text back
// (restoreNumbers). A minus before it stays an operator; the binder folds it as Calcite does.

import type { Token } from './tokenize.js';

const MARK = '__n';
const MARKED = /^__n(\d+)$/;
/** A number as the tokenizer reads one (digits, fraction, exponent), at a given offset. */
const NUMBER_AT = /\d*\.?\d*(?:[eE][+-]?\d+)?/y;

/** Significant digits of a number token's text (the exponent and leading zeros not counted). */
function significantDigits(text: string): number {
  const mantissa = text.split(/[eE]/)[0]!.replace('.', '').replace(/^0+/, '');
  return mantissa.length;
}

/** `text` (the parser text of the file `tokens` came from) with every long number literal marked. */
export function markLongNumbers(text: string, tokens: readonly Token[]): string {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (const t of tokens) {
    if (t.kind !== 'number' || significantDigits(t.value) <= 15) continue;
    const mark = `${MARK}${t.start}`;
    if (mark.length > t.end - t.start) continue; // cannot happen: 16+ digits hold any offset below 10^13
    pieces.push(text.slice(copiedUpTo, t.start), mark.padEnd(t.end - t.start, ' '));
    copiedUpTo = t.end;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join('');
}

/** A column node as node-sql-parser writes one (the marks stand where the numbers were). */
interface RawColumn {
  type?: unknown;
  table?: unknown;
  column?: unknown;
  parentheses?: unknown;
}

function markedOffset(node: RawColumn): number | undefined {
  if (node.type !== 'column_ref' || node.table) return undefined;
  const c = node.column;
  const name =
    typeof c === 'string' ? c : (c as { expr?: { value?: unknown } } | null | undefined)?.expr?.value;
  const m = typeof name === 'string' ? MARKED.exec(name) : null;
  return m ? Number(m[1]) : undefined;
}

/** Puts the literals marked by markLongNumbers back into a tree parsed from that text; `fileText` is the file as written. */
export function restoreNumbers(node: unknown, fileText: string): unknown {
  if (!node || typeof node !== 'object') return node;
  const at = markedOffset(node as RawColumn);
  if (at !== undefined) {
    NUMBER_AT.lastIndex = at;
    const text = NUMBER_AT.exec(fileText)![0];
    return { type: 'number', value: text, ...((node as RawColumn).parentheses ? { parentheses: true } : {}) };
  }
  const fields = node as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (v && typeof v === 'object' && key !== 'loc') fields[key] = restoreNumbers(v, fileText);
  }
  return node;
}
