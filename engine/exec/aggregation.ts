// What window, session and group aggregation share: the group key of a row and the accumulators
// of a group, compiled once per job.

import type { AggregateCall, Expr } from '../plan/expr.js';
import type { Row } from '../types.js';
import { InternalError } from '../errors.js';
import { createAccumulator, type Accumulator } from './aggregates.js';
import { createRetractingAccumulator } from './retracting-aggregates.js';
import { compilePredicate, compileScalar } from './compile.js';
import { KeyTable } from './key-index.js';
import type { FlushEpoch } from './local-flush.js';

/**
 * One group's state, flat: its key values first, then one accumulator state per aggregate call
 * ([k0, k1, acc0, acc1, ...]), then, when retractable, the group's row count. One array per group
 * keeps millions of open groups affordable.
 */
export type GroupState = unknown[];

export interface AggregationOptions {
  /**
   * Rows can be taken back (retract): the accumulators are Flink's retracting ones
   * (engine/exec/retracting-aggregates.ts) and each group counts its rows (rowCount). For a
   * running GROUP BY over an updating input; insert-only aggregation leaves it off and pays nothing.
   */
  readonly retractable?: boolean;
}

/** One step of the accumulators for a row: add or retract. */
type RowStep = (g: GroupState, row: Row) => void;

const NULL_KEY = '\u0001';
const SEP = '\u0000';

export class Aggregation {
  readonly keyFns: ((row: Row) => unknown)[];
  private readonly argFns: (((row: Row) => unknown) | null)[];
  /** Per call, its FILTER (WHERE ...) condition (TRUE: the row counts), null without one. */
  private readonly filterFns: (((row: Row) => boolean) | null)[];
  readonly accumulators: Accumulator[];
  readonly keyCount: number;
  readonly aggCount: number;
  /** A single Map key for a row's group (the value itself for one key, a joined string for several). */
  readonly keyOf: (row: Row) => unknown;
  /** Whether every aggregate can merge two states (see Accumulator.merge). */
  readonly mergeable: boolean;
  /** Local flushes so far: advanced by window operators (local-flush.ts), read by DOUBLE sums. */
  readonly epoch: FlushEpoch = { value: 0 };
  /** Whether rows can be taken back (AggregationOptions.retractable). */
  readonly retractable: boolean;
  /** Where a retractable group keeps its row count (after the accumulator states). */
  private readonly rowCountSlot: number;

  constructor(keys: readonly Expr[], calls: readonly AggregateCall[], options: AggregationOptions = {}) {
    this.retractable = options.retractable === true;
    this.keyFns = keys.map((k) => compileScalar(k));
    this.argFns = calls.map((c) => (c.args.length > 0 ? compileScalar(c.args[0]!) : null));
    this.filterFns = calls.map((c) => (c.filter ? compilePredicate(c.filter) : null));
    this.accumulators = calls.map((c) =>
      this.retractable ? createRetractingAccumulator(c) : createAccumulator(c, this.epoch),
    );
    this.keyCount = keys.length;
    this.aggCount = calls.length;
    this.rowCountSlot = this.retractable ? this.keyCount + this.aggCount : -1;
    this.mergeable = this.accumulators.every((a) => a.merge !== undefined);
    this.add = compileStep(
      'add',
      this.keyCount,
      this.argFns,
      this.filterFns,
      this.accumulators,
      this.rowCountSlot,
    );
    this.retract = this.retractable
      ? compileStep(
          'retract',
          this.keyCount,
          this.argFns,
          this.filterFns,
          this.accumulators,
          this.rowCountSlot,
        )
      : insertOnly;
    this.fillWindowRow = compileFill(this.keyCount, 3, this.accumulators);
    this.newPairGroup = this.retractable
      ? (a, b) => this.newGroup([a, b])
      : compileNewPair(this.accumulators);
    const fns = this.keyFns;
    if (fns.length === 0) this.keyOf = () => 0;
    else if (fns.length === 1) this.keyOf = fns[0]!;
    else {
      this.keyOf = (r) => {
        let s = keyPart(fns[0]!(r));
        for (let i = 1; i < fns.length; i++) s += SEP + keyPart(fns[i]!(r));
        return s;
      };
    }
  }

  /** keyOf for a group (its key values come first in its state): the same Map key its rows have. */
  keyOfGroup(g: GroupState): unknown {
    const k = this.keyCount;
    if (k === 0) return 0;
    if (k === 1) return g[0];
    let s = keyPart(g[0]);
    for (let i = 1; i < k; i++) s += SEP + keyPart(g[i]);
    return s;
  }

  /** A new group for `row`, with the given key values already computed. */
  newGroup(keyValues: readonly unknown[]): GroupState {
    const k = this.keyCount;
    const g = new Array(this.retractable ? k + this.aggCount + 1 : k + this.aggCount);
    for (let i = 0; i < k; i++) g[i] = keyValues[i];
    for (let i = 0; i < this.aggCount; i++) g[k + i] = this.accumulators[i]!.create();
    if (this.retractable) g[this.rowCountSlot] = 0;
    return g;
  }

  /**
   * newGroup for two keys, without an array for them: one generated array literal (see
   * compileNewPair), so a new group is a single packed allocation.
   */
  readonly newPairGroup: (a: unknown, b: unknown) => GroupState;

  /** A new group for `row`, evaluating its key. */
  newGroupFor(row: Row): GroupState {
    const keys = new Array(this.keyCount);
    for (let i = 0; i < this.keyCount; i++) keys[i] = this.keyFns[i]!(row);
    return this.newGroup(keys);
  }

  /**
   * Adds `row` to every aggregate state of `g` whose FILTER it passes, and counts it when
   * retractable (generated once per job: see compileStep).
   */
  readonly add: RowStep;

  /**
   * Takes `row` back out of every aggregate state of `g` whose FILTER it passes (the values a -U
   * or -D row held), and uncounts it. Only when `retractable`.
   */
  readonly retract: RowStep;

  /**
   * Rows added to `g` minus rows taken back (Flink's record counter: FILTER does not apply), so
   * the operator knows when a group is empty again (it then emits -D and drops it). Only when
   * `retractable`.
   */
  rowCount(g: GroupState): number {
    if (!this.retractable)
      throw new InternalError(
        'rowCount of an insert-only Aggregation (construct it with { retractable: true })',
      );
    return g[this.rowCountSlot] as number;
  }

  /** Folds `from`'s states into `into` (a group of the same key); only when `mergeable` (never when retractable). */
  merge(into: GroupState, from: GroupState): void {
    const k = this.keyCount;
    for (let i = 0; i < this.aggCount; i++)
      into[k + i] = this.accumulators[i]!.merge!(into[k + i], from[k + i]);
  }

  /** A new group with `g`'s key and states (merged into a fresh state, so `g` stays untouched). */
  copyGroup(g: GroupState): GroupState {
    const copy = this.newGroup(g.slice(0, this.keyCount));
    this.merge(copy, g);
    return copy;
  }

  /** The output row of a group: its keys, `extra` columns left empty for the caller, then the aggregates' results. */
  outputRow(g: GroupState, extra: number): unknown[] {
    const out = new Array(this.keyCount + extra + this.aggCount);
    this.fillOutputRow(g, extra, out);
    return out;
  }

  /** outputRow into an existing array (of at least that length). */
  fillOutputRow(g: GroupState, extra: number, out: unknown[]): void {
    if (extra === 3) {
      this.fillWindowRow(g, out);
      return;
    }
    const k = this.keyCount;
    for (let i = 0; i < k; i++) out[i] = g[i];
    for (let i = 0; i < this.aggCount; i++) out[k + extra + i] = this.accumulators[i]!.result(g[k + i]);
  }

  /** fillOutputRow for window rows (3 window columns), generated once per job (see compileFill): it runs once per group and window. */
  private readonly fillWindowRow: (g: GroupState, out: unknown[]) => void;

  /** A group in JSON for checkpoints: keys, accumulator states, and the row count (a number) when retractable. */
  groupToJSON(g: GroupState): unknown {
    const k = this.keyCount;
    const end = k + this.aggCount;
    return g.map((v, i) => (i < k ? encodeValue(v) : i < end ? this.accumulators[i - k]!.toJSON(v) : v));
  }

  groupFromJSON(j: unknown): GroupState {
    const k = this.keyCount;
    const end = k + this.aggCount;
    return (j as unknown[]).map((v, i) =>
      i < k ? decodeValue(v) : i < end ? this.accumulators[i - k]!.fromJSON(v) : Number(v),
    );
  }
}

function insertOnly(): never {
  throw new InternalError('retract on an insert-only Aggregation (construct it with { retractable: true })');
}

/**
 * add() or retract() as one generated function with a call site per aggregate, so that each site
 * sees a single accumulator and argument function and V8 can inline them (a loop over the
 * aggregates would make one call site see them all). The source holds only slot numbers and
 * parameter names; the functions are passed in as arguments. A call with a FILTER is guarded by
 * its condition; `rowCountSlot` (>= 0 when retractable) counts the row up or down. Without
 * filters and counting, add() is exactly the sequence of accumulator calls.
 */
function compileStep(
  step: 'add' | 'retract',
  k: number,
  argFns: readonly (((row: Row) => unknown) | null)[],
  filterFns: readonly (((row: Row) => boolean) | null)[],
  accumulators: readonly Accumulator[],
  rowCountSlot: number,
): RowStep {
  const names: string[] = [];
  const values: unknown[] = [];
  const body: string[] = [];
  accumulators.forEach((acc, i) => {
    const fn = acc[step];
    if (!fn) throw new InternalError(`aggregate ${i} cannot ${step}`);
    names.push(`${step}${i}`);
    values.push(fn);
    const f = argFns[i];
    if (f) {
      names.push(`arg${i}`);
      values.push(f);
    }
    const apply = `g[${k + i}] = ${step}${i}(g[${k + i}], ${f ? `arg${i}(r)` : 'undefined'});`;
    const filter = filterFns[i];
    if (filter) {
      names.push(`filter${i}`);
      values.push(filter);
    }
    body.push(filter ? `if (filter${i}(r)) ${apply}` : apply);
  });
  if (rowCountSlot >= 0) body.push(`g[${rowCountSlot}] ${step === 'add' ? '+' : '-'}= 1;`);
  const factory = new Function(...names, `return function ${step}(g, r) {\n${body.join('\n')}\n};`) as (
    ...fns: unknown[]
  ) => RowStep;
  return factory(...values);
}

/** fillOutputRow as one generated function, for the reason given at compileStep. */
function compileFill(
  k: number,
  extra: number,
  accumulators: readonly Accumulator[],
): (g: GroupState, out: unknown[]) => void {
  const names = accumulators.map((_, i) => `result${i}`);
  const body: string[] = [];
  for (let i = 0; i < k; i++) body.push(`out[${i}] = g[${i}];`);
  accumulators.forEach((_, i) => body.push(`out[${k + extra + i}] = result${i}(g[${k + i}]);`));
  const factory = new Function(...names, `return function fill(g, out) {\n${body.join('\n')}\n};`) as (
    ...fns: unknown[]
  ) => (g: GroupState, out: unknown[]) => void;
  return factory(...accumulators.map((a) => a.result));
}

/**
 * newPairGroup as `[a, b, create0(), create1(), ...]`: an array literal is one allocation (the
 * array and its elements together) of a packed array, where `new Array(n)` filled slot by slot is
 * two and holey. It runs once per new group: in a high-cardinality window, for most records.
 */
function compileNewPair(accumulators: readonly Accumulator[]): (a: unknown, b: unknown) => GroupState {
  const names = accumulators.map((_, i) => `create${i}`);
  const states = names.map((n) => `${n}()`);
  const factory = new Function(
    ...names,
    `return function newPairGroup(a, b) {\nreturn [a, b${states.map((x) => ', ' + x).join('')}];\n};`,
  ) as (...fns: unknown[]) => (a: unknown, b: unknown) => GroupState;
  return factory(...accumulators.map((a) => a.create));
}

/**
 * The groups of one window (or of a running aggregate). Two whole-number keys (the usual sender,
 * receiver) are packed into one number, so finding a group builds no string and no nested Map;
 * anything else uses Aggregation.keyOf. Keys are indexed by KeyIndex.
 */
export class GroupTable {
  /** Groups in order of first appearance (the order they are emitted in), their keys alongside. */
  private groups: GroupState[] = [];
  private keys: unknown[] = [];
  /** key → group. */
  private readonly table: KeyTable<GroupState>;
  private readonly keyOfValues: (values: readonly unknown[]) => unknown;
  private readonly k: number;
  private readonly f0: ((row: Row) => unknown) | undefined;
  private readonly f1: ((row: Row) => unknown) | undefined;

  /** `expectedSize`: how many groups it will probably hold (e.g. the previous window's), to size the index once. */
  constructor(
    private readonly agg: Aggregation,
    expectedSize = 0,
  ) {
    this.table = new KeyTable(expectedSize);
    this.k = agg.keyCount;
    this.f0 = agg.keyFns[0];
    this.f1 = agg.keyFns[1];
    this.keyOfValues =
      this.k === 0
        ? () => 0
        : this.k === 1
          ? (v) => v[0]
          : this.k === 2
            ? (v) => pairKey(v[0], v[1])
            : joinKey;
  }

  get size(): number {
    return this.groups.length;
  }

  /** The group of `row`, created when new. */
  get(row: Row): GroupState {
    if (this.k === 2) {
      const a = this.f0!(row);
      const b = this.f1!(row);
      // Two small whole numbers (pairKey's first case), the common one: one probe finds the group
      // or the free slot the new group goes into.
      if (isSmallId(a) && isSmallId(b)) {
        const key = a * SMALL + b;
        const table = this.table;
        const s = table.slotOf(key);
        if (s >= 0) return table.valueAt(s);
        const g = this.agg.newPairGroup(a, b);
        this.groups.push(g);
        this.keys.push(key);
        table.putAt(~s, key, g);
        return g;
      }
      const key = pairKey(a, b);
      return this.table.get(key) ?? this.append(key, this.agg.newPairGroup(a, b));
    }
    const key = this.agg.keyOf(row);
    return this.table.get(key) ?? this.append(key, this.agg.newGroupFor(row));
  }

  private append(key: unknown, g: GroupState): GroupState {
    this.table.add(key, g);
    this.groups.push(g);
    this.keys.push(key);
    return g;
  }

  /** The group under a key taken from keyAt() of a GroupTable of the same Aggregation. */
  lookup(key: unknown): GroupState | undefined {
    return this.table.get(key);
  }

  /** The key and the group at a position (0 ≤ i < size, in order of first appearance). */
  keyAt(i: number): unknown {
    return this.keys[i];
  }

  groupAt(i: number): GroupState {
    return this.groups[i]!;
  }

  /** Puts back a restored group. */
  insert(g: GroupState): void {
    this.append(this.keyOfValues(g.slice(0, this.k)), g);
  }

  /** The groups in order of first appearance. */
  values(): readonly GroupState[] {
    return this.groups;
  }

  /**
   * Empties the table for another window, keeping its key table's memory: a high-cardinality
   * window's table is megabytes that would otherwise be allocated (and faulted in) again for the
   * next window, and a short window's would be copied out of the young generation each time.
   * Arrays handed out by values() before stay as they were.
   */
  recycle(): void {
    this.groups = [];
    this.keys = [];
    this.table.clear();
  }
}

/** A whole number in [0, 2^15): two of them pack into one small-integer key (pairKey). */
function isSmallId(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v < SMALL && (v | 0) === v;
}

const SMALL = 2 ** 15;
const PACK = 2 ** 25;

/**
 * Two keys as one Map key without building a string. Two whole numbers in [0, 2^15) (ids, small
 * codes) become a*2^15+b, below 2^30: a small integer, which V8 hashes and stores without
 * allocating. Other whole numbers below 2^25 in size become a*2^26+b+0.5, never a whole number,
 * so the two ranges cannot collide (and exact: below 2^51). Anything else is a joined string.
 */
function pairKey(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) {
    if (a >= 0 && a < SMALL && b >= 0 && b < SMALL) return a * SMALL + b;
    if (a > -PACK && a < PACK && b > -PACK && b < PACK) return a * (2 * PACK) + b + 0.5;
  }
  return keyPart(a) + SEP + keyPart(b);
}

function joinKey(values: readonly unknown[]): string {
  return values.map(keyPart).join(SEP);
}

function keyPart(v: unknown): string {
  return v === null || v === undefined ? NULL_KEY : typeof v === 'string' ? v : String(v);
}

/** Row values in JSON: bigint needs a tag. */
export function encodeValue(v: unknown): unknown {
  return typeof v === 'bigint' ? { $big: v.toString() } : v;
}

export function decodeValue(v: unknown): unknown {
  return v !== null && typeof v === 'object' && '$big' in (v as object)
    ? BigInt((v as { $big: string }).$big)
    : v;
}
