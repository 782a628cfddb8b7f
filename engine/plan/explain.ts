// EXPLAIN: a pipeline's plan in words, from the source to the sink.

import type { AggregateCall, Expr } from './expr.js';
import type { PlanNode, Pipeline, TableDef, WindowSpec } from './logical.js';
import { typeToString } from '../types.js';
import { valueToText } from '../values.js';

export function explainPipeline(p: Pipeline): string {
  const lines: string[] = [];
  const src = p.source;
  lines.push(`Source: table '${src.name}' (${describeConnector(src)})`);
  lines.push(`  columns: ${src.columns.map((c) => `${c.name} ${typeToString(c.type)}${c.kind === 'computed' ? ` AS ${exprText(c.expr!, src.columns.map((x) => x.name))}` : c.kind === 'metadata' ? ` METADATA FROM '${c.metadataKey}'` : ''}`).join(', ')}`);
  lines.push(src.watermark ? `  watermark: ${src.watermark.text} (max event time seen minus the delay; minimum over splits)` : `  watermark: none (no WATERMARK declared)`);
  const steps: string[] = [];
  collect(p.root, steps);
  steps.forEach((s, i) => lines.push(`${i + 1}. ${s}`));
  lines.push(p.sink ? `Sink: table '${p.sink.name}' (${describeConnector(p.sink)})` : `Sink: print to stdout`);
  return lines.join('\n');
}

function describeConnector(t: TableDef): string {
  const parts = [`connector '${t.connectorName}'`];
  if (t.formatName) parts.push(`format '${t.formatName}'`);
  return parts.join(', ');
}

function collect(node: PlanNode, out: string[]): void {
  if (node.kind === 'scan') return;
  collect(node.input, out);
  const names = node.input.schema.map((f) => f.name);
  switch (node.kind) {
    case 'filter':
      out.push(`Filter: ${exprText(node.predicate, names)}`);
      break;
    case 'project':
      out.push(`Project: ${node.exprs.map((e, i) => `${exprText(e, names)} AS ${node.schema[i]!.name}`).join(', ')}`);
      break;
    case 'window-aggregate':
      out.push(`Drop late records: rows whose every ${node.window.kind} window already fired (counted, and sent to the late-records sink if declared)`);
      out.push(
        `Window aggregate: ${windowText(node.window)}, group by ${node.keys.length ? node.keys.map((k) => exprText(k, names)).join(', ') : '(nothing)'}; ` +
          `computes ${node.aggregates.map((a) => aggText(a, names)).join(', ') || 'nothing'}; emits each window's final rows when the watermark passes its end`,
      );
      break;
    case 'group-aggregate':
      if (node.aggregates.length === 0) {
        out.push(`Distinct: group by ${node.keys.map((k) => exprText(k, names)).join(', ')}; emits each distinct row once, when first seen`);
        break;
      }
      out.push(
        `Running aggregate (no window): group by ${node.keys.length ? node.keys.map((k) => exprText(k, names)).join(', ') : '(all rows)'}; ` +
          `computes ${node.aggregates.map((a) => aggText(a, names)).join(', ')}; emits the group's new values on every input row`,
      );
      break;
  }
}

function ms(n: number): string {
  if (n % 3_600_000 === 0) return `${n / 3_600_000} h`;
  if (n % 60_000 === 0) return `${n / 60_000} min`;
  if (n % 1000 === 0) return `${n / 1000} s`;
  return `${n} ms`;
}

function windowText(w: WindowSpec): string {
  switch (w.kind) {
    case 'TUMBLE':
      return `TUMBLE on ${w.timeName}, size ${ms(w.sizeMs)}`;
    case 'HOP':
      return `HOP on ${w.timeName}, size ${ms(w.sizeMs)}, slide ${ms(w.slideMs)}`;
    case 'CUMULATE':
      return `CUMULATE on ${w.timeName}, step ${ms(w.slideMs)}, max size ${ms(w.sizeMs)}`;
    case 'SESSION':
      return `SESSION on ${w.timeName}, gap ${ms(w.sizeMs)}`;
  }
}

function aggText(a: AggregateCall, names: readonly string[]): string {
  const args = a.fn === 'COUNT_STAR' ? '*' : a.args.map((e) => exprText(e, names)).join(', ');
  return `${a.fn === 'COUNT_STAR' ? 'COUNT' : a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args})`;
}

const INFIX = new Set(['+', '-', '*', '/', '%', '=', '<>', '<', '<=', '>', '>=', 'AND', 'OR']);

export function exprText(e: Expr, names: readonly string[]): string {
  switch (e.kind) {
    case 'column':
      return names[e.index] ?? e.name;
    case 'literal':
      if (e.value === null) return 'NULL';
      if (e.type.name === 'STRING') return `'${String(e.value).replace(/'/g, "''")}'`;
      if (e.type.name === 'INTERVAL') return `INTERVAL ${ms(e.value as number)}`;
      return valueToText(e.value, e.type) ?? 'NULL';
    case 'cast':
      return `CAST(${exprText(e.arg, names)} AS ${typeToString({ ...e.type, nullable: true })})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${exprText(w.when, names)} THEN ${exprText(w.then, names)}`).join(' ')}${e.otherwise ? ` ELSE ${exprText(e.otherwise, names)}` : ''} END`;
    case 'call': {
      const a = e.args.map((x) => exprText(x, names));
      if (INFIX.has(e.fn)) return `(${a[0]} ${e.fn} ${a[1]})`;
      if (e.fn === 'NEG') return `-${a[0]}`;
      if (e.fn === 'NOT') return `NOT ${a[0]}`;
      if (e.fn === 'IS_NULL') return `${a[0]} IS NULL`;
      if (e.fn === 'IS_NOT_NULL') return `${a[0]} IS NOT NULL`;
      if (e.fn === 'LIKE') return `${a[0]} LIKE ${a[1]}${a[2] ? ` ESCAPE ${a[2]}` : ''}`;
      if (e.fn === 'IN') return `${a[0]} IN (${a.slice(1).join(', ')})`;
      if (e.fn === 'BETWEEN') return `${a[0]} BETWEEN ${a[1]} AND ${a[2]}`;
      if (e.fn === 'CONCAT') return a.join(' || ');
      if (a.length === 2 && (e.fn === 'TRIM' || e.fn === 'LTRIM' || e.fn === 'RTRIM')) {
        return `TRIM(${e.fn === 'TRIM' ? 'BOTH' : e.fn === 'LTRIM' ? 'LEADING' : 'TRAILING'} ${a[1]} FROM ${a[0]})`;
      }
      return `${e.fn}(${a.join(', ')})`;
    }
  }
}
