// Cuts `FOR SYSTEM_TIME AS OF <table>.<column>` out of a query's text (node-sql-parser cannot parse
// it) and remembers which FROM item it followed: the planner turns that join into a temporal join.
// The clause is replaced by spaces (line breaks kept), so every other offset stays where it was.

import { SqlError, type SourcePos } from '../errors.js';
import { isKeyword, isName, isOp, type LineIndex, type Token } from './tokenize.js';

/** `JOIN rates FOR SYSTEM_TIME AS OF o.ts`: the table it follows and the time it names. */
export interface TemporalClause {
  /** The table (or view) name written before FOR. */
  readonly table: string;
  /** `o` of `o.ts`, or null for a bare column. */
  readonly qualifier: string | null;
  readonly column: string;
  readonly pos: SourcePos;
}

export function cutTemporalClauses(
  tokens: readonly Token[],
  from: number,
  to: number,
  lines: LineIndex,
  text: string,
): { text: string; clauses: TemporalClause[] } {
  const clauses: TemporalClause[] = [];
  let out = text;
  for (let i = from; i + 4 < to; i++) {
    if (!isKeyword(tokens[i], 'FOR') || !isKeyword(tokens[i + 1], 'SYSTEM_TIME')) continue;
    const forTok = tokens[i]!;
    if (!isKeyword(tokens[i + 2], 'AS') || !isKeyword(tokens[i + 3], 'OF')) {
      throw new SqlError(
        lines.pos(forTok.start),
        `expected FOR SYSTEM_TIME AS OF <time column>`,
        `write JOIN rates FOR SYSTEM_TIME AS OF o.ts ON ...`,
      );
    }
    const tableTok = tokens[i - 1];
    if (!isName(tableTok))
      throw new SqlError(
        lines.pos(forTok.start),
        `FOR SYSTEM_TIME AS OF must follow a table name`,
        `write JOIN rates FOR SYSTEM_TIME AS OF o.ts ON ...`,
      );
    let k = i + 4;
    const first = tokens[k];
    if (!isName(first))
      throw new SqlError(
        lines.pos(tokens[k]?.start ?? forTok.end),
        `FOR SYSTEM_TIME AS OF needs the time attribute of the other side`,
        `write FOR SYSTEM_TIME AS OF o.ts (a column, as in Flink)`,
      );
    let qualifier: string | null = null;
    let column = first.value;
    k++;
    if (isOp(tokens[k], '.') && isName(tokens[k + 1])) {
      qualifier = column;
      column = tokens[k + 1]!.value;
      k += 2;
    }
    const end = tokens[k - 1]!.end;
    clauses.push({ table: tableTok.value, qualifier, column, pos: lines.pos(first.start) });
    out = out.slice(0, forTok.start) + blank(out.slice(forTok.start, end)) + out.slice(end);
    i = k - 1;
  }
  return { text: out, clauses };
}

function blank(span: string): string {
  return span.replace(/[^\n]/g, ' ');
}
