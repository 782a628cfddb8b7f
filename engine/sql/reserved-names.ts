// Reserved words of Flink SQL (Calcite) where a new name is defined: a CTE (`WITH running AS
// (...)`), a view or a table. node-sql-parser takes some of them there (RUNNING, which Calcite
// reserves for MATCH_RECOGNIZE's RUNNING/FINAL semantics, among them) while Flink refuses the
// statement ("Encountered "running" at line 4, column 6"); a name used later is caught where the
// parser fails (parse.ts), but a definition must be caught here, before the parser takes it.

import { SqlError } from '../errors.js';
import { isKeyword, isOp, tokenText, type LineIndex, type Token } from './tokenize.js';

/**
 * Reserved words of Flink SQL (Calcite) that people like to use as table or column names and that
 * node-sql-parser refuses there too. Written in backticks they are fine on both engines.
 */
export const RESERVED_NAMES = new Set(
  (
    'OUT RUNNING USER VALUE RESULT TIMESTAMP TIME DATE YEAR MONTH DAY HOUR MINUTE SECOND WINDOW COUNT SUM MIN MAX ' +
    'AVG POSITION RANK ROW ROWS RANGE CURRENT END START LANGUAGE MEMBER METHOD MODULE ORDER PARTITION PERCENT ' +
    'PERIOD REF RETURN RETURNS ROLLUP SCOPE SYSTEM UNKNOWN UPDATE VALUES FUNCTION INTERVAL LOCAL MATCH MEASURES ' +
    'NEW OLD OVER PATTERN PER SHOW SKIP SOME SUBSTRING TRIM TRANSLATE CHECK COLUMN CONDITION CUBE CYCLE DEFAULT ' +
    'DELETE DESCRIBE ELEMENT EVERY EXEC EXTERNAL FILTER GLOBAL GRANT HOLD IDENTITY LATERAL NATURAL NONE OFFSET ' +
    'ONLY PARAMETER PRECISION PREPARE PRIMARY PROCEDURE READS REFERENCES RELEASE ROLLBACK SIMILAR SPECIFIC STATIC ' +
    'SYMMETRIC TRIGGER UNIQUE UPPER WITHIN WITHOUT'
  ).split(' '),
);

export function reservedWordError(text: string, lines: LineIndex, t: Token, cte = false): SqlError {
  const word = tokenText(text, t);
  return new SqlError(
    lines.pos(t.start),
    `'${word}' is a reserved word in Flink SQL`,
    cte
      ? // Flink takes `running` in backticks here; the parser under fintrans-sql takes no back-quoted CTE name yet.
        `rename the CTE (e.g. ${word.toLowerCase()}_rows): a name in backticks is not supported for a CTE here yet`
      : `to use it as a name, write it in backticks: \`${word}\``,
  );
}

/**
 * Throws for an unquoted reserved word that names a CTE (`WITH x AS (` or `, x AS (` in a WITH
 * list), a view or a table (`CREATE [TEMPORARY] VIEW|TABLE [IF NOT EXISTS] x`).
 */
export function checkDefinedNames(text: string, lines: LineIndex, tokens: readonly Token[]): void {
  const reserved = (t: Token | undefined): t is Token =>
    t !== undefined && t.kind === 'ident' && RESERVED_NAMES.has(t.value.toUpperCase());
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (isKeyword(t, 'CREATE')) {
      let j = k + 1;
      if (isKeyword(tokens[j], 'TEMPORARY')) j++;
      if (!isKeyword(tokens[j], 'VIEW') && !isKeyword(tokens[j], 'TABLE')) continue;
      j++;
      if (isKeyword(tokens[j], 'IF') && isKeyword(tokens[j + 1], 'NOT') && isKeyword(tokens[j + 2], 'EXISTS'))
        j += 3;
      if (reserved(tokens[j])) throw reservedWordError(text, lines, tokens[j]!);
    } else if (isKeyword(t, 'WITH') || isOp(t, ',')) {
      // A CTE: the name, then AS ( or a column list.
      const name = tokens[k + 1];
      if (!reserved(name)) continue;
      const next = tokens[k + 2];
      if ((isKeyword(next, 'AS') && isOp(tokens[k + 3], '(')) || (isKeyword(t, 'WITH') && isOp(next, '(')))
        throw reservedWordError(text, lines, name, true);
    }
  }
}
