// Statements -> JobPlan: the plan graph of a job. Tables and views are resolved by name to shared
// nodes (one ScanNode per table, one plan per view), each INSERT/SELECT is planned by
// QueryPlanner (query.ts) into a node of that graph, and fitted to its sink's columns here.

import type { SqlExpr } from '../sql/nodes.js';
import { SqlError, didYouMean } from '../errors.js';
import type { CreateViewStatement, InsertStatement, SelectStatement, Statement } from '../sql/ast.js';
import { typeToString, withNullable } from '../types.js';
import { nodePos } from './bind.js';
import type { Expr } from './expr.js';
import type { JobPlan, PlanNode, Pipeline, ProjectNode, ScanNode, TableDef } from './logical.js';
import {
  QueryPlanner,
  project,
  renameColumns,
  unknownColumn,
  type Catalog,
  type PlannedQuery,
  type Relation,
} from './query.js';
import { checkSetting } from './settings.js';
import { buildTable } from './tables.js';
import { assignable, castable, coerce, describeType } from './typing.js';

export const LATE_SINK_SETTING = 'fintrans.late-records.sink';

export function planJob(
  statements: readonly Statement[],
  file: string,
  baseSettings: ReadonlyMap<string, string> = new Map(),
): JobPlan {
  const settings = new Map(baseSettings);
  const catalog = new JobCatalog();
  const pipelines: Pipeline[] = [];
  const explain: Pipeline[] = [];
  const queries: { stmt: InsertStatement | SelectStatement; explain: boolean }[] = [];

  for (const s of statements) {
    switch (s.kind) {
      case 'set':
        checkSetting(s);
        // Settings from the command line (--set) win over the file's SET.
        if (!baseSettings.has(s.key)) settings.set(s.key, s.value);
        break;
      case 'create-table':
        catalog.addTable(buildTable(s), s.namePos);
        break;
      case 'create-view':
        catalog.addView(s);
        break;
      case 'insert':
      case 'select':
        queries.push({ stmt: s, explain: false });
        break;
      case 'explain':
        queries.push({ stmt: s.statement, explain: true });
        break;
    }
  }
  for (const q of queries) {
    const planned = new QueryPlanner(q.stmt, catalog, q.stmt.pos).plan();
    const sink = q.stmt.kind === 'insert' ? catalog.sinkTable(q.stmt) : undefined;
    const root = sink
      ? fitToSink(planned, sink, q.stmt as InsertStatement)
      : renameColumns(
          planned.node,
          planned.columns.map((c) => c.name),
        );
    (q.explain ? explain : pipelines).push({ root, ...(sink ? { sink } : {}), pos: q.stmt.pos });
  }
  if (pipelines.length === 0 && explain.length === 0) {
    throw new SqlError(
      { file, line: 1, col: 1 },
      `the job has no INSERT INTO or SELECT statement`,
      `add e.g. INSERT INTO alerts SELECT ... FROM transactions`,
    );
  }

  let lateSink: TableDef | undefined;
  const lateName = settings.get(LATE_SINK_SETTING);
  if (lateName) {
    lateSink = catalog.tables.get(lateName);
    if (!lateSink) {
      const guess = didYouMean(lateName, catalog.tables.keys());
      throw new SqlError(
        { file, line: 1, col: 1 },
        `SET '${LATE_SINK_SETTING}' names table '${lateName}', which is not declared`,
        guess
          ? `did you mean '${guess}'?`
          : `declare CREATE TABLE ${lateName} (...) WITH (...) for late records`,
      );
    }
  }
  const used = new Set<TableDef>();
  for (const p of [...pipelines, ...explain]) {
    if (p.sink) used.add(p.sink);
    for (const t of sourceTables(p.root)) used.add(t);
  }
  if (lateSink) used.add(lateSink);
  for (const t of catalog.tables.values()) if (!used.has(t)) t.options.skipUnused();
  return { file, settings, tables: catalog.tables, pipelines, lateSink, explain };
}

/** The tables a node reads, in the order first met (depth first). */
export function sourceTables(root: PlanNode): TableDef[] {
  const out: TableDef[] = [];
  const seen = new Set<PlanNode>();
  const visit = (n: PlanNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'scan' && !out.includes(n.table)) out.push(n.table);
    if (n.kind === 'lookup-join' && !out.includes(n.table)) out.push(n.table);
    n.inputs.forEach(visit);
  };
  visit(root);
  return out;
}

/** Declared tables and views, each resolved to one shared node. */
class JobCatalog implements Catalog {
  readonly tables = new Map<string, TableDef>();
  private readonly scans = new Map<string, ScanNode>();
  private readonly views = new Map<
    string,
    { stmt: CreateViewStatement; planned?: Relation; planning?: boolean }
  >();

  addTable(t: TableDef, pos: import('../errors.js').SourcePos): void {
    if (this.tables.has(t.name) || this.views.has(t.name))
      throw new SqlError(pos, `'${t.name}' is declared twice`, `give the second one another name`);
    this.tables.set(t.name, t);
  }

  addView(v: CreateViewStatement): void {
    if (this.tables.has(v.name) || this.views.has(v.name))
      throw new SqlError(v.namePos, `'${v.name}' is declared twice`, `give the second one another name`);
    this.views.set(v.name, { stmt: v });
  }

  names(): Iterable<string> {
    return [...this.tables.keys(), ...this.views.keys()];
  }

  relation(name: string): Relation | undefined {
    const t = this.tables.get(name);
    if (t) return { node: this.scan(t), name, what: 'table', alias: null, table: t };
    const v = this.views.get(name);
    if (!v) return undefined;
    if (v.planned) return v.planned;
    if (v.planning)
      throw new SqlError(
        v.stmt.namePos,
        `view '${name}' is defined by itself (a view cannot read itself, directly or through other views)`,
      );
    v.planning = true;
    const q = new QueryPlanner(v.stmt.query, this, v.stmt.query.pos).plan();
    let names = q.columns.map((c) => c.name);
    if (v.stmt.columns) {
      if (v.stmt.columns.length !== names.length) {
        throw new SqlError(
          v.stmt.namePos,
          `view '${name}' names ${v.stmt.columns.length} column${v.stmt.columns.length === 1 ? '' : 's'} but its query gives ${names.length}`,
          `list one name per column of the query`,
        );
      }
      names = v.stmt.columns.map((c) => c.name);
    }
    const seen = new Set<string>();
    for (const n of names) {
      if (seen.has(n))
        throw new SqlError(
          v.stmt.namePos,
          `view '${name}' has two columns named '${n}'`,
          `give one of them another name with AS`,
        );
      seen.add(n);
    }
    v.planned = { node: renameColumns(q.node, names), name, what: 'view', alias: null };
    v.planning = false;
    return v.planned;
  }

  private scan(t: TableDef): ScanNode {
    let s = this.scans.get(t.name);
    if (!s) {
      const rowtime = t.watermark?.rowtimeIndex;
      s = {
        kind: 'scan',
        table: t,
        inputs: [],
        // A changelog format (debezium-json) or connector (upsert-kafka) makes the scan updating.
        updating: t.format?.changelog === true || t.connector.changelog === true,
        schema: t.columns.map((c, i) => ({
          name: c.name,
          type: c.type,
          ...(i === rowtime ? { rowtime: true as const } : {}),
          ...(c.kind === 'proctime' ? { proctime: true as const } : {}),
        })),
      };
      this.scans.set(t.name, s);
    }
    return s;
  }

  sinkTable(stmt: InsertStatement): TableDef {
    const t = this.tables.get(stmt.sink);
    if (t) return t;
    if (this.views.has(stmt.sink))
      throw new SqlError(
        stmt.sinkPos,
        `'${stmt.sink}' is a view: INSERT INTO needs a table`,
        `declare a table with CREATE TABLE ${stmt.sink}_out (...) WITH (...) and insert into it`,
      );
    const guess = didYouMean(stmt.sink, this.tables.keys());
    throw new SqlError(
      stmt.sinkPos,
      `unknown table '${stmt.sink}'`,
      guess ? `did you mean '${guess}'?` : `declare it first with CREATE TABLE ${stmt.sink} (...) WITH (...)`,
    );
  }
}

/**
 * The query's rows as the sink's columns: cast to the sink's types, in the sink's column order.
 * Folded into the query's last projection, so the sink costs no extra step per row.
 */
function fitToSink(q: PlannedQuery, sink: TableDef, stmt: InsertStatement): PlanNode {
  const sinkCols = sink.columns.filter((c) => c.kind === 'physical');
  let order: number[] = sinkCols.map((_, i) => i);
  if (stmt.columns && stmt.columns.length > 0) {
    order = stmt.columns.map((name) => {
      const i = sinkCols.findIndex((c) => c.name === name);
      if (i < 0)
        throw unknownColumn(
          name,
          sinkCols.map((c) => c.name),
          sink.name,
          stmt.positions.identifier(name),
        );
      return i;
    });
    if (order.length !== sinkCols.length) {
      throw new SqlError(
        stmt.sinkPos,
        `INSERT INTO ${sink.name} (...) must list all ${sinkCols.length} columns of the sink`,
        `list ${sinkCols.map((c) => c.name).join(', ')}`,
      );
    }
  }
  const schema = q.node.schema;
  const times = schema.filter((f) => f.rowtime);
  if (times.length > 1) {
    // Flink: "The query contains more than one rowtime attribute column ... for writing into table".
    throw new SqlError(
      stmt.sinkPos,
      `INSERT INTO ${sink.name}: the query gives more than one time attribute (${times.map((f) => f.name).join(', ')}); Flink refuses to write more than one into a table`,
      `in the SELECT list, CAST all but one of them to a plain timestamp: CAST(... AS TIMESTAMP(3))`,
    );
  }
  if (schema.length !== sinkCols.length) {
    throw new SqlError(
      stmt.sinkPos,
      `INSERT INTO ${sink.name}: the query gives ${schema.length} column${schema.length === 1 ? '' : 's'} but the sink has ${sinkCols.length} (${sinkCols.map((c) => c.name).join(', ')})`,
      schema.length < sinkCols.length
        ? `add the missing columns to the SELECT list, in the sink's order`
        : `remove columns from the SELECT list or add them to table '${sink.name}'`,
    );
  }
  // Over a projection, fit its expressions themselves (a column of the projection stands for its expression).
  const last = q.node.kind === 'project' ? (q.node as ProjectNode) : undefined;
  const outputs: Expr[] = schema.map((f, i) =>
    last ? last.exprs[i]! : { kind: 'column', index: i, name: f.name, type: f.type },
  );
  const result: Expr[] = new Array<Expr>(sinkCols.length);
  outputs.forEach((e, i) => {
    const target = sinkCols[order[i]!]!;
    if (!assignable(e.type, target.type)) {
      const at: SqlExpr | undefined = q.columns[i]?.node;
      throw new SqlError(
        at ? nodePos(at, stmt.positions) : stmt.sinkPos,
        `column '${target.name}' of '${sink.name}' is ${describeType(target.type)} but the query gives ${describeType(e.type)}`,
        castable(e.type, target.type)
          ? `CAST the value: CAST(... AS ${typeToString(withNullable(target.type, true))}), or declare '${target.name}' as ${typeToString(withNullable(e.type, true))} in table '${sink.name}'`
          : `declare '${target.name}' as ${typeToString(withNullable(e.type, true))} in table '${sink.name}', or select a ${describeType(target.type)} value for it`,
      );
    }
    result[order[i]!] = coerce(e, target.type);
  });
  const fields = result.map((e, i) => ({ name: sinkCols[i]!.name, type: e.type }));
  return last ? project(last.inputs[0]!, result, fields) : project(q.node, result, fields);
}
