// Accumulators that can take a value back (Accumulator.retract), for a running GROUP BY over an
// updating input: a -U/-D row takes its values back out of its group's states. Each follows the
// Flink 1.20 function the planner picks when an aggregate must consume retractions, state and
// results alike:
//
//   COUNT(*), COUNT      Count1AggFunction / CountAggFunction: the count goes down
//   SUM                  SumWithRetractAggFunction: a sum and a count of non-null values; NULL
//                        when the count is back at 0 (the sum itself is not reset)
//   AVG                  AvgAggFunction: sum - value, count - 1
//   MIN, MAX             Min/MaxWithRetractAggFunction: a multiset value → count and the extreme
//   FIRST/LAST_VALUE     First/LastValueWithRetractAggFunction: values by arrival order
//   LISTAGG              ListAgg[Ws]WithRetractAggFunction: the list, a retract removes the first
//                        equal element
//   DISTINCT             the planner's distinct map (DistinctAggCodeGen): value → count; the
//                        inner aggregate sees a value when its count becomes 1 and gives it back
//                        when its count returns to 0
//
// STDDEV/VAR are SUM and COUNT calls to the engine (engine/plan/statistics.ts), so they retract
// through these. The running GROUP BY is one-phase in Flink, so the DOUBLE sums here are plain
// sums: the per-flush partial sums of the window operators (local-flush.ts) do not apply.
// None of these merge: a retracting aggregate never runs as HOP slices.

import type { AggregateCall } from '../plan/expr.js';
import { isIntegral, type SqlType } from '../types.js';
import { InternalError, MAX_STRING_LENGTH } from '../errors.js';
import { longSub } from '../int64.js';
import { compareStrings } from './functions.js';
import {
  argType,
  averageArithmetic,
  avgStateJSON,
  decodeValue,
  encodeValue,
  listaggFormat,
  listaggTooLong,
  resultConverter,
  sumOf,
  type Accumulator,
} from './aggregates.js';

/** An Accumulator whose retract is always there. */
export type RetractingAccumulator = Accumulator & { retract(state: unknown, value: unknown): unknown };

/** The retracting accumulator of one aggregate call (see the table at the top of this file). */
export function createRetractingAccumulator(call: AggregateCall): RetractingAccumulator {
  const base = baseRetracting(call);
  return call.distinct && call.fn !== 'COUNT_STAR' ? countedDistinctOf(base) : base;
}

function baseRetracting(call: AggregateCall): RetractingAccumulator {
  switch (call.fn) {
    case 'COUNT_STAR':
      return countAccumulator(() => true);
    case 'COUNT':
      return countAccumulator((v) => v !== null && v !== undefined);
    case 'SUM':
      return sumWithRetract(call);
    case 'AVG':
      return avgWithRetract(call);
    case 'MIN':
    case 'MAX':
      return extremeWithRetract(call, call.fn === 'MAX');
    case 'FIRST_VALUE':
    case 'LAST_VALUE':
      return arrivalOrderWithRetract(call, call.fn === 'LAST_VALUE');
    case 'LISTAGG':
      return listaggWithRetract(call);
    default:
      throw new InternalError(
        `no retracting accumulator for aggregate '${String((call as AggregateCall).fn)}'`,
      );
  }
}

const isNull = (v: unknown): boolean => v === null || v === undefined;

// ---------------------------------------------------------------------------------------------
// COUNT

function countAccumulator(counts: (v: unknown) => boolean): RetractingAccumulator {
  return {
    create: () => 0,
    add: (s, v) => (counts(v) ? (s as number) + 1 : s),
    retract: (s, v) => (counts(v) ? (s as number) - 1 : s),
    result: (s) => s,
    toJSON: (s) => s,
    fromJSON: (j) => Number(j),
  };
}

// ---------------------------------------------------------------------------------------------
// SUM and AVG

/** `a - b` of two non-null values of type `t`, with Java's overflow for integral types (see sumOf). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- number or bigint by the argument's SQL type, chosen once at compile time
function differenceOf(t: SqlType): (a: any, b: any) => unknown {
  switch (t.name) {
    case 'BIGINT':
      return longSub;
    case 'INT':
      return (a: number, b: number) => (a - b) | 0;
    case 'SMALLINT':
      return (a: number, b: number) => ((a - b) << 16) >> 16;
    case 'TINYINT':
      return (a: number, b: number) => ((a - b) << 24) >> 24;
    default:
      return (a: number, b: number) => a - b; // DOUBLE, FLOAT, and DECIMAL's bigints
  }
}

interface SumState {
  /** null until the first value comes or goes (then 0 - value). */
  sum: unknown;
  /** Non-null values added minus those taken back: the result is NULL at 0. */
  count: number;
}

/** SUM as SumWithRetractAggFunction, in the argument's type as the insert-only sum (sumAccumulator). */
function sumWithRetract(call: AggregateCall): RetractingAccumulator {
  const t = argType(call);
  const plus = sumOf(t);
  const minus = differenceOf(t);
  const zero = t.name === 'DECIMAL' ? 0n : 0;
  const convert = resultConverter(call);
  return {
    create: (): SumState => ({ sum: null, count: 0 }),
    add: (s, v) => {
      if (isNull(v)) return s;
      const st = s as SumState;
      st.sum = st.sum === null ? v : plus(st.sum, v);
      st.count++;
      return st;
    },
    retract: (s, v) => {
      if (isNull(v)) return s;
      const st = s as SumState;
      st.sum = minus(st.sum === null ? zero : st.sum, v);
      st.count--;
      return st;
    },
    result: (s) => ((s as SumState).count === 0 ? null : convert((s as SumState).sum)),
    toJSON: (s) => ({ sum: encodeValue((s as SumState).sum), count: (s as SumState).count }),
    fromJSON: (j) => ({
      sum: decodeValue((j as { sum: unknown }).sum),
      count: (j as { count: number }).count,
    }),
  };
}

interface AvgState {
  sum: number | bigint;
  count: number;
}

/** AVG as AvgAggFunction: a sum from 0 and a count (DOUBLE too: one phase, no partial sums). */
function avgWithRetract(call: AggregateCall): RetractingAccumulator {
  const { zero, plus, average } = averageArithmetic(call);
  // Integral sums are longs (as in averageArithmetic); DOUBLE numbers and DECIMAL bigints subtract as they are.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- number or bigint by the argument's SQL type, chosen once at compile time
  const minus: (a: any, b: any) => number | bigint = isIntegral(argType(call)) ? longSub : (a, b) => a - b;
  return {
    create: (): AvgState => ({ sum: zero, count: 0 }),
    add: (s, v) => {
      if (isNull(v)) return s;
      const st = s as AvgState;
      st.sum = plus(st.sum, v);
      st.count++;
      return st;
    },
    retract: (s, v) => {
      if (isNull(v)) return s;
      const st = s as AvgState;
      st.sum = minus(st.sum, v);
      st.count--;
      return st;
    },
    result: (s) => ((s as AvgState).count === 0 ? null : average((s as AvgState).sum, (s as AvgState).count)),
    ...avgStateJSON,
  };
}

// ---------------------------------------------------------------------------------------------
// MIN and MAX

/**
 * Java's compareTo on the values of one MIN/MAX argument. Strings by code points, as the insert-only
 * MIN/MAX (compareStrings); numbers, bigints (DECIMAL, large BIGINT), booleans and timestamps by
 * value, and NaN above every number and equal to itself, as Double.compareTo puts it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- values of the argument's SQL type (number, bigint, string, boolean), chosen once at compile time
function valueOrder(t: SqlType): (a: any, b: any) => number {
  if (t.name === 'STRING') return compareStrings;
  return (a, b) => {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    const aNaN = a !== a;
    return aNaN === (b !== b) ? 0 : aNaN ? 1 : -1;
  };
}

/** Java's equals on two values of one argument: === but NaN equals NaN. */
function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

interface ExtremeState {
  /** The current extreme; meaningful while `size` > 0. */
  extreme: unknown;
  /** How many values have a positive count (Flink's mapSize: negative counts are not counted). */
  size: number;
  /** value → how many times it was added minus taken back; never 0 (removed then). */
  readonly counts: Map<unknown, number>;
}

/**
 * MIN / MAX as Min/MaxWithRetractAggFunction, step for step: a value taken back before it was
 * added leaves a negative count behind, and taking back the extreme scans all counted values.
 */
function extremeWithRetract(call: AggregateCall, isMax: boolean): RetractingAccumulator {
  const order = valueOrder(argType(call));
  // `a` comes before `b` in the direction of the extreme (MAX: a < b).
  const beaten = isMax
    ? (a: unknown, b: unknown) => order(a, b) < 0
    : (a: unknown, b: unknown) => order(a, b) > 0;
  const convert = resultConverter(call);
  const rescan = (st: ExtremeState): void => {
    let found = false;
    for (const v of st.counts.keys()) {
      if (!found || beaten(st.extreme, v)) {
        st.extreme = v;
        found = true;
      }
    }
    if (!found) {
      st.size = 0;
      st.extreme = null;
    }
  };
  return {
    create: (): ExtremeState => ({ extreme: null, size: 0, counts: new Map() }),
    add: (s, v) => {
      if (isNull(v)) return s;
      const st = s as ExtremeState;
      if (st.size === 0 || beaten(st.extreme, v)) st.extreme = v;
      const count = (st.counts.get(v) ?? 0) + 1;
      if (count === 0) st.counts.delete(v);
      else st.counts.set(v, count);
      if (count === 1) st.size++;
      return st;
    },
    retract: (s, v) => {
      if (isNull(v)) return s;
      const st = s as ExtremeState;
      const count = (st.counts.get(v) ?? 0) - 1;
      if (count !== 0) {
        st.counts.set(v, count);
        return st;
      }
      st.counts.delete(v);
      st.size--;
      if (st.size === 0) st.extreme = null;
      else if (sameValue(v, st.extreme)) rescan(st);
      return st;
    },
    result: (s) => ((s as ExtremeState).size > 0 ? convert((s as ExtremeState).extreme) : null),
    toJSON: (s) => {
      const st = s as ExtremeState;
      return {
        extreme: encodeValue(st.extreme),
        size: st.size,
        counts: Array.from(st.counts, ([v, n]) => [encodeValue(v), n]),
      };
    },
    fromJSON: (j) => {
      const o = j as { extreme: unknown; size: number; counts: [unknown, number][] };
      return {
        extreme: decodeValue(o.extreme),
        size: o.size,
        counts: new Map(o.counts.map(([v, n]) => [decodeValue(v), n])),
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// FIRST_VALUE and LAST_VALUE

interface ArrivalState {
  /** The current first (last) value and its arrival number; null when there is none. */
  value: unknown;
  order: number | null;
  /** The arrival number the next value gets. */
  next: number;
  /** arrival number → value, in arrival order (so in increasing numbers). */
  readonly byOrder: Map<number, unknown>;
  /** value → its arrival numbers, earliest first. */
  readonly orders: Map<unknown, number[]>;
}

/**
 * FIRST_VALUE / LAST_VALUE as First/LastValueWithRetractAggFunction. Flink numbers values by the
 * wall clock (System.currentTimeMillis), keeping values of one millisecond in arrival order under
 * one number; a counter numbering every value gives the same results, deterministically. A value
 * taken back removes its earliest occurrence; when it equals the current first (last) value, the
 * first (last) value is looked up again among those left.
 */
function arrivalOrderWithRetract(call: AggregateCall, isLast: boolean): RetractingAccumulator {
  const convert = resultConverter(call);
  /** After taking back the current value: the earliest (latest) one left, as Flink looks it up from `order`. */
  const lookUpAgain = (st: ArrivalState): void => {
    const from = st.order!;
    let found: number | null = null;
    for (const order of st.byOrder.keys()) {
      if (isLast) {
        if (order > from) break;
        found = order;
      } else if (order >= from) {
        found = order;
        break;
      }
    }
    st.order = found;
    st.value = found === null ? null : st.byOrder.get(found);
  };
  return {
    create: (): ArrivalState => ({
      value: null,
      order: null,
      next: 0,
      byOrder: new Map(),
      orders: new Map(),
    }),
    add: (s, v) => {
      if (isNull(v)) return s;
      const st = s as ArrivalState;
      const order = st.next++;
      const list = st.orders.get(v);
      if (list) list.push(order);
      else st.orders.set(v, [order]);
      st.byOrder.set(order, v);
      // Numbers only grow: FIRST_VALUE changes only when there is none, LAST_VALUE always.
      if (isLast || st.order === null) {
        st.value = v;
        st.order = order;
      }
      return st;
    },
    retract: (s, v) => {
      if (isNull(v)) return s;
      const st = s as ArrivalState;
      const list = st.orders.get(v);
      if (!list) return st;
      const order = list.shift()!;
      if (list.length === 0) st.orders.delete(v);
      st.byOrder.delete(order);
      if (sameValue(v, st.value)) lookUpAgain(st);
      return st;
    },
    result: (s) => convert((s as ArrivalState).value),
    toJSON: (s) => {
      const st = s as ArrivalState;
      // `orders` follows from `byOrder`; the current value is kept as Flink keeps it.
      return {
        value: encodeValue(st.value),
        order: st.order,
        next: st.next,
        byOrder: Array.from(st.byOrder, ([o, v]) => [o, encodeValue(v)]),
      };
    },
    fromJSON: (j) => {
      const o = j as { value: unknown; order: number | null; next: number; byOrder: [number, unknown][] };
      const st: ArrivalState = {
        value: decodeValue(o.value),
        order: o.order,
        next: o.next,
        byOrder: new Map(),
        orders: new Map(),
      };
      for (const [order, encoded] of o.byOrder) {
        const v = decodeValue(encoded);
        st.byOrder.set(order, v);
        const list = st.orders.get(v);
        if (list) list.push(order);
        else st.orders.set(v, [order]);
      }
      return st;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LISTAGG

interface ListState {
  readonly items: string[];
  /** items joined by the separator, or undefined after a take-back until the next result(). */
  joined: string | undefined;
}

/**
 * LISTAGG as ListAgg[Ws]WithRetractAggFunction: values appended in arrival order, a value taken
 * back removes its first occurrence (so an updated value moves to the end). Flink also records a
 * value taken back that is not in the list (its retractList), but reads that record only when it
 * merges two states (two-phase aggregation), never for a result, so it is not kept here.
 */
function listaggWithRetract(call: AggregateCall): RetractingAccumulator {
  const { separator, toText } = listaggFormat(call);
  const join = (items: readonly string[]): string => {
    let length = separator.length * (items.length - 1);
    for (const item of items) length += item.length;
    if (length > MAX_STRING_LENGTH) throw listaggTooLong();
    return items.join(separator);
  };
  return {
    create: (): ListState => ({ items: [], joined: '' }),
    add: (s, v) => {
      if (isNull(v)) return s;
      const st = s as ListState;
      const text = toText(v);
      if (st.joined !== undefined) {
        if (st.items.length === 0) st.joined = text;
        else if (st.joined.length + separator.length + text.length > MAX_STRING_LENGTH)
          throw listaggTooLong();
        else st.joined = st.joined + separator + text;
      }
      st.items.push(text);
      return st;
    },
    retract: (s, v) => {
      if (isNull(v)) return s;
      const st = s as ListState;
      const at = st.items.indexOf(toText(v));
      if (at >= 0) {
        st.items.splice(at, 1);
        st.joined = undefined;
      }
      return st;
    },
    result: (s) => {
      const st = s as ListState;
      if (st.items.length === 0) return null;
      st.joined ??= join(st.items);
      return st.joined;
    },
    toJSON: (s) => [...(s as ListState).items],
    fromJSON: (j) => ({ items: [...(j as string[])], joined: undefined }),
  };
}

// ---------------------------------------------------------------------------------------------
// DISTINCT

interface CountedDistinctState {
  /** value → rows holding it, added minus taken back; never 0 (removed then). */
  readonly counts: Map<unknown, number>;
  inner: unknown;
}

/**
 * DISTINCT over an updating input, as Flink's distinct map with retraction: a value reaches the
 * inner aggregate when its count goes from 0 to 1 and is taken back from it when its count
 * returns to 0. Counts may go below 0 (a value taken back before it came), as in Flink.
 */
function countedDistinctOf(base: RetractingAccumulator): RetractingAccumulator {
  const step = (st: CountedDistinctState, v: unknown, delta: 1 | -1): number => {
    const count = (st.counts.get(v) ?? 0) + delta;
    if (count === 0) st.counts.delete(v);
    else st.counts.set(v, count);
    return count;
  };
  return {
    create: (): CountedDistinctState => ({ counts: new Map(), inner: base.create() }),
    add: (s, v) => {
      if (isNull(v)) return s;
      const st = s as CountedDistinctState;
      if (step(st, v, 1) === 1) st.inner = base.add(st.inner, v);
      return st;
    },
    retract: (s, v) => {
      if (isNull(v)) return s;
      const st = s as CountedDistinctState;
      if (step(st, v, -1) === 0) st.inner = base.retract(st.inner, v);
      return st;
    },
    result: (s) => base.result((s as CountedDistinctState).inner),
    toJSON: (s) => {
      const st = s as CountedDistinctState;
      return { counts: Array.from(st.counts, ([v, n]) => [encodeValue(v), n]), inner: base.toJSON(st.inner) };
    },
    fromJSON: (j) => {
      const o = j as { counts: [unknown, number][]; inner: unknown };
      return {
        counts: new Map(o.counts.map(([v, n]) => [decodeValue(v), n])),
        inner: base.fromJSON(o.inner),
      };
    },
  };
}
