// What window, session and group aggregation share: the group key of a row and the accumulators
// of a group, compiled once per job.

import type { AggregateCall, Expr } from '../plan/expr.js';
import type { Row } from '../types.js';
import { createAccumulator, type Accumulator } from './aggregates.js';
import { compileScalar } from './compile.js';

/**
 * One group's state, flat: its key values first, then one accumulator state per aggregate call
 * ([k0, k1, acc0, acc1, ...]). One array per group keeps millions of open groups affordable.
 */
export type GroupState = unknown[];

const NULL_KEY = '\u0001';
const SEP = '\u0000';

export class Aggregation {
  readonly keyFns: ((row: Row) => unknown)[];
  private readonly argFns: (((row: Row) => unknown) | null)[];
  readonly accumulators: Accumulator[];
  readonly keyCount: number;
  readonly aggCount: number;
  /** A single Map key for a row's group (the value itself for one key, a joined string for several). */
  readonly keyOf: (row: Row) => unknown;

  constructor(keys: readonly Expr[], calls: readonly AggregateCall[]) {
    this.keyFns = keys.map((k) => compileScalar(k));
    this.argFns = calls.map((c) => (c.args.length > 0 ? compileScalar(c.args[0]!) : null));
    this.accumulators = calls.map((c) => createAccumulator(c));
    this.keyCount = keys.length;
    this.aggCount = calls.length;
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

  /** A new group for `row`, with the given key values already computed. */
  newGroup(keyValues: readonly unknown[]): GroupState {
    const k = this.keyCount;
    const g = new Array(k + this.aggCount);
    for (let i = 0; i < k; i++) g[i] = keyValues[i];
    for (let i = 0; i < this.aggCount; i++) g[k + i] = this.accumulators[i]!.create();
    return g;
  }

  /** A new group for `row`, evaluating its key. */
  newGroupFor(row: Row): GroupState {
    const keys = new Array(this.keyCount);
    for (let i = 0; i < this.keyCount; i++) keys[i] = this.keyFns[i]!(row);
    return this.newGroup(keys);
  }

  add(g: GroupState, row: Row): void {
    const k = this.keyCount;
    for (let i = 0; i < this.aggCount; i++) {
      const f = this.argFns[i];
      g[k + i] = this.accumulators[i]!.add(g[k + i], f ? f(row) : undefined);
    }
  }

  /** The output row of a group: its keys, `extra` columns left empty for the caller, then the aggregates' results. */
  outputRow(g: GroupState, extra: number): unknown[] {
    const k = this.keyCount;
    const out = new Array(k + extra + this.aggCount);
    for (let i = 0; i < k; i++) out[i] = g[i];
    for (let i = 0; i < this.aggCount; i++) out[k + extra + i] = this.accumulators[i]!.result(g[k + i]);
    return out;
  }

  groupToJSON(g: GroupState): unknown {
    const k = this.keyCount;
    return g.map((v, i) => (i < k ? encodeValue(v) : this.accumulators[i - k]!.toJSON(v)));
  }

  groupFromJSON(j: unknown): GroupState {
    const k = this.keyCount;
    return (j as unknown[]).map((v, i) => (i < k ? decodeValue(v) : this.accumulators[i - k]!.fromJSON(v)));
  }
}

/**
 * The groups of one window (or of a running aggregate), found by their key values without building
 * a key string per record: one Map level per key column up to two, a joined string beyond.
 */
export class GroupTable {
  private readonly root = new Map<unknown, unknown>();
  size = 0;
  private readonly k: number;
  private readonly f0: ((row: Row) => unknown) | undefined;
  private readonly f1: ((row: Row) => unknown) | undefined;

  constructor(private readonly agg: Aggregation) {
    this.k = agg.keyCount;
    this.f0 = agg.keyFns[0];
    this.f1 = agg.keyFns[1];
  }

  /** The group of `row`, created when new. */
  get(row: Row): GroupState {
    if (this.k === 2) {
      const a = this.f0!(row);
      const b = this.f1!(row);
      let inner = this.root.get(a) as Map<unknown, GroupState> | undefined;
      if (inner === undefined) {
        inner = new Map();
        this.root.set(a, inner);
      }
      let g = inner.get(b);
      if (g === undefined) {
        g = this.agg.newGroup([a, b]);
        inner.set(b, g);
        this.size++;
      }
      return g;
    }
    const key = this.agg.keyOf(row);
    let g = this.root.get(key) as GroupState | undefined;
    if (g === undefined) {
      g = this.agg.newGroupFor(row);
      this.root.set(key, g);
      this.size++;
    }
    return g;
  }

  /** Puts back a restored group. */
  insert(g: GroupState): void {
    if (this.k === 2) {
      let inner = this.root.get(g[0]) as Map<unknown, GroupState> | undefined;
      if (inner === undefined) {
        inner = new Map();
        this.root.set(g[0], inner);
      }
      inner.set(g[1], g);
    } else {
      this.root.set(this.k === 0 ? 0 : this.k === 1 ? g[0] : joinKey(g.slice(0, this.k)), g);
    }
    this.size++;
  }

  *values(): IterableIterator<GroupState> {
    if (this.k === 2) {
      for (const inner of this.root.values()) yield* (inner as Map<unknown, GroupState>).values();
    } else yield* this.root.values() as IterableIterator<GroupState>;
  }
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
  return v !== null && typeof v === 'object' && '$big' in (v as object) ? BigInt((v as { $big: string }).$big) : v;
}
