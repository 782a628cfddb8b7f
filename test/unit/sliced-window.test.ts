// HOP by slices (SlicedWindowOperator) must give exactly what the per-window operator gives, for
// the aggregates that merge, over disordered input with late records, offsets, windows that are
// not a multiple of the slide, and a checkpoint restore in the middle.

import { describe, expect, it } from 'vitest';
import { Aggregation } from '../../engine/exec/aggregation.js';
import { LateRecordFilter } from '../../engine/exec/late-filter.js';
import type { Operator } from '../../engine/exec/operator.js';
import { SlicedWindowOperator } from '../../engine/exec/sliced-window.js';
import { WindowAggregateOperator } from '../../engine/exec/window-aggregate.js';
import { WindowAssigner } from '../../engine/exec/window-assigner.js';
import { col, type AggregateCall } from '../../engine/plan/expr.js';
import type { WindowSpec } from '../../engine/plan/logical.js';
import { INSERT, T, type Row } from '../../engine/types.js';

// Input rows: [ts, sender, receiver, amount, price]
const SENDER = col(1, 'sender', T.bigint());
const RECEIVER = col(2, 'receiver', T.bigint());
const AMOUNT = col(3, 'amount', T.bigint());
const PRICE = col(4, 'price', T.decimal(10, 2));

const CALLS: AggregateCall[] = [
  { fn: 'SUM', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'COUNT_STAR', args: [], distinct: false, type: T.bigint() },
  { fn: 'COUNT', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'MIN', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'MAX', args: [PRICE], distinct: false, type: T.decimal(10, 2) },
  { fn: 'AVG', args: [AMOUNT], distinct: false, type: T.bigint() },
  { fn: 'AVG', args: [PRICE], distinct: false, type: T.decimal(38, 6) },
];

class Collect implements Operator {
  rows: Row[] = [];
  process(row: Row): void {
    this.rows.push(row);
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Event = { row: Row } | { wm: number };

/** `gap`: largest step between records' times (larger = sparse input, many windows empty when the watermark passes). */
function events(seed: number, n: number, gap: number): Event[] {
  const rnd = prng(seed);
  const out: Event[] = [];
  let t = 1_000_000 + Math.floor(rnd() * 100_000);
  let maxT = -Infinity;
  for (let i = 0; i < n; i++) {
    t += Math.floor(rnd() * gap);
    // Some records are up to 40 s out of order: some of those are late for some windows.
    const ts = rnd() < 0.15 ? t - Math.floor(rnd() * 40_000) : t;
    const amount = rnd() < 0.05 ? null : Math.floor(rnd() * 100) - 20;
    const price = rnd() < 0.05 ? null : BigInt(Math.floor(rnd() * 100_000));
    out.push({ row: [ts, Math.floor(rnd() * 4), Math.floor(rnd() * 3), amount, price] });
    if (ts > maxT) {
      maxT = ts;
      if (rnd() < 0.3) out.push({ wm: maxT - 5000 });
    }
  }
  out.push({ wm: Infinity });
  return out;
}

function pipeline(
  spec: WindowSpec,
  sliced: boolean,
): { head: Operator; op: Operator; late: LateRecordFilter; out: Collect } {
  const out = new Collect();
  const agg = new Aggregation([SENDER, RECEIVER], CALLS);
  expect(agg.mergeable).toBe(true);
  const assigner = new WindowAssigner(spec);
  const op = sliced
    ? new SlicedWindowOperator(spec.sizeMs, spec.slideMs, spec.offsetMs, spec.timeIndex, agg, out)
    : new WindowAggregateOperator(assigner, spec.timeIndex, agg, out);
  const late = new LateRecordFilter(assigner, spec.timeIndex, () => {}, op);
  return { head: late, op, late, out };
}

/** Runs the events, optionally through a JSON checkpoint and a fresh pipeline after `cut` events. */
function run(spec: WindowSpec, sliced: boolean, evs: readonly Event[], cut = -1): Row[] {
  let p = pipeline(spec, sliced);
  const collected: Row[] = [];
  evs.forEach((e, i) => {
    if (i === cut) {
      const state = JSON.parse(JSON.stringify({ op: p.op.snapshot(), late: p.late.snapshot() }));
      collected.push(...p.out.rows);
      p = pipeline(spec, sliced);
      p.op.restore(state.op);
      p.late.restore(state.late);
    }
    if ('row' in e) p.head.process(e.row, INSERT);
    else p.head.onWatermark(e.wm);
  });
  collected.push(...p.out.rows);
  return collected;
}

/** Rows in a stable order (the operators may order groups within one window differently). */
function sorted(rows: Row[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

const SPECS: [string, WindowSpec][] = [
  [
    'HOP 10 s / 2 s',
    { kind: 'HOP', sizeMs: 10_000, slideMs: 2_000, offsetMs: 0, timeIndex: 0, timeName: 'ts' },
  ],
  [
    'HOP 10 s / 4 s (slices of 2 s)',
    { kind: 'HOP', sizeMs: 10_000, slideMs: 4_000, offsetMs: 0, timeIndex: 0, timeName: 'ts' },
  ],
  [
    'HOP 6 s / 9 s (gaps between windows)',
    { kind: 'HOP', sizeMs: 6_000, slideMs: 9_000, offsetMs: 0, timeIndex: 0, timeName: 'ts' },
  ],
  [
    'HOP 15 s / 5 s, offset 1.5 s',
    { kind: 'HOP', sizeMs: 15_000, slideMs: 5_000, offsetMs: 1_500, timeIndex: 0, timeName: 'ts' },
  ],
];

describe('SlicedWindowOperator', () => {
  for (const [name, spec] of SPECS) {
    it(`${name}: same rows as the per-window operator, also across a checkpoint`, () => {
      for (const [seed, gap] of [
        [1, 4000],
        [2, 4000],
        [3, 30_000],
        [4, 30_000],
      ] as const) {
        const evs = events(seed, 3000, gap);
        const expected = sorted(run(spec, false, evs));
        expect(expected.length).toBeGreaterThan(100);
        expect(sorted(run(spec, true, evs))).toEqual(expected);
        for (const cut of [1, Math.floor(evs.length / 3), evs.length - 2]) {
          expect(sorted(run(spec, true, evs, cut)), `cut at ${cut}`).toEqual(expected);
        }
      }
    });
  }

  it('fires windows in end order and keeps one state per group and slice', () => {
    const spec = SPECS[0]![1];
    const p = pipeline(spec, true);
    // One key, records in 5 consecutive 2 s slices: 5 states, 9 windows.
    for (let t = 0; t < 10_000; t += 2_000) p.head.process([t, 1, 2, 10, 100n], INSERT);
    expect((p.op as SlicedWindowOperator).openWindows).toBe(9);
    p.head.onWatermark(Infinity);
    const ends = p.out.rows.map((r) => r[3] as number);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    expect(p.out.rows.map((r) => r[5])).toEqual([10, 20, 30, 40, 50, 40, 30, 20, 10]);
  });
});

describe('HOP slices merge as Flink merges them', () => {
  it("a window's DOUBLE sum adds its slices newest first into a fresh accumulator", () => {
    const X = col(1, 'x', T.double());
    const agg = new Aggregation([], [{ fn: 'SUM', args: [X], distinct: false, type: T.double() }]);
    const out = new Collect();
    // 15 s windows sliding by 5 s: the window [0, 15 s) holds slices [0, 5 s), [5 s, 10 s), [10 s, 15 s).
    const op = new SlicedWindowOperator(15_000, 5_000, 0, 0, agg, out);
    op.process([1_000, 1e16]); // the oldest slice
    op.process([6_000, 1]);
    op.process([11_000, 1]); // the newest slice
    op.onWatermark(Infinity);
    const window = out.rows.find((r) => r[0] === 0)!;
    // Newest first: (1 + 1) + 1e16 = 10000000000000002; oldest first: (1e16 + 1) + 1 = 1e16 (each + 1 rounds to even).
    expect(window[3]).toBe(10000000000000002);
  });
});
