// Aggregate accumulators shared by window and group aggregation (one interface, DataFusion-style).
//
// A state is a plain value (a number, a bigint, a string, a small object) that the operator keeps
// in its own slot: all of a group's states live in one array, and checkpoints snapshot them through
// toJSON. SQL rules: every aggregate but COUNT(*) ignores null inputs, and an aggregate that saw no
// non-null input is null (COUNT is 0).

import type { AggregateCall } from '../plan/expr.js';
import type { SqlType } from '../types.js';
import { isApproxNumeric, isIntegral } from '../types.js';
import { InternalError, MAX_STRING_LENGTH, ResourceError } from '../errors.js';
import { numberToDecimal, valueToText } from '../values.js';
import { castFunction, compareStrings, decDiv } from './functions.js';
import { longAdd, longDiv, longOf } from '../int64.js';
import type { FlushEpoch } from './local-flush.js';

export interface Accumulator {
  /** A fresh state. */
  create(): unknown;
  /** Returns the new state (may mutate and return the same object). */
  add(state: unknown, value: unknown): unknown;
  /**
   * Takes a value back out of the state (a -U/-D row of an updating input), returning the new
   * state. Only the retracting accumulators have it (engine/exec/retracting-aggregates.ts): their
   * states keep what taking a value back needs (a count beside a sum, a multiset for MIN/MAX).
   */
  retract?(state: unknown, value: unknown): unknown;
  /** The aggregate's value now; the state stays usable (running aggregates call this after every add). */
  result(state: unknown): unknown;
  /** JSON-safe snapshot of a state and back (bigint and Set survive), for checkpoints. */
  toJSON(state: unknown): unknown;
  fromJSON(json: unknown): unknown;
  /**
   * The state of both inputs combined (`into` may be mutated and returned), for aggregates whose
   * result does not depend on the order of the values: HOP windows are then computed from
   * per-slice states (engine/exec/sliced-window.ts). Absent for LISTAGG, FIRST/LAST_VALUE and DISTINCT.
   */
  merge?(into: unknown, from: unknown): unknown;
}

/**
 * An accumulator for one aggregate call; `value` passed to add is its evaluated first argument.
 * `epoch` counts the window operator's local flushes (local-flush.ts): DOUBLE sums are partial per flush.
 */
export function createAccumulator(call: AggregateCall, epoch: FlushEpoch = { value: 0 }): Accumulator {
  const base = baseAccumulator(call, epoch);
  return call.distinct && call.fn !== 'COUNT_STAR' ? distinctOf(base) : base;
}

// ---------------------------------------------------------------------------------------------
// JSON encoding of single values: bigint and non-finite numbers do not survive JSON.stringify.

type Encoded = { $bigint: string } | { $number: string } | string | number | boolean | null;

export function encodeValue(v: unknown): Encoded {
  if (typeof v === 'bigint') return { $bigint: v.toString() };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (v === undefined) return null;
  return v as Encoded;
}

export function decodeValue(j: unknown): unknown {
  if (j !== null && typeof j === 'object') {
    if ('$bigint' in j) return BigInt((j as { $bigint: string }).$bigint);
    if ('$number' in j) return Number((j as { $number: string }).$number);
  }
  return j;
}

/** Identity plus encoding: the toJSON/fromJSON of states that are a single value or null. */
export const valueState = { toJSON: encodeValue, fromJSON: decodeValue };

// ---------------------------------------------------------------------------------------------

export function argType(call: AggregateCall): SqlType {
  const arg = call.args[0];
  if (!arg) throw new InternalError(`${call.fn} needs an argument`);
  return arg.type;
}

/** Converts a state value of the argument's type to the call's result type (scale, family). */
export function resultConverter(call: AggregateCall): (v: unknown) => unknown {
  const fn = castFunction(argType(call), call.type);
  return fn ? (v) => (v === null ? null : fn(v)) : (v) => v;
}

function baseAccumulator(call: AggregateCall, epoch: FlushEpoch): Accumulator {
  switch (call.fn) {
    case 'COUNT_STAR':
      return {
        create: () => 0,
        add: (s) => (s as number) + 1,
        merge: (a, b) => (a as number) + (b as number),
        result: (s) => s,
        toJSON: (s) => s,
        fromJSON: (j) => Number(j),
      };
    case 'COUNT':
      return {
        create: () => 0,
        add: (s, v) => (v === null || v === undefined ? s : (s as number) + 1),
        merge: (a, b) => (a as number) + (b as number),
        result: (s) => s,
        toJSON: (s) => s,
        fromJSON: (j) => Number(j),
      };
    case 'SUM':
      return isApproxNumeric(argType(call)) ? doubleSumAccumulator(call, epoch) : sumAccumulator(call);
    case 'AVG':
      return isApproxNumeric(argType(call)) && isApproxNumeric(call.type)
        ? doubleAvgAccumulator(epoch)
        : avgAccumulator(call);
    case 'MIN':
    case 'MAX':
      return minMaxAccumulator(call, call.fn === 'MAX');
    case 'FIRST_VALUE': {
      const convert = resultConverter(call);
      return {
        create: () => null,
        add: (s, v) => (s === null && v !== undefined ? v : s),
        result: convert,
        ...valueState,
      };
    }
    case 'LAST_VALUE': {
      const convert = resultConverter(call);
      return {
        create: () => null,
        add: (s, v) => (v === null || v === undefined ? s : v),
        result: convert,
        ...valueState,
      };
    }
    case 'LISTAGG':
      return listaggAccumulator(call);
    default:
      throw new InternalError(`no accumulator for aggregate '${String((call as AggregateCall).fn)}'`);
  }
}

/**
 * SUM: null until a non-null value arrives. Its type is the argument's (Flink: SUM(INT) is INT),
 * and it overflows as Java does for that type: BIGINT sums are exact 64-bit longs (engine/int64.ts),
 * INT / SMALLINT / TINYINT sums wrap at 32 / 16 / 8 bits. DOUBLE sums are JS numbers; DECIMAL sums
 * are exact bigints at the argument's scale, moved to the result's scale only when read.
 */
function sumAccumulator(call: AggregateCall): Accumulator {
  const plus = sumOf(argType(call));
  const convert = resultConverter(call);
  const add = (s: unknown, v: unknown): unknown =>
    v === null || v === undefined ? s : s === null ? v : plus(s, v);
  return {
    create: () => null,
    add,
    // Another state is null or a sum, exactly like a value.
    merge: add,
    result: convert,
    ...valueState,
  };
}

/** `a + b` of two non-null values of type `t`, with Java's overflow for integral types. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- number or bigint by the argument's SQL type, chosen once at compile time
export function sumOf(t: SqlType): (a: any, b: any) => unknown {
  switch (t.name) {
    case 'BIGINT':
      return longAdd;
    case 'INT':
      return (a: number, b: number) => (a + b) | 0;
    case 'SMALLINT':
      return (a: number, b: number) => ((a + b) << 16) >> 16;
    case 'TINYINT':
      return (a: number, b: number) => ((a + b) << 24) >> 24;
    default:
      return (a: number, b: number) => a + b; // DOUBLE, FLOAT, and DECIMAL's bigints
  }
}

/**
 * A DOUBLE sum as Flink's two-phase window aggregation adds it: the values of one local flush
 * (epoch) are summed from scratch, and the flushes' partial sums are added to the total in order
 * (local-flush.ts). Outside windows the epoch never moves: a plain running sum.
 */
interface PartialSum {
  /** The flushed partial sums added up (null: none yet). */
  total: number | null;
  /** The partial sum of the current flush (null: no value in it yet) and that flush's epoch. */
  part: number | null;
  epoch: number;
}

function addToPartialSum(st: PartialSum, v: number, epoch: number): void {
  if (st.epoch !== epoch) {
    if (st.part !== null) st.total = st.total === null ? st.part : st.total + st.part;
    st.part = null;
    st.epoch = epoch;
  }
  st.part = st.part === null ? v : st.part + v;
}

function partialSumValue(st: PartialSum): number | null {
  return st.total === null ? st.part : st.part === null ? st.total : st.total + st.part;
}

/** Folds `from`'s sum into `into` as a flushed partial sum (merging HOP slices, Flink's merge()). */
function mergePartialSum(into: PartialSum, from: PartialSum): void {
  const a = partialSumValue(into);
  const b = partialSumValue(from);
  into.total = a === null ? b : b === null ? a : a + b;
  into.part = null;
}

const partialSumJSON = {
  toJSON: (s: PartialSum) => ({ t: encodeValue(s.total), p: encodeValue(s.part), e: s.epoch }),
  fromJSON: (j: { t: unknown; p: unknown; e: number }): PartialSum => ({
    total: decodeValue(j.t) as number | null,
    part: decodeValue(j.p) as number | null,
    epoch: j.e,
  }),
};

/** SUM of DOUBLE / FLOAT: null until a value arrives, partial per local flush (PartialSum). */
function doubleSumAccumulator(call: AggregateCall, epoch: FlushEpoch): Accumulator {
  const convert = resultConverter(call);
  return {
    create: (): PartialSum => ({ total: null, part: null, epoch: epoch.value }),
    add: (s, v) => {
      if (v !== null && v !== undefined) addToPartialSum(s as PartialSum, v as number, epoch.value);
      return s;
    },
    merge: (into, from) => {
      mergePartialSum(into as PartialSum, from as PartialSum);
      return into;
    },
    result: (s) => {
      const v = partialSumValue(s as PartialSum);
      return v === null ? null : convert(v);
    },
    toJSON: (s) => partialSumJSON.toJSON(s as PartialSum),
    fromJSON: (j) => partialSumJSON.fromJSON(j as { t: unknown; p: unknown; e: number }),
  };
}

interface DoubleAvgState extends PartialSum {
  count: number;
}

/** AVG of DOUBLE / FLOAT as DOUBLE: the sum partial per local flush (PartialSum), divided by the count. */
function doubleAvgAccumulator(epoch: FlushEpoch): Accumulator {
  return {
    create: (): DoubleAvgState => ({ total: null, part: null, epoch: epoch.value, count: 0 }),
    add: (s, v) => {
      if (v === null || v === undefined) return s;
      const st = s as DoubleAvgState;
      addToPartialSum(st, v as number, epoch.value);
      st.count++;
      return st;
    },
    merge: (into, from) => {
      mergePartialSum(into as DoubleAvgState, from as DoubleAvgState);
      (into as DoubleAvgState).count += (from as DoubleAvgState).count;
      return into;
    },
    result: (s) => {
      const st = s as DoubleAvgState;
      return st.count === 0 ? null : partialSumValue(st)! / st.count;
    },
    toJSON: (s) => ({ ...partialSumJSON.toJSON(s as DoubleAvgState), n: (s as DoubleAvgState).count }),
    fromJSON: (j) => ({
      ...partialSumJSON.fromJSON(j as { t: unknown; p: unknown; e: number }),
      count: (j as { n: number }).n,
    }),
  };
}

interface AvgState {
  sum: number | bigint;
  count: number;
}

/** How AVG sums its argument and turns the sum and count into its result (see avgAccumulator). */
export interface AverageArithmetic {
  /** The sum of no values. */
  readonly zero: number | bigint;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- number or bigint by the argument's SQL type, chosen once at compile time
  readonly plus: (a: any, b: any) => number | bigint;
  /** The result for a sum of `count` (> 0) values. */
  readonly average: (sum: number | bigint, count: number) => unknown;
}

/**
 * AVG by Flink's rules: an integral argument gives an integral average of the argument's type, the
 * sum kept as a long (wrapping like Java's) and divided truncating toward zero; DOUBLE gives sum /
 * count in double; DECIMAL gives DECIMAL at the result's scale, rounded half up.
 */
export function averageArithmetic(call: AggregateCall): AverageArithmetic {
  const at = argType(call);
  const argIsDecimal = at.name === 'DECIMAL';
  const argScale = at.scale ?? 0;
  const rt = call.type;
  let average: (sum: number | bigint, count: number) => unknown;
  if (rt.name === 'DECIMAL') {
    const rs = rt.scale ?? 0;
    average = argIsDecimal
      ? (sum, n) => decDiv(sum as bigint, argScale, BigInt(n), 0, rs)
      : isIntegral(at)
        ? (sum, n) => decDiv(BigInt(sum), 0, BigInt(n), 0, rs)
        : (sum, n) => numberToDecimal((sum as number) / n, rs);
  } else {
    if (!isIntegral(rt) && !isApproxNumeric(rt)) throw new InternalError(`AVG cannot return ${rt.name}`);
    const toNumber = argIsDecimal
      ? castFunction(at, { name: 'DOUBLE', nullable: false })!
      : (x: unknown) => x;
    if (isIntegral(rt)) {
      const narrow = castFunction({ name: 'BIGINT', nullable: false }, rt) ?? ((x: unknown) => x);
      average = argIsDecimal
        ? (sum, n) => narrow(longOf((sum as bigint) / (10n ** BigInt(argScale) * BigInt(n))))
        : (sum, n) => narrow(longDiv(sum, n));
    } else {
      average = (sum, n) => (toNumber(sum) as number) / n;
    }
  }
  return {
    zero: argIsDecimal ? 0n : 0,
    // Integral arguments are summed as longs (Flink's sum type for AVG of TINYINT..BIGINT is BIGINT).
    plus: isIntegral(at) ? longAdd : (a: number, b: number) => a + b,
    average,
  };
}

/** AVG of an integral or DECIMAL argument (or DOUBLE into DECIMAL): see averageArithmetic. */
function avgAccumulator(call: AggregateCall): Accumulator {
  const { zero, plus, average } = averageArithmetic(call);
  return {
    create: (): AvgState => ({ sum: zero, count: 0 }),
    add: (s, v) => {
      if (v === null || v === undefined) return s;
      const st = s as AvgState;
      st.sum = plus(st.sum, v);
      st.count++;
      return st;
    },
    merge: (into, from) => {
      const a = into as AvgState;
      const b = from as AvgState;
      a.sum = plus(a.sum, b.sum);
      a.count += b.count;
      return a;
    },
    result: (s) => {
      const st = s as AvgState;
      return st.count === 0 ? null : average(st.sum, st.count);
    },
    toJSON: avgStateJSON.toJSON,
    fromJSON: avgStateJSON.fromJSON,
  };
}

/** A {sum, count} state in JSON (the sum may be a bigint). */
export const avgStateJSON = {
  toJSON: (s: unknown): unknown => ({ sum: encodeValue((s as AvgState).sum), count: (s as AvgState).count }),
  fromJSON: (j: unknown): AvgState => {
    const o = j as { sum: unknown; count: number };
    return { sum: decodeValue(o.sum) as number | bigint, count: o.count };
  },
};

/** MIN / MAX over numbers, bigints (one scale: one argument type), strings, timestamps, booleans. */
function minMaxAccumulator(call: AggregateCall, isMax: boolean): Accumulator {
  const convert = resultConverter(call);
  // Strings by code points (compareStrings): Flink's MIN/MAX compare the UTF-8 bytes of their
  // serialized state, unlike its `<` on a row's strings (UTF-16 units, String.compareTo); the
  // conformance case numbers_aggregates pins this. Numbers, bigints, booleans: JS's order.
  const add =
    argType(call).name === 'STRING'
      ? isMax
        ? (s: unknown, v: unknown) =>
            v === null || v === undefined
              ? s
              : s === null || compareStrings(v as string, s as string) > 0
                ? v
                : s
        : (s: unknown, v: unknown) =>
            v === null || v === undefined
              ? s
              : s === null || compareStrings(v as string, s as string) < 0
                ? v
                : s
      : isMax
        ? (s: unknown, v: unknown) =>
            v === null || v === undefined ? s : s === null || (v as number) > (s as number) ? v : s
        : (s: unknown, v: unknown) =>
            v === null || v === undefined ? s : s === null || (v as number) < (s as number) ? v : s;
  return {
    create: () => null,
    add,
    // Another state is null or an extreme value, exactly like a value.
    merge: add,
    result: convert,
    ...valueState,
  };
}

/** LISTAGG's separator (',' by default) and how it writes a value as text. */
export interface ListaggFormat {
  readonly separator: string;
  readonly toText: (v: unknown) => string;
}

export function listaggFormat(call: AggregateCall): ListaggFormat {
  const at = argType(call);
  const sepArg = call.args[1];
  let separator = ',';
  if (sepArg) {
    if (sepArg.kind !== 'literal' || typeof sepArg.value !== 'string') {
      throw new InternalError(
        'the LISTAGG separator must be a STRING literal; the planner should have checked it',
      );
    }
    separator = sepArg.value;
  }
  const toText = at.name === 'STRING' ? (v: unknown) => v as string : (v: unknown) => valueToText(v, at)!;
  return { separator, toText };
}

/** LISTAGG(value [, separator]): the values in arrival order joined by the separator. */
function listaggAccumulator(call: AggregateCall): Accumulator {
  const { separator, toText } = listaggFormat(call);
  return {
    create: () => null,
    // Strings are appended: V8 keeps the result as a rope, so this is linear overall.
    add: (s, v) => {
      if (v === null || v === undefined) return s;
      const text = toText(v);
      if (s === null) return text;
      const list = s as string;
      if (list.length + separator.length + text.length > MAX_STRING_LENGTH) throw listaggTooLong();
      return list + separator + text;
    },
    result: (s) => s,
    ...valueState,
  };
}

/** A LISTAGG list about to pass the longest string JavaScript can hold (V8 would throw a bare RangeError). */
export function listaggTooLong(): ResourceError {
  return new ResourceError(
    `LISTAGG: one group's list would be longer than the longest string JavaScript can hold (${MAX_STRING_LENGTH} characters)\n` +
      '  hint: give each group fewer rows (a shorter window, more GROUP BY keys) or shorter values (SUBSTRING(x, 1, n))',
  );
}

interface DistinctState {
  readonly seen: Set<unknown>;
  inner: unknown;
}

/** DISTINCT: only the first occurrence of each value reaches the wrapped aggregate. */
function distinctOf(base: Accumulator): Accumulator {
  return {
    create: (): DistinctState => ({ seen: new Set(), inner: base.create() }),
    add: (s, v) => {
      const st = s as DistinctState;
      if (v === null || v === undefined || st.seen.has(v)) return st;
      st.seen.add(v);
      st.inner = base.add(st.inner, v);
      return st;
    },
    result: (s) => base.result((s as DistinctState).inner),
    toJSON: (s) => {
      const st = s as DistinctState;
      return { seen: Array.from(st.seen, encodeValue), inner: base.toJSON(st.inner) };
    },
    fromJSON: (j) => {
      const o = j as { seen: unknown[]; inner: unknown };
      return { seen: new Set(o.seen.map(decodeValue)), inner: base.fromJSON(o.inner) };
    },
  };
}
