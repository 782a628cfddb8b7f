// What window, session and group aggregation share: the group key of a row and the accumulators
// of a group, compiled once per job.

import type { AggregateCall, Expr } from '../plan/expr.js';
import type { Row } from '../types.js';
import { createAccumulator, type Accumulator } from './aggregates.js';
import { compileScalar } from './compile.js';

/** One group's state: its key values and one accumulator state per aggregate call. */
export interface GroupState {
  readonly keys: unknown[];
  readonly accs: unknown[];
}

const NULL_KEY = '\u0001';
const SEP = '\u0000';

export class Aggregation {
  private readonly keyFns: ((row: Row) => unknown)[];
  private readonly argFns: (((row: Row) => unknown) | null)[];
  readonly accumulators: Accumulator[];
  readonly keyCount: number;
  readonly aggCount: number;
  /** The Map key of a row's group: the value itself for one key, a joined string for several. */
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
    else if (fns.length === 2) {
      const [a, b] = fns as [(r: Row) => unknown, (r: Row) => unknown];
      this.keyOf = (r) => keyPart(a(r)) + SEP + keyPart(b(r));
    } else {
      this.keyOf = (r) => {
        let s = keyPart(fns[0]!(r));
        for (let i = 1; i < fns.length; i++) s += SEP + keyPart(fns[i]!(r));
        return s;
      };
    }
  }

  newGroup(row: Row): GroupState {
    const keys = new Array(this.keyCount);
    for (let i = 0; i < this.keyCount; i++) keys[i] = this.keyFns[i]!(row);
    const accs = new Array(this.aggCount);
    for (let i = 0; i < this.aggCount; i++) accs[i] = this.accumulators[i]!.create();
    return { keys, accs };
  }

  add(group: GroupState, row: Row): void {
    const accs = group.accs;
    for (let i = 0; i < this.aggCount; i++) {
      const f = this.argFns[i];
      accs[i] = this.accumulators[i]!.add(accs[i], f ? f(row) : undefined);
    }
  }

  /** Writes the aggregate results into out[from..]. */
  writeResults(group: GroupState, out: unknown[], from: number): void {
    for (let i = 0; i < this.aggCount; i++) out[from + i] = this.accumulators[i]!.result(group.accs[i]);
  }

  groupToJSON(g: GroupState): unknown {
    return { k: g.keys.map(encodeValue), a: g.accs.map((s, i) => this.accumulators[i]!.toJSON(s)) };
  }

  groupFromJSON(j: unknown): GroupState {
    const o = j as { k: unknown[]; a: unknown[] };
    return { keys: o.k.map(decodeValue), accs: o.a.map((s, i) => this.accumulators[i]!.fromJSON(s)) };
  }

  /** The Map key for restored key values (same as keyOf would give for the original row). */
  keyOfValues(keys: readonly unknown[]): unknown {
    if (keys.length === 0) return 0;
    if (keys.length === 1) return keys[0];
    return keys.map(keyPart).join(SEP);
  }
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
