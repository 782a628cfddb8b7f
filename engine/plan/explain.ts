// EXPLAIN: the plan graph in words, from the sources to each sink.

import { describePattern } from './match-recognize.js';
import type { AggregateCall, Expr } from './expr.js';
import type { PlanNode, Pipeline, TableDef, WindowSpec } from './logical.js';
import { typeToString } from '../types.js';
import { formatPos } from '../errors.js';
import { valueToText } from '../values.js';

/**
 * The plans of several INSERTs, each from its sources to its sink. A node already shown for an
 * earlier INSERT is named, not repeated: the running job computes it once for all of them.
 */
export function explainPipelines(pipelines: readonly Pipeline[]): string {
  const shown = new Map<PlanNode, string>();
  if (pipelines.length === 1) return explainPipeline(pipelines[0]!, shown);
  return pipelines
    .map(
      (p, i) =>
        `INSERT ${i + 1}${p.sink ? ` INTO ${p.sink.name}` : ' (SELECT)'} at ${formatPos(p.pos)}:\n${explainPipeline(p, shown, `INSERT ${i + 1}`)}`,
    )
    .join('\n\n');
}

/** EXPLAIN: a pipeline's plan in words, from its sources to its sink. */
export function explainPipeline(
  p: Pipeline,
  shown: Map<PlanNode, string> = new Map(),
  label = 'this INSERT',
): string {
  const lines: string[] = [];
  describeNode(p.root, lines, '', shown, label, { n: 0 });
  const updates = p.root.updating;
  lines.push(
    p.sink
      ? `Sink: table '${p.sink.name}' (${describeConnector(p.sink)})${updates ? ` — receives updates (${p.sink.primaryKey ? 'applied by its PRIMARY KEY' : `each new value appended, with SET 'fintrans.sink.append-updates' = 'true'`})` : ''}`
      : `Sink: print to stdout${updates ? ' (+I, -U, +U, -D rows, as Flink prints them)' : ''}`,
  );
  return lines.join('\n');
}

function describeNode(
  node: PlanNode,
  out: string[],
  indent: string,
  shown: Map<PlanNode, string>,
  label: string,
  steps: { n: number },
): void {
  const earlier = shown.get(node);
  if (earlier !== undefined) {
    out.push(`${indent}(${earlier}: computed once, shared)`);
    return;
  }
  if (node.kind === 'scan') {
    const src = node.table;
    out.push(`${indent}Source: table '${src.name}' (${describeConnector(src)})`);
    out.push(
      `${indent}  columns: ${src.columns
        .map(
          (c) =>
            `${c.name} ${typeToString(c.type)}${
              c.kind === 'computed'
                ? ` AS ${exprText(
                    c.expr!,
                    src.columns.map((x) => x.name),
                  )}`
                : c.kind === 'metadata'
                  ? ` METADATA FROM '${c.metadataKey}'`
                  : c.kind === 'proctime'
                    ? ' AS PROCTIME()'
                    : ''
            }`,
        )
        .join(', ')}`,
    );
    out.push(
      src.watermark
        ? `${indent}  watermark: ${src.watermark.text} (max event time seen minus the delay; minimum over splits)`
        : `${indent}  watermark: none (no WATERMARK declared)`,
    );
    shown.set(node, `source '${src.name}' as read for ${label}`);
    return;
  }
  if (node.kind === 'union') {
    node.inputs.forEach((input, i) => {
      out.push(`${indent}Input ${i + 1} of the UNION ALL:`);
      describeNode(input, out, indent + '  ', shown, label, { n: 0 });
    });
    out.push(
      `${indent}${++steps.n}. Union all: the rows of the ${node.inputs.length} inputs above, as they come; watermark = the least of theirs`,
    );
    shown.set(node, `step ${steps.n} of ${label}`);
    return;
  }
  if (node.kind === 'join') {
    const [left, right] = node.inputs as [PlanNode, PlanNode];
    out.push(`${indent}Left input of the join:`);
    describeNode(left, out, indent + '  ', shown, label, { n: 0 });
    out.push(`${indent}Right input of the join:`);
    describeNode(right, out, indent + '  ', shown, label, { n: 0 });
    const names = [...shownNames(left), ...shownNames(right)];
    const keys = node.leftKeys.map(
      (k, i) =>
        `${exprText(
          k,
          left.schema.map((f) => f.name),
        )} = ${exprText(
          node.rightKeys[i]!,
          right.schema.map((f) => f.name),
        )}`,
    );
    const on =
      [...keys, ...(node.condition ? [exprText(node.condition, names)] : [])].join(' AND ') || 'TRUE';
    const iv = node.interval;
    out.push(
      `${indent}${++steps.n}. ${node.window ? 'Window join' : node.temporal ? 'Temporal join' : iv ? 'Interval join' : 'Join'} (${node.joinType}) on ${on}` +
        (node.window
          ? `; holds each window's rows until the watermark passes its end, then joins them${node.joinType !== 'INNER' ? ' (unmatched outer rows NULL-padded)' : ''}`
          : node.temporal
            ? `, each left row with the version of its key valid at ${left.schema[node.temporal.leftTimeIndex]!.name} (FOR SYSTEM_TIME AS OF); left rows wait for the watermark`
            : iv
              ? `, ${left.schema[iv.leftTimeIndex]!.name} - ${right.schema[iv.rightTimeIndex]!.name} within [${iv.lower} ms, ${iv.upper} ms]; rows are kept until the watermark passes their interval; emits joined rows as they meet${node.joinType !== 'INNER' ? ', NULL-padded rows when an outer row leaves unmatched' : ''}`
              : `; keeps every row of both sides${node.updating ? '; emits a changelog (+I, and -D/+I as NULL-padded rows find partners or lose them)' : ''}`),
    );
    shown.set(node, `step ${steps.n} of ${label}`);
    return;
  }
  const input = node.inputs[0]!;
  describeNode(input, out, indent, shown, label, steps);
  if (node.kind === 'lookup-join') {
    const t = node.table;
    const keys = node.keys.map(
      (k, i) =>
        `${t.columns.filter((c) => c.kind === 'physical')[node.keyColumns[i]!]!.name} = ${exprText(
          k,
          input.schema.map((f) => f.name),
        )}`,
    );
    const names = [...shownNames(input), ...t.columns.map((c) => c.name)];
    out.push(
      `${indent}${++steps.n}. Lookup join (${node.joinType}): each row asks table '${t.name}' (${describeConnector(t)}) for ${keys.join(' AND ')}` +
        `${node.condition ? `, then ${exprText(node.condition, names)}` : ''}; rows are looked up in batches as they come (processing time)`,
    );
    shown.set(node, `step ${steps.n} of ${label}`);
    return;
  }
  const names = shownNames(input);
  const step = (text: string): void => void out.push(`${indent}${++steps.n}. ${text}`);
  switch (node.kind) {
    case 'filter':
      step(`Filter: ${exprText(node.predicate, names)}`);
      break;
    case 'project':
      step(
        `Project: ${node.exprs.map((e, i) => `${exprText(e, names)} AS ${node.schema[i]!.name}`).join(', ')}`,
      );
      break;
    case 'window-aggregate':
      step(
        `Drop late records: rows whose every ${node.window.kind} window already fired (counted, and sent to the late-records sink if declared)`,
      );
      step(
        `Window aggregate: ${windowText(node.window)}, group by ${node.keys.length ? node.keys.map((k) => exprText(k, names)).join(', ') : '(nothing)'}; ` +
          `computes ${node.aggregates.map((a) => aggText(a, names)).join(', ') || 'nothing'}; emits each window's final rows when the watermark passes its end`,
      );
      break;
    case 'group-aggregate': {
      const over = input.updating ? ' (its input is updated: -U/-D rows are taken back out)' : '';
      if (node.aggregates.length === 0) {
        step(
          `Distinct: group by ${node.keys.map((k) => exprText(k, names)).join(', ')}; emits each distinct row once, when first seen${over}`,
        );
        break;
      }
      step(
        `Running aggregate (no window): group by ${node.keys.length ? node.keys.map((k) => exprText(k, names)).join(', ') : '(all rows)'}; ` +
          `computes ${node.aggregates.map((a) => aggText(a, names)).join(', ')}; emits +I for a new group, then -U old / +U new when its values change${over}`,
      );
      break;
    }
    case 'over-aggregate': {
      const f = node.frame;
      const frame =
        f.preceding === null
          ? `${f.rows ? 'ROWS' : 'RANGE'} UNBOUNDED PRECEDING`
          : f.rows
            ? `ROWS ${f.preceding} PRECEDING`
            : `RANGE ${ms(f.preceding)} PRECEDING`;
      step(
        `OVER aggregate: partition by ${node.partitionKeys.length ? node.partitionKeys.map((k) => exprText(k, names)).join(', ') : '(nothing)'}, order by ${names[node.timeIndex]}, ${frame} to the current row; ` +
          `computes ${[...node.aggregates.map((a) => aggText(a, names)), ...(node.lags ?? []).map((l) => `LAG(${exprText(l.value, names)}, ${l.offset}${l.defaultValue ? `, ${exprText(l.defaultValue, names)}` : ''})`)].join(', ')}; holds rows until the watermark passes them, then emits each with its aggregates in time order${f.rows ? '' : ' (rows of equal time see each other)'}; rows late for their partition are dropped (counted)`,
      );
      break;
    }
    case 'rank': {
      const by = `partition by ${node.partitionKeys.length ? node.partitionKeys.map((k) => exprText(k, names)).join(', ') : '(nothing)'}, order by ${node.orderBy.map((o) => `${exprText(o.expr, names)}${o.descending ? ' DESC' : ''}`).join(', ')}`;
      if (node.range === null) {
        step(
          `Row number (OVER, ROWS UNBOUNDED PRECEDING): ${by}; holds rows until the watermark passes them, then numbers them in time order`,
        );
        break;
      }
      const which =
        node.range.start === 1
          ? `top ${node.range.end}`
          : `rows numbered ${node.range.start} to ${node.range.end}`;
      step(
        node.window
          ? `Window Top-N: ${by}; keeps the ${which} of each window${node.outputRankNumber ? ' with their row number' : ''}, emitted when the watermark passes the window's end`
          : `Top-N: ${by}; keeps the ${which}${node.outputRankNumber ? ' with their row number; emits -U/+U for each row whose number changes' : '; emits +I/-D as rows enter and leave it'}`,
      );
      break;
    }
    case 'window-table':
      step(
        `Window table (${windowText(node.window)}): each row once per window it falls in, with window_start, window_end, window_time`,
      );
      break;
    case 'match-recognize':
      step(
        `MATCH_RECOGNIZE: partition by ${node.partitionKeys.length ? node.partitionKeys.map((k) => names[k]).join(', ') : '(nothing)'}, order by ${names[node.timeIndex]}; ${describePattern(node)}; ` +
          `holds rows until the watermark passes them, then runs each partition's rows through Flink's CEP automaton in time order; one row per match (the partition columns, then the measures); late rows are dropped (counted)`,
      );
      break;
    case 'deduplicate':
      step(
        `Deduplicate: keep the ${node.keepLast ? 'last' : 'first'} row by ${names[node.timeIndex]} per ${node.keys.length ? node.keys.map((k) => exprText(k, names)).join(', ') : '(all rows)'}` +
          (node.window
            ? ` of each window, emitted when the watermark passes the window's end`
            : `; emits +I, then -U/+U when ${node.keepLast ? 'a later' : 'an earlier'} row replaces it`),
      );
      break;
  }
  shown.set(node, `step ${steps.n} of ${label}`);
}

function describeConnector(t: TableDef): string {
  const parts = [`connector '${t.connectorName}'`];
  if (t.formatName) parts.push(`format '${t.formatName}'`);
  return parts.join(', ');
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

/**
 * How a node's output columns are shown to a reader: the planner's internal names of computed
 * columns (agg$0, w0$o0) become what the user wrote (COUNT(DISTINCT receiver), ROW_NUMBER()).
 */
function shownNames(node: PlanNode): string[] {
  // A filter passes its input's columns on as they are.
  if (node.kind === 'filter') return shownNames(node.inputs[0]!);
  const names = node.schema.map((f) => f.name);
  const internal = /^(?:agg|w0\$o)\$?(\d+)$/;
  if (node.kind === 'window-aggregate' || node.kind === 'group-aggregate' || node.kind === 'over-aggregate') {
    const inputNames = shownNames(node.inputs[0]!);
    const lags = node.kind === 'over-aggregate' ? (node.lags ?? []) : [];
    return names.map((name) => {
      const m = internal.exec(name);
      if (!m) return name;
      const i = Number(m[1]);
      const a = node.aggregates[i];
      if (a) return aggText(a, inputNames);
      const l = lags[i - node.aggregates.length];
      if (l) return `LAG(${exprText(l.value, inputNames)}, ${l.offset})`;
      return name;
    });
  }
  if (node.kind === 'rank') return names.map((name) => (internal.test(name) ? 'ROW_NUMBER()' : name));
  return names;
}

function aggText(a: AggregateCall, names: readonly string[]): string {
  const args = a.fn === 'COUNT_STAR' ? '*' : a.args.map((e) => exprText(e, names)).join(', ');
  const filter = a.filter ? ` FILTER (WHERE ${exprText(a.filter, names)})` : '';
  return `${a.fn === 'COUNT_STAR' ? 'COUNT' : a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args})${filter}`;
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
