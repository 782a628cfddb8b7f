// Planning a join: the ON condition (bound over the joined row) split into equal keys of the two
// sides, an event-time interval between their time attributes, and what remains; then the join
// node, regular or interval, as Flink's planner chooses (StreamPhysicalJoinRule and
// StreamPhysicalIntervalJoinRule: an interval join needs both bounds on the two inputs' time
// attributes and insert-only inputs).

import type { SourcePos } from '../errors.js';
import { SqlError } from '../errors.js';
import { T, withNullable, type Field } from '../types.js';
import { call, type Expr } from './expr.js';
import type { JoinNode, JoinType, LookupJoinNode, PlanNode, ScanNode, WindowSpec } from './logical.js';
import { coerce, comparisonTarget } from './typing.js';

/** The columns an expression reads. */
function columnsOf(e: Expr, out: number[] = []): number[] {
  switch (e.kind) {
    case 'column':
      out.push(e.index);
      break;
    case 'call':
      for (const a of e.args) columnsOf(a, out);
      break;
    case 'case':
      for (const w of e.whens) {
        columnsOf(w.when, out);
        columnsOf(w.then, out);
      }
      if (e.otherwise) columnsOf(e.otherwise, out);
      break;
    case 'cast':
      columnsOf(e.arg, out);
      break;
    case 'literal':
      break;
  }
  return out;
}

/** The expression with every column index moved by `delta` (a right-side expression over the right input alone). */
function shift(e: Expr, delta: number): Expr {
  switch (e.kind) {
    case 'column':
      return { ...e, index: e.index + delta };
    case 'call':
      return { ...e, args: e.args.map((a) => shift(a, delta)) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: shift(w.when, delta), then: shift(w.then, delta) })),
        otherwise: e.otherwise ? shift(e.otherwise, delta) : null,
      };
    case 'cast':
      return { ...e, arg: shift(e.arg, delta) };
    case 'literal':
      return e;
  }
}

function conjunctsOf(e: Expr): Expr[] {
  return e.kind === 'call' && e.fn === 'AND' ? e.args.flatMap(conjunctsOf) : [e];
}

/** `t` or `t ± INTERVAL` over one time attribute: the column and the constant added to it (ms). */
function timeTerm(
  e: Expr,
  isTime: (index: number) => boolean,
): { index: number; offset: number } | undefined {
  if (e.kind === 'column' && isTime(e.index)) return { index: e.index, offset: 0 };
  if (e.kind === 'call' && (e.fn === '+' || e.fn === '-') && e.args.length === 2) {
    const [a, b] = e.args as [Expr, Expr];
    if (
      a.kind === 'column' &&
      isTime(a.index) &&
      b.kind === 'literal' &&
      b.type.name === 'INTERVAL' &&
      typeof b.value === 'number'
    ) {
      return { index: a.index, offset: e.fn === '+' ? b.value : -b.value };
    }
    if (
      e.fn === '+' &&
      b.kind === 'column' &&
      isTime(b.index) &&
      a.kind === 'literal' &&
      a.type.name === 'INTERVAL' &&
      typeof a.value === 'number'
    ) {
      return { index: b.index, offset: a.value };
    }
  }
  return undefined;
}

interface Bound {
  /** left.time - right.time >= lower (lower) or <= upper (upper). */
  readonly kind: 'lower' | 'upper';
  readonly value: number;
  readonly leftTime: number;
  readonly rightTime: number;
}

/** A comparison between the two sides' time attributes as a bound on left.time - right.time. */
function timeBound(e: Expr, leftWidth: number, isTime: (index: number) => boolean): Bound[] | undefined {
  if (e.kind !== 'call') return undefined;
  if (e.fn === 'BETWEEN' && e.args.length === 3) {
    const [x, lo, hi] = e.args as [Expr, Expr, Expr];
    const a = timeBound(call('>=', [x, lo], T.boolean()), leftWidth, isTime);
    const b = timeBound(call('<=', [x, hi], T.boolean()), leftWidth, isTime);
    return a && b ? [...a, ...b] : undefined;
  }
  if (!['<', '<=', '>', '>='].includes(e.fn) || e.args.length !== 2) return undefined;
  const x = timeTerm(e.args[0]!, isTime);
  const y = timeTerm(e.args[1]!, isTime);
  if (!x || !y) return undefined;
  const xLeft = x.index < leftWidth;
  const yLeft = y.index < leftWidth;
  if (xLeft === yLeft) return undefined;
  // x.t + x.o OP y.t + y.o  →  (left - right) OP' c
  let op = e.fn;
  let c: number;
  let leftTime: number;
  let rightTime: number;
  if (xLeft) {
    c = y.offset - x.offset;
    leftTime = x.index;
    rightTime = y.index;
  } else {
    c = x.offset - y.offset;
    op = op === '<' ? '>' : op === '<=' ? '>=' : op === '>' ? '<' : '<=';
    leftTime = y.index;
    rightTime = x.index;
  }
  // Timestamps are whole milliseconds: a strict bound is the next millisecond (as Flink does).
  switch (op) {
    case '>=':
      return [{ kind: 'lower', value: c, leftTime, rightTime }];
    case '>':
      return [{ kind: 'lower', value: c + 1, leftTime, rightTime }];
    case '<=':
      return [{ kind: 'upper', value: c, leftTime, rightTime }];
    default:
      return [{ kind: 'upper', value: c - 1, leftTime, rightTime }];
  }
}

/**
 * The join node of `left` and `right` for ON `condition` (bound over [...left, ...right]).
 * `conditionPos` locates messages about the condition.
 */
export function planJoin(
  left: PlanNode,
  right: PlanNode,
  joinType: JoinType,
  condition: Expr,
  conditionPos: SourcePos,
): JoinNode {
  const leftWidth = left.schema.length;
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const rest: Expr[] = [];
  const bounds: Bound[] = [];
  /** The conjuncts that gave `bounds`: the condition again when they do not make an interval join. */
  const boundConjuncts: Expr[] = [];
  const fieldAt = (i: number): Field => (i < leftWidth ? left.schema[i]! : right.schema[i - leftWidth]!);
  const insertOnly = !left.updating && !right.updating;
  const isTime = (i: number): boolean => insertOnly && fieldAt(i).rowtime === true;

  for (const c of conjunctsOf(condition)) {
    if (c.kind === 'call' && c.fn === '=' && c.args.length === 2) {
      const [a, b] = c.args as [Expr, Expr];
      const ca = columnsOf(a);
      const cb = columnsOf(b);
      const onlyLeft = (cols: number[]) => cols.length > 0 && cols.every((i) => i < leftWidth);
      const onlyRight = (cols: number[]) => cols.length > 0 && cols.every((i) => i >= leftWidth);
      const pair =
        onlyLeft(ca) && onlyRight(cb) ? [a, b] : onlyRight(ca) && onlyLeft(cb) ? [b, a] : undefined;
      if (pair) {
        const target = comparisonTarget(pair[0]!.type, pair[1]!.type);
        const l = target && target !== 'same' ? coerce(pair[0]!, target) : pair[0]!;
        const r = target && target !== 'same' ? coerce(pair[1]!, target) : pair[1]!;
        leftKeys.push(l);
        rightKeys.push(shift(r, -leftWidth));
        continue;
      }
    }
    const b = timeBound(c, leftWidth, isTime);
    if (b) {
      bounds.push(...b);
      boundConjuncts.push(c);
      continue;
    }
    rest.push(c);
  }

  // Window join: the keys hold window_start = window_start and window_end = window_end of two
  // results of the same window (Flink's WindowJoinUtil.satisfyWindowJoin).
  const window = windowJoin(left, right, leftKeys, rightKeys);
  if (window) {
    const restCondition = [...rest, ...boundConjuncts];
    const padLeftW = joinType === 'RIGHT' || joinType === 'FULL';
    const padRightW = joinType === 'LEFT' || joinType === 'FULL';
    return {
      kind: 'join',
      inputs: [left, right],
      joinType,
      leftKeys,
      rightKeys,
      condition:
        restCondition.length === 0
          ? null
          : restCondition.reduce((a, b) =>
              call('AND', [a, b], T.boolean(a.type.nullable || b.type.nullable)),
            ),
      window,
      schema: [
        ...left.schema.map((f) => ({ ...f, type: padLeftW ? withNullable(f.type, true) : f.type })),
        ...right.schema.map((f) => ({ ...f, type: padRightW ? withNullable(f.type, true) : f.type })),
      ],
      updating: false,
    };
  }

  const lowers = bounds.filter((b) => b.kind === 'lower');
  const uppers = bounds.filter((b) => b.kind === 'upper');
  let interval: JoinNode['interval'];
  if (lowers.length > 0 && uppers.length > 0) {
    const leftTime = lowers[0]!.leftTime;
    const rightTime = lowers[0]!.rightTime;
    if (bounds.some((b) => b.leftTime !== leftTime || b.rightTime !== rightTime)) {
      throw new SqlError(
        conditionPos,
        `an interval join's time bounds must all compare the same two time attributes`,
        `write e.g. a.ts BETWEEN b.ts - INTERVAL '1' HOUR AND b.ts`,
      );
    }
    interval = {
      leftTimeIndex: leftTime,
      rightTimeIndex: rightTime - leftWidth,
      lower: Math.max(...lowers.map((b) => b.value)),
      upper: Math.min(...uppers.map((b) => b.value)),
    };
  } else {
    // One bound alone does not bound the state: a regular join, the comparison an ordinary condition.
    rest.push(...boundConjuncts);
  }
  const restCondition =
    rest.length === 0
      ? null
      : rest.reduce((a, b) => call('AND', [a, b], T.boolean(a.type.nullable || b.type.nullable)));
  const padLeft = joinType === 'RIGHT' || joinType === 'FULL';
  const padRight = joinType === 'LEFT' || joinType === 'FULL';
  const schema: Field[] = [
    ...left.schema.map((f) => ({
      name: f.name,
      type: padLeft ? withNullable(f.type, true) : f.type,
      ...(interval && f.rowtime ? { rowtime: true as const } : {}),
    })),
    ...right.schema.map((f) => ({
      name: f.name,
      type: padRight ? withNullable(f.type, true) : f.type,
      ...(interval && f.rowtime ? { rowtime: true as const } : {}),
    })),
  ];
  const updating = interval ? false : !(joinType === 'INNER' && insertOnly);
  return {
    kind: 'join',
    inputs: [left, right],
    joinType,
    leftKeys,
    rightKeys,
    condition: restCondition,
    ...(interval ? { interval } : {}),
    schema,
    updating,
  };
}

/**
 * The key of a versioned view, as Flink infers it: the rows of a deduplication keeping the last row
 * per key by event time (ROW_NUMBER() OVER (PARTITION BY k ORDER BY ts DESC) with rn = 1), through
 * filters and projections that keep the key columns. Undefined for anything else.
 */
export function versionedViewKey(node: PlanNode): readonly number[] | undefined {
  switch (node.kind) {
    case 'deduplicate': {
      if (!node.keepLast || node.proctime || node.window) return undefined;
      const keys = node.keys.map((k) => (k.kind === 'column' ? k.index : -1));
      return keys.length > 0 && keys.every((k) => k >= 0) ? keys : undefined;
    }
    case 'filter':
      return versionedViewKey(node.inputs[0]!);
    case 'project': {
      const inner = versionedViewKey(node.inputs[0]!);
      if (!inner) return undefined;
      const out = inner.map((k) => node.exprs.findIndex((e) => e.kind === 'column' && e.index === k));
      return out.every((i) => i >= 0) ? out : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * `left JOIN right FOR SYSTEM_TIME AS OF left.time ON ...`: the right side must be a versioned
 * table (a PRIMARY KEY and a time attribute), and the ON condition must equal its whole key, as
 * Flink requires.
 */
export function planTemporalJoin(
  left: PlanNode,
  right: PlanNode,
  joinType: JoinType,
  condition: Expr,
  leftTimeIndex: number,
  versioned: { name: string; primaryKey: readonly number[] | undefined },
  pos: SourcePos,
): JoinNode {
  if (joinType !== 'INNER' && joinType !== 'LEFT')
    throw new SqlError(
      pos,
      `a temporal join (FOR SYSTEM_TIME AS OF) must be an INNER or LEFT join, as in Flink`,
      `write JOIN or LEFT JOIN`,
    );
  if (left.updating)
    throw new SqlError(
      pos,
      `a temporal join's left side must be insert-only, as in Flink`,
      `join the input rows, then aggregate`,
    );
  const rightTimeIndex = right.schema.findIndex((f) => f.rowtime);
  if (!versioned.primaryKey || rightTimeIndex < 0) {
    throw new SqlError(
      pos,
      `'${versioned.name}' is not a versioned table: an event-time temporal join needs a PRIMARY KEY and a time attribute (WATERMARK) on it, as Flink does`,
      `declare PRIMARY KEY (...) NOT ENFORCED and a WATERMARK in CREATE TABLE ${versioned.name}`,
    );
  }
  const plain = planJoin(
    left,
    { ...right, schema: right.schema.map(({ rowtime: _r, ...f }) => f) },
    joinType,
    condition,
    pos,
  );
  const keyColumns = plain.rightKeys.map((k) => (k.kind === 'column' ? k.index : -1));
  const missing = versioned.primaryKey.filter((i) => !keyColumns.includes(i));
  if (missing.length > 0 || keyColumns.some((i) => i < 0)) {
    throw new SqlError(
      pos,
      `a temporal join must join on the whole PRIMARY KEY of '${versioned.name}' (${versioned.primaryKey.map((i) => right.schema[i]!.name).join(', ')}), each equal to a column of the other side`,
      `write ON l.x = ${versioned.name}.${right.schema[versioned.primaryKey[0]!]!.name} ...`,
    );
  }
  const { interval: _i, ...rest } = plain;
  return {
    ...rest,
    inputs: [left, right],
    // The left rows keep their time attribute; the right side's is a plain timestamp.
    schema: [...left.schema, ...plain.schema.slice(left.schema.length)],
    temporal: { leftTimeIndex, rightTimeIndex },
    updating: false,
  };
}

/** Where column `index` of `node` comes from, if it is the window_start or window_end of a window aggregate or TVF. */
function windowColumnOrigin(
  node: PlanNode,
  index: number,
): { which: 'start' | 'end'; window: WindowSpec } | undefined {
  switch (node.kind) {
    case 'project': {
      const e = node.exprs[index];
      return e?.kind === 'column' ? windowColumnOrigin(node.inputs[0]!, e.index) : undefined;
    }
    case 'filter':
      return windowColumnOrigin(node.inputs[0]!, index);
    case 'window-aggregate':
      if (index === node.keys.length) return { which: 'start', window: node.window };
      if (index === node.keys.length + 1) return { which: 'end', window: node.window };
      return undefined;
    case 'window-table': {
      // A window TVF's rows (no GROUP BY): Flink's window join over TUMBLE(...) directly.
      const at = index - node.inputs[0]!.schema.length;
      return at === 0
        ? { which: 'start', window: node.window }
        : at === 1
          ? { which: 'end', window: node.window }
          : undefined;
    }
    default:
      return undefined;
  }
}

function sameWindow(a: WindowSpec, b: WindowSpec): boolean {
  return (
    a.kind === b.kind &&
    a.sizeMs === b.sizeMs &&
    a.slideMs === b.slideMs &&
    a.offsetMs === b.offsetMs &&
    a.kind !== 'SESSION'
  );
}

function windowJoin(
  left: PlanNode,
  right: PlanNode,
  leftKeys: readonly Expr[],
  rightKeys: readonly Expr[],
): JoinNode['window'] {
  if (left.updating || right.updating) return undefined;
  let start = false;
  let end: { left: number; right: number } | undefined;
  leftKeys.forEach((l, i) => {
    const r = rightKeys[i]!;
    if (l.kind !== 'column' || r.kind !== 'column') return;
    const a = windowColumnOrigin(left, l.index);
    const b = windowColumnOrigin(right, r.index);
    if (!a || !b || a.which !== b.which || !sameWindow(a.window, b.window)) return;
    if (a.which === 'start') start = true;
    else end = { left: l.index, right: r.index };
  });
  return start && end ? { leftEndIndex: end.left, rightEndIndex: end.right } : undefined;
}

/**
 * A semi join (rows of `left` that have a partner in `right`) or anti join (rows that have none):
 * WHERE x IN / EXISTS and NOT IN / NOT EXISTS. `condition` is over [...left, ...right]; its
 * equalities between the sides become keys. Output: the left rows; an anti join is updating (a row
 * goes out while it has no partner and is taken back when one arrives), a semi join only when an
 * input is.
 */
export function planSemiJoin(
  left: PlanNode,
  right: PlanNode,
  anti: boolean,
  condition: Expr,
  pos: SourcePos,
): JoinNode {
  const plain = planJoin(
    left,
    { ...right, schema: right.schema.map(({ rowtime: _r, ...f }) => f) },
    'INNER',
    condition,
    pos,
  );
  // Time bounds in a sub-query's condition stay an ordinary condition (with every key) here.
  const { interval: _i, window: _w, ...rest } = plain;
  const residual = plain.interval ? condition : plain.condition;
  // Both sides rows of the same window TVF, correlated on window_start and window_end: a window
  // semi/anti join (Flink's), decided when the window closes, so insert-only.
  const window = plain.interval ? undefined : plain.window;
  return {
    ...rest,
    ...(plain.interval ? { leftKeys: [], rightKeys: [] } : {}),
    ...(window ? { window } : {}),
    condition: residual,
    joinType: anti ? 'ANTI' : 'SEMI',
    inputs: [left, right],
    schema: left.schema,
    updating: window ? false : anti || left.updating || right.updating,
  };
}

/**
 * `left JOIN t FOR SYSTEM_TIME AS OF left.proc_time ON ...` (a lookup join): the ON condition must
 * equal at least one of the table's physical columns to a value of the left side, as Flink
 * requires; those are the lookup keys, the rest stays a condition on the joined row.
 */
export function planLookupJoin(
  left: PlanNode,
  scan: ScanNode,
  joinType: JoinType,
  condition: Expr,
  pos: SourcePos,
): LookupJoinNode {
  if (joinType !== 'INNER' && joinType !== 'LEFT')
    throw new SqlError(
      pos,
      `a lookup join must be an INNER or LEFT join, as in Flink`,
      `write JOIN or LEFT JOIN`,
    );
  const table = scan.table;
  const plain = planJoin(
    left,
    { ...scan, schema: scan.schema.map(({ rowtime: _r, ...f }) => f) },
    'INNER',
    condition,
    pos,
  );
  const physical = table.columns.map((c, i) => (c.kind === 'physical' ? i : -1)).filter((i) => i >= 0);
  const keys: Expr[] = [];
  const keyColumns: number[] = [];
  const rest: Expr[] = plain.condition ? [plain.condition] : [];
  plain.rightKeys.forEach((r, i) => {
    const l = plain.leftKeys[i]!;
    const p = r.kind === 'column' ? physical.indexOf(r.index) : -1;
    if (r.kind !== 'column' || p < 0 || keyColumns.includes(p)) {
      // Not a plain column of the table: checked on the joined row instead.
      rest.push(call('=', [l, shift(r, left.schema.length)], T.boolean()));
      return;
    }
    keys.push(coerce(l, table.columns[r.index]!.type));
    keyColumns.push(p);
  });
  if (keys.length === 0) {
    throw new SqlError(
      pos,
      `a lookup join needs an equality between a column of '${table.name}' and a value of the other side`,
      `write ON o.account = ${table.name}.${table.columns[physical[0] ?? 0]?.name ?? 'id'}`,
    );
  }
  const padRight = joinType === 'LEFT';
  return {
    kind: 'lookup-join',
    inputs: [left],
    table,
    joinType,
    keys,
    keyColumns,
    condition:
      rest.length === 0
        ? null
        : rest.reduce((a, b) => call('AND', [a, b], T.boolean(a.type.nullable || b.type.nullable))),
    schema: [
      ...left.schema,
      ...table.columns.map((c) => ({ name: c.name, type: padRight ? withNullable(c.type, true) : c.type })),
    ],
    updating: left.updating,
  };
}
