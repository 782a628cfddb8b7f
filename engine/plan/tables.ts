// CREATE TABLE -> TableDef: column layout, computed columns, watermark, connector and format.

import { SqlError, didYouMean } from '../errors.js';
import { OptionBag, type OptionEntry } from '../options.js';
import { resolveOptionValue } from '../env-vars.js';
import type { CreateTableStatement } from '../sql/ast.js';
import { T, isTimestamp, typeToString } from '../types.js';
import { getConnector, CONNECTOR_NAMES } from '../../connectors/registry.js';
import { getFormat, FORMAT_NAMES } from '../formats/registry.js';
import { ExprBinder, functionArgs, functionName, nodePos } from './bind.js';
import { col } from './expr.js';
import type { TableColumn, TableDef, WatermarkSpec } from './logical.js';
import { describeType } from './typing.js';

export function buildTable(stmt: CreateTableStatement): TableDef {
  const columns: TableColumn[] = [];
  const seen = new Set<string>();
  for (const c of stmt.columns) {
    if (seen.has(c.name))
      throw new SqlError(c.pos, `column '${c.name}' is declared twice in table '${stmt.name}'`);
    seen.add(c.name);
  }

  const optionMap = new Map<string, OptionEntry>();
  for (const o of stmt.options)
    optionMap.set(o.key, { value: resolveOptionValue(o.key, o.value, o.pos, stmt.name), pos: o.pos });
  const connectorEntry = optionMap.get('connector');
  if (!connectorEntry) {
    throw new SqlError(
      stmt.namePos,
      `table '${stmt.name}' has no 'connector' option`,
      `add WITH ('connector' = 'filesystem', 'path' = '...', 'format' = 'csv') or another connector: ${CONNECTOR_NAMES.join(', ')}`,
    );
  }
  optionMap.delete('connector');
  const connector = getConnector(connectorEntry.value);
  if (!connector) {
    const guess = didYouMean(connectorEntry.value, CONNECTOR_NAMES);
    throw new SqlError(
      connectorEntry.pos,
      `unknown connector '${connectorEntry.value}'`,
      guess ? `did you mean '${guess}'?` : `use one of: ${CONNECTOR_NAMES.join(', ')}`,
    );
  }

  if (connector.name === 'filesystem') toLocalPath(optionMap);

  // Physical and metadata columns first (computed columns may refer to them), at their declared positions.
  const slots: (TableColumn | undefined)[] = new Array<TableColumn | undefined>(stmt.columns.length);
  stmt.columns.forEach((c, i) => {
    if (c.kind === 'physical') slots[i] = { kind: 'physical', name: c.name, type: c.type, pos: c.pos };
    if (c.kind === 'metadata') {
      const mtype = connector.metadata.get(c.key);
      if (!mtype) {
        const keys = [...connector.metadata.keys()];
        throw new SqlError(
          c.pos,
          `connector '${connector.name}' has no metadata '${c.key}'`,
          keys.length
            ? `available: ${keys.map((k) => `'${k}'`).join(', ')}`
            : `this connector provides no metadata columns`,
        );
      }
      if (
        mtype.name !== c.type.name &&
        !(isTimestamp(mtype) && isTimestamp(c.type)) &&
        c.type.name !== 'STRING'
      ) {
        throw new SqlError(
          c.pos,
          `metadata '${c.key}' is ${describeType(mtype)}, not ${describeType(c.type)}`,
          `declare ${c.name} ${typeToString(mtype)} METADATA FROM '${c.key}'`,
        );
      }
      slots[i] = { kind: 'metadata', name: c.name, type: c.type, metadataKey: c.key, pos: c.pos };
    }
  });
  const baseScope = new Map<string, TableColumn & { index: number }>();
  slots.forEach((s, i) => s && baseScope.set(s.name, { ...s, index: i }));

  stmt.columns.forEach((c, i) => {
    if (c.kind !== 'computed') return;
    // `proc AS PROCTIME()`: the time the record is read, filled by the source (as Flink's proctime attribute).
    if (
      c.expr?.type === 'function' &&
      functionName(c.expr) === 'PROCTIME' &&
      functionArgs(c.expr).length === 0
    ) {
      slots[i] = { kind: 'proctime', name: c.name, type: T.timestampLtz(3, false), pos: c.pos };
      return;
    }
    const binder = new ExprBinder({
      positions: c.positions,
      clause: `computed column '${c.name}'`,
      column: (name, _q, node) => {
        const hit = baseScope.get(name);
        if (hit) return col(hit.index, hit.name, hit.type);
        const guess = didYouMean(name, baseScope.keys());
        throw new SqlError(
          nodePos(node, c.positions),
          `unknown column '${name}' in computed column '${c.name}'`,
          guess
            ? `did you mean '${guess}'?`
            : `a computed column can use the table's physical and metadata columns`,
        );
      },
    });
    const expr = binder.bind(c.expr);
    slots[i] = { kind: 'computed', name: c.name, type: expr.type, expr, pos: c.pos };
  });
  columns.push(...(slots as TableColumn[]));

  let watermark: WatermarkSpec | undefined;
  if (stmt.watermark) {
    const w = stmt.watermark;
    const idx = columns.findIndex((c) => c.name === w.column);
    if (idx < 0) {
      const guess = didYouMean(
        w.column,
        columns.map((c) => c.name),
      );
      throw new SqlError(
        w.columnPos,
        `WATERMARK FOR '${w.column}': no such column in table '${stmt.name}'`,
        guess ? `did you mean '${guess}'?` : undefined,
      );
    }
    const rt = columns[idx]!;
    if (!isTimestamp(rt.type)) {
      throw new SqlError(
        w.columnPos,
        `WATERMARK FOR '${w.column}': the column is ${describeType(rt.type)}, it must be TIMESTAMP(3) or TIMESTAMP_LTZ(3)`,
        `declare a computed column, e.g. ts AS TO_TIMESTAMP(${w.column}) or TO_TIMESTAMP_LTZ(${w.column}, 3), and put the WATERMARK on it`,
      );
    }
    const binder = new ExprBinder({
      positions: w.positions,
      clause: 'the WATERMARK expression',
      column: (name, _q, node) => {
        const i = columns.findIndex((c) => c.name === name);
        if (i >= 0) return col(i, name, columns[i]!.type);
        throw new SqlError(
          nodePos(node, w.positions),
          `unknown column '${name}' in the WATERMARK expression`,
          `write WATERMARK FOR ${w.column} AS ${w.column} - INTERVAL '5' SECOND`,
        );
      },
    });
    const expr = binder.bind(w.expr);
    if (!isTimestamp(expr.type)) {
      throw new SqlError(
        w.pos,
        `the WATERMARK expression must give a TIMESTAMP, not ${describeType(expr.type)}`,
        `write WATERMARK FOR ${w.column} AS ${w.column} - INTERVAL '5' SECOND`,
      );
    }
    watermark = { rowtimeIndex: idx, rowtimeName: w.column, expr, text: describeWatermark(w.column, expr) };
  }

  let primaryKey: number[] | undefined;
  if (stmt.primaryKey) {
    primaryKey = stmt.primaryKey.columns.map((name) => {
      const i = columns.findIndex((c) => c.name === name);
      if (i < 0)
        throw new SqlError(
          stmt.primaryKey!.pos,
          `PRIMARY KEY column '${name}' is not a column of table '${stmt.name}'`,
        );
      // As in Flink: a key is made of physical columns (a computed or metadata column is not stored).
      if (columns[i]!.kind !== 'physical')
        throw new SqlError(
          stmt.primaryKey!.pos,
          `PRIMARY KEY column '${name}' is not a physical column of table '${stmt.name}'`,
          `a key is made of columns the table stores; remove '${name}' from PRIMARY KEY`,
        );
      return i;
    });
  }

  let format: TableDef['format'];
  let formatName: string | undefined;
  if (connector.usesFormat) {
    const fe = optionMap.get('format') ?? optionMap.get('value.format');
    if (!fe) {
      throw new SqlError(
        stmt.namePos,
        `table '${stmt.name}' (connector '${connector.name}') needs a 'format' option`,
        `add 'format' = 'csv' or 'format' = 'json'`,
      );
    }
    optionMap.delete('format');
    optionMap.delete('value.format');
    format = getFormat(fe.value);
    if (!format) {
      const guess = didYouMean(fe.value, FORMAT_NAMES);
      throw new SqlError(
        fe.pos,
        `unknown format '${fe.value}'`,
        guess ? `did you mean '${guess}'?` : `use one of: ${FORMAT_NAMES.join(', ')}`,
      );
    }
    formatName = fe.value;
  }

  return {
    name: stmt.name,
    pos: stmt.namePos,
    columns,
    watermark,
    primaryKey,
    connector,
    connectorName: connectorEntry.value,
    format,
    formatName,
    options: new OptionBag(optionMap, `table '${stmt.name}'`, stmt.namePos),
  };
}

/**
 * The filesystem connector reads and writes local files only: 'file:///data/x.csv' is the path
 * /data/x.csv, and an object store (s3://, gs://, hdfs:// ...) is refused instead of becoming a
 * local folder named 's3:'.
 */
function toLocalPath(options: Map<string, OptionEntry>): void {
  const e = options.get('path');
  const scheme = e && /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(e.value)?.[1];
  if (!e || !scheme) return;
  if (scheme.toLowerCase() === 'file') {
    options.set('path', { ...e, value: e.value.slice('file://'.length) });
    return;
  }
  throw new SqlError(
    e.pos,
    `'path' = '${e.value}': ${scheme}:// is not supported, the filesystem connector reads and writes local files only`,
    `copy the data to a local path, e.g. 'path' = 'data/transactions.csv'`,
  );
}

function describeWatermark(column: string, expr: import('./expr.js').Expr): string {
  if (
    expr.kind === 'call' &&
    expr.fn === '-' &&
    expr.args[1]?.kind === 'literal' &&
    expr.args[1].type.name === 'INTERVAL'
  ) {
    return `${column} - ${expr.args[1].value as number} ms`;
  }
  if (expr.kind === 'column') return `${column} (no delay)`;
  return `${column} (expression)`;
}
