// Turns a job file into the two files the conformance runner executes (one for Flink, one for
// fintrans-sql) over local files: every table's WITH (...) is replaced by a filesystem one, Kafka
// metadata columns become physical columns of the input file. Works on the exact token offsets of
// our own SQL tokenizer (engine/sql/tokenize.ts), so comments, quoting and layout are no problem
// and nothing is edited by hand.

import { isKeyword, isName, isOp, LineIndex, type Token, tokenize } from '../../engine/sql/tokenize.js';

export interface TableInfo {
  name: string;
  /** Original WITH options, keys as written. */
  options: Map<string, string>;
  /** Physical columns of the rewritten table, in record order. */
  physical: string[];
}

export interface Rewritten {
  tables: Map<string, TableInfo>;
  /** Lower-case sink names, in INSERT order. */
  sinks: string[];
  /** The Flink file: statements separated by `-- @@@` lines (see ConformanceMain.java). */
  flinkSql: string;
  /** The fintrans-sql file. */
  fintransSql: string;
}

export interface RewriteOptions {
  /** Absolute path of the input file for source table `name` (lower-case). */
  inputPath(name: string): string;
  /** Flink's output directory for sink `name`. */
  flinkOutDir(name: string): string;
  /** fintrans-sql's single output file (with a header) for sink `name`. */
  fintransOutFile(name: string): string;
  /** Flink's collected, materialised changelog for an updating sink, or undefined to INSERT. */
  flinkCollectFile(name: string): string | undefined;
  /** Whether fintrans-sql prints sink `name`'s changelog (+I/-U/+U/-D, identified by the sink's name) instead of writing a file. */
  fintransPrint(name: string): boolean;
}

const sq = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** Index of the token closing the parenthesis opened at tokens[open]. */
function closing(tokens: readonly Token[], open: number, to: number): number {
  let depth = 0;
  for (let k = open; k < to; k++) {
    if (isOp(tokens[k], '(')) depth++;
    else if (isOp(tokens[k], ')') && --depth === 0) return k;
  }
  throw new Error(`unbalanced parenthesis at offset ${tokens[open]!.start}`);
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

function applyEdits(text: string, from: number, to: number, edits: Edit[]): string {
  let out = '';
  let at = from;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at, to);
}

export function rewriteJob(text: string, file: string, opts: RewriteOptions): Rewritten {
  const tokens = tokenize(text, new LineIndex(text, file));
  const statements: [number, number][] = [];
  let from = 0;
  for (let k = 0; k <= tokens.length; k++) {
    if (k === tokens.length || isOp(tokens[k], ';')) {
      if (k > from) statements.push([from, k]);
      from = k + 1;
    }
  }

  // Pass 1: which tables are written to.
  const sinks: string[] = [];
  for (const [a, b] of statements) {
    if (!isKeyword(tokens[a], 'INSERT')) continue;
    let k = a + 1;
    while (k < b && !isKeyword(tokens[k], 'INTO')) k++;
    if (isName(tokens[k + 1])) sinks.push(tokens[k + 1]!.value.toLowerCase());
  }

  const tables = new Map<string, TableInfo>();
  const flinkParts: string[] = [];
  const fintransParts: string[] = [];
  for (const [a, b] of statements) {
    const start = tokens[a]!.start;
    const end = tokens[b - 1]!.end;
    const t0 = tokens[a]!;
    const isView =
      isKeyword(t0, 'CREATE') &&
      (isKeyword(tokens[a + 1], 'VIEW') ||
        (isKeyword(tokens[a + 1], 'TEMPORARY') && isKeyword(tokens[a + 2], 'VIEW')));
    if (isView) {
      // Views read the tables by name: the same text on both engines.
      flinkParts.push(text.slice(start, end));
      fintransParts.push(text.slice(start, end));
    } else if (isKeyword(t0, 'CREATE')) {
      let k = a + 1;
      if (isKeyword(tokens[k], 'TEMPORARY')) k++;
      k++; // TABLE
      if (isKeyword(tokens[k], 'IF')) k += 3;
      const name = tokens[k]!.value;
      const lname = name.toLowerCase();
      const open = k + 1;
      if (!isOp(tokens[open], '(')) throw new Error(`${file}: CREATE TABLE ${name}: no column list`);
      const close = closing(tokens, open, b);
      const isSink = sinks.includes(lname);
      const edits: Edit[] = [];
      const physical: string[] = [];
      // Column list: split at depth-1 commas.
      let segStart = open + 1;
      let depth = 0;
      for (let j = open + 1; j <= close; j++) {
        const t = tokens[j]!;
        if (isOp(t, '(')) depth++;
        else if (isOp(t, ')') && j !== close) depth--;
        if ((depth === 0 && isOp(t, ',')) || j === close) {
          const seg = tokens.slice(segStart, j);
          const first = seg[0]!;
          const metaAt = seg.findIndex((x) => isKeyword(x, 'METADATA'));
          const isElement =
            isKeyword(first, 'WATERMARK') || isKeyword(first, 'PRIMARY') || isKeyword(first, 'CONSTRAINT');
          if (!isElement && metaAt > 0) {
            const col = first.value;
            const type = text.slice(seg[1]!.start, seg[metaAt - 1]!.end).trim();
            const segEnd = seg[seg.length - 1]!.end;
            let replacement: string;
            if (/^TIMESTAMP_LTZ\s*\(\s*3\s*\)$/i.test(type)) {
              // A record timestamp: epoch milliseconds in the file, the typed column computed from it.
              replacement = `${col}__ms BIGINT, ${col} AS TO_TIMESTAMP_LTZ(${col}__ms, 3)`;
              physical.push(`${col}__ms`);
            } else if (/^TIMESTAMP/i.test(type)) {
              throw new Error(`${file}: metadata column ${col} ${type}: only TIMESTAMP_LTZ(3) is rewritten`);
            } else {
              replacement = `${col} ${type}`;
              physical.push(col);
            }
            edits.push({ start: first.start, end: segEnd, text: replacement });
          } else if (!isElement && !seg.some((x) => isKeyword(x, 'AS')) && first) {
            physical.push(first.value);
          }
          segStart = j + 1;
        }
      }
      // WITH ( ... )
      let w = close + 1;
      while (w < b && !(isKeyword(tokens[w], 'WITH') && isOp(tokens[w + 1], '('))) w++;
      if (w >= b) throw new Error(`${file}: CREATE TABLE ${name}: no WITH (...)`);
      const wOpen = w + 1;
      const wClose = closing(tokens, wOpen, b);
      const options = new Map<string, string>();
      for (let j = wOpen + 1; j + 2 < wClose + 1;) {
        const key = tokens[j]!;
        const val = tokens[j + 2]!;
        if (key.kind === 'string' && isOp(tokens[j + 1], '=') && val.kind === 'string')
          options.set(key.value, val.value);
        j += 4;
      }
      tables.set(lname, { name, options, physical });
      const format = options.get('format') ?? options.get('value.format') ?? 'csv';
      const withFor = (engine: 'flink' | 'fintrans'): string => {
        // A 'jdbc' table stays as written: both engines read or write the rig's PostgreSQL (the
        // runner fills in ${JDBC_URL} etc. per engine, see conformance.test.ts).
        if (options.get('connector') === 'jdbc') return text.slice(tokens[wOpen]!.start, tokens[wClose]!.end);
        if (isSink && engine === 'fintrans' && opts.fintransPrint(lname)) {
          return `(\n  ${sq('connector')} = ${sq('print')},\n  ${sq('print-identifier')} = ${sq(lname)}\n)`;
        }
        const out: [string, string][] = [['connector', 'filesystem']];
        if (isSink) {
          out.push(['path', engine === 'flink' ? opts.flinkOutDir(lname) : opts.fintransOutFile(lname)]);
          out.push(['format', 'csv']); // results are compared as CSV whatever the job wrote
        } else {
          out.push(['path', opts.inputPath(lname)]);
          out.push(['format', format]);
          for (const [key, v] of options) {
            const bare = key.startsWith('value.') ? key.slice('value.'.length) : key;
            if (bare.startsWith(`${format}.`)) out.push([bare, v]);
          }
        }
        return `(\n  ${out.map(([key, v]) => `${sq(key)} = ${sq(v)}`).join(',\n  ')}\n)`;
      };
      const startOf = tokens[wOpen]!.start;
      const endOf = tokens[wClose]!.end;
      flinkParts.push(
        applyEdits(text, start, end, [...edits, { start: startOf, end: endOf, text: withFor('flink') }]),
      );
      fintransParts.push(
        applyEdits(text, start, end, [...edits, { start: startOf, end: endOf, text: withFor('fintrans') }]),
      );
    } else if (isKeyword(t0, 'INSERT')) {
      let k = a + 1;
      while (k < b && !isKeyword(tokens[k], 'INTO')) k++;
      const sink = tokens[k + 1]!.value.toLowerCase();
      const stmt = text.slice(start, end);
      fintransParts.push(stmt);
      const collect = opts.flinkCollectFile(sink);
      if (collect === undefined) {
        flinkParts.push(stmt);
      } else {
        let s = k + 2;
        while (s < b && !isKeyword(tokens[s], 'SELECT') && !isKeyword(tokens[s], 'WITH')) s++;
        flinkParts.push(`@@@COLLECT ${collect}\n` + text.slice(tokens[s]!.start, end));
      }
    } else if (isKeyword(t0, 'SET')) {
      fintransParts.push(text.slice(start, end));
    } else {
      throw new Error(
        `${file}: the conformance runner handles CREATE TABLE, CREATE VIEW, INSERT and SET, not '${t0.value} ...'`,
      );
    }
  }
  const flinkSql =
    flinkParts
      .map((p) =>
        p.startsWith('@@@COLLECT ')
          ? `-- ${p.slice(0, p.indexOf('\n'))}\n${p.slice(p.indexOf('\n') + 1)}`
          : `-- @@@\n${p}`,
      )
      .join('\n') + '\n';
  return { tables, sinks, flinkSql, fintransSql: fintransParts.join(';\n\n') + ';\n' };
}
