// fintrans-sql's side of the expression fuzzer, in process: each expression is parsed and planned
// as `SELECT id, <expr> FROM fuzz` by the real parser and planner (a refusal there is recorded, not
// a failure), compiled by the expression compiler, and evaluated over the rows the real CSV decoder
// reads from the fuzz table's file. Values become text as fintrans-sql writes them (valueToText).
// One expression at a time, so a runtime error is charged to its own expression.

import { readFileSync } from 'node:fs';
import { compileScalar } from '../../../engine/exec/compile.js';
import type { ProjectNode, TableDef } from '../../../engine/plan/logical.js';
import { planJob } from '../../../engine/plan/planner.js';
import { parseSqlFile } from '../../../engine/sql/parse.js';
import { typeToString, type Row } from '../../../engine/types.js';
import { valueToText } from '../../../engine/values.js';
import { FUZZ_TABLE, fuzzTableDdl } from './table.js';

export type Outcome =
  | { readonly kind: 'ok'; readonly type: string; readonly cells: readonly (string | null)[] }
  | { readonly kind: 'rejected'; readonly why: string }
  | { readonly kind: 'failed'; readonly why: string };

const firstLine = (err: unknown): string =>
  (err instanceof Error ? err.message : String(err)).split('\n')[0]!;

export class FintransEvaluator {
  private readonly rows: Row[];

  constructor(private readonly csvPath: string) {
    this.rows = this.decodeRows();
  }

  /** The fuzz table's rows as the CSV decoder reads them, in file order (= by id). */
  private decodeRows(): Row[] {
    const table = this.plan('id').source;
    const decoder = table.format!.createDecoder(
      table.columns
        .map((c, i) => ({ name: c.name, type: c.type, rowIndex: i, kind: c.kind }))
        .filter((c) => c.kind === 'physical'),
      table.options,
    );
    return readFileSync(this.csvPath, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((line) => {
        const row: Row = new Array(table.columns.length).fill(null);
        const problem = decoder.decodeText!(line, row);
        if (problem !== null)
          throw new Error(`fintrans-sql cannot read the fuzz table's line '${line}': ${problem}`);
        return row;
      });
  }

  private plan(expr: string): { source: TableDef; project: ProjectNode } {
    const file = 'fuzz.sql';
    const text = `${fuzzTableDdl(this.csvPath)};\nSELECT ${expr} FROM ${FUZZ_TABLE};\n`;
    const pipeline = planJob(parseSqlFile(text, file), file).pipelines[0]!;
    const root = pipeline.root;
    const scan = root.inputs[0];
    if (root.kind !== 'project' || scan?.kind !== 'scan')
      throw new Error(`expected a projection of the table, planned ${root.kind}`);
    return { source: scan.table, project: root };
  }

  evaluate(expr: string): Outcome {
    let project: ProjectNode;
    try {
      project = this.plan(expr).project;
    } catch (err) {
      return { kind: 'rejected', why: firstLine(err) };
    }
    const e = project.exprs[0]!;
    try {
      const fn = compileScalar(e);
      return {
        kind: 'ok',
        type: typeToString(e.type),
        cells: this.rows.map((r) => valueToText(fn(r), e.type)),
      };
    } catch (err) {
      return { kind: 'failed', why: firstLine(err) };
    }
  }
}
