// GROUPING SETS, ROLLUP and CUBE as a planner rule, as Calcite's Expand: every input row goes once
// to each grouping set, with the set's keys as they are and the other keys NULL, plus the set's
// number ($e); one aggregate then groups by all the keys and $e (so a set's NULL key never meets
// another set's group). The copies are a UNION ALL of projections of the one input (a fan-out:
// the input is read once). The original key columns stay untouched beside the copies, so an
// aggregate over a key column (COUNT(a) in GROUP BY ROLLUP(a)) still sees its value, as Flink's
// DecomposeGroupingSetsRule keeps it. GROUPING(k) / GROUPING_ID(k, ...) become a CASE on $e.

import { SqlError, type SourcePos } from '../errors.js';
import type { SqlExpr } from '../sql/nodes.js';
import { GROUPING_SETS_MARK } from '../sql/grouping-sets.js';
import { T, withNullable, type Field } from '../types.js';
import { canonical, columnName, functionArgs, functionName } from './bind.js';
import { col, type Expr } from './expr.js';
import type { PlanNode } from './logical.js';

/** A GROUP BY with grouping sets, read: the plain items (in every set) and the sets over `keys`. */
export interface GroupingSets {
  readonly plain: SqlExpr[];
  /** The distinct keys the sets name, in order of appearance. */
  readonly keys: SqlExpr[];
  /** Each set as indexes into `keys`. */
  readonly sets: number[][];
}

const SET_FUNCTIONS = new Set([GROUPING_SETS_MARK, 'ROLLUP', 'CUBE']);

function isSetItem(node: SqlExpr): boolean {
  return node?.type === 'function' && SET_FUNCTIONS.has(functionName(node));
}

/**
 * The grouping sets of a GROUP BY list, or undefined when it has none. Several set items multiply
 * (GROUP BY ROLLUP(a), CUBE(b) is every pair), plain items are in every set.
 */
export function readGroupingSets(
  items: readonly SqlExpr[],
  err: (n: SqlExpr, m: string, h?: string) => SqlError,
): GroupingSets | undefined {
  if (!items.some(isSetItem)) return undefined;
  const keys: SqlExpr[] = [];
  const canon: string[] = [];
  const keyIndex = (n: SqlExpr): number => {
    if (n?.type === 'function' && (SET_FUNCTIONS.has(functionName(n)) || functionName(n) === 'GROUPING'))
      throw err(
        n,
        `${functionName(n) === GROUPING_SETS_MARK ? 'GROUPING SETS' : functionName(n)} inside a grouping set is not supported`,
        `write the sets out in one GROUPING SETS (...)`,
      );
    const c = canonical(n);
    let i = canon.indexOf(c);
    if (i < 0) {
      keys.push(n);
      canon.push(c);
      i = keys.length - 1;
    }
    return i;
  };
  const plain: SqlExpr[] = [];
  let sets: number[][] = [[]];
  for (const item of items) {
    if (!isSetItem(item)) {
      plain.push(item);
      continue;
    }
    const name = functionName(item);
    const args = functionArgs(item);
    let itemSets: number[][];
    if (name === GROUPING_SETS_MARK) {
      // An argument is a set: `(a, b)` an expression list, `(a)` or `a` one key, the number 0 the empty set.
      itemSets = args.map((a) => {
        if (a.type === 'number' && Number(a.value) === 0) return [];
        if (a.type === 'expr_list') return a.value.map(keyIndex);
        return [keyIndex(a)];
      });
    } else {
      const ks = args.map(keyIndex);
      if (name === 'ROLLUP') itemSets = ks.map((_, n) => ks.slice(0, ks.length - n)).concat([[]]);
      else {
        itemSets = [];
        // CUBE: every subset, the full set first, as Calcite lists them.
        for (let mask = (1 << ks.length) - 1; mask >= 0; mask--)
          itemSets.push(ks.filter((_, i) => mask & (1 << (ks.length - 1 - i))));
      }
    }
    sets = sets.flatMap((s) => itemSets.map((t) => [...new Set([...s, ...t])]));
  }
  return { plain, keys, sets };
}

/**
 * `input` once per set: its own columns, then each set key (NULL outside the set), then $e, the
 * set's number. `keys` are the set keys bound over `input`.
 */
export function expandForSets(
  input: PlanNode,
  keys: readonly Expr[],
  names: readonly string[],
  sets: readonly number[][],
): PlanNode {
  const own = input.schema.map((f, i) => col(i, f.name, f.type));
  const schema: Field[] = [
    ...input.schema,
    ...keys.map((k, j) => ({ name: names[j]!, type: withNullable(k.type, true) })),
    { name: '$e', type: T.int(false) },
  ];
  const branches: PlanNode[] = sets.map((set, e) => ({
    kind: 'project',
    inputs: [input],
    exprs: [
      ...own,
      ...keys.map((k, j) =>
        set.includes(j) ? k : ({ kind: 'literal', value: null, type: withNullable(k.type, true) } as Expr),
      ),
      { kind: 'literal', value: e, type: T.int(false) },
    ],
    schema,
    updating: input.updating,
  }));
  return { kind: 'union', inputs: branches, schema, updating: input.updating };
}

/**
 * GROUPING(k1, ...) / GROUPING_ID(k1, ...): per set, bit i (from the left) is 1 when ki is not in
 * the set; a CASE on $e (a literal when every set gives the same). `inSet(node)` says, per set,
 * whether a key is in it (undefined: not a GROUP BY key).
 */
export function groupingCall(
  node: SqlExpr,
  inSet: (key: SqlExpr) => readonly boolean[] | undefined,
  setCount: number,
  setIndex: Expr | undefined,
  pos: SourcePos,
): Expr {
  const args = functionArgs(node);
  const name = functionName(node);
  if (args.length === 0)
    throw new SqlError(pos, `${name} needs at least one GROUP BY key`, `write ${name}(key)`);
  const values = Array.from({ length: Math.max(1, setCount) }, () => 0);
  args.forEach((a, i) => {
    const member = inSet(a);
    if (!member)
      throw new SqlError(
        pos,
        `${name}'s argument ${a?.type === 'column_ref' ? `'${columnName(a)}' ` : ''}is not a GROUP BY key`,
        `pass ${name} the keys of GROUP BY`,
      );
    member.forEach((m, s) => {
      if (!m) values[s] = values[s]! + 2 ** (args.length - 1 - i);
    });
  });
  const lit = (v: number): Expr => ({ kind: 'literal', value: v, type: T.bigint(false) });
  if (!setIndex || values.every((v) => v === values[0])) return lit(values[0]!);
  return {
    kind: 'case',
    whens: values.slice(0, -1).map((v, s) => ({
      when: {
        kind: 'call',
        fn: '=',
        args: [setIndex, { kind: 'literal', value: s, type: T.int(false) }],
        type: T.boolean(false),
      },
      then: lit(v),
    })),
    otherwise: lit(values[values.length - 1]!),
    type: T.bigint(false),
  };
}
