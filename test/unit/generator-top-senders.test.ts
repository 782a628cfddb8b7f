// Planted top senders (generator/top-senders.ts) for jobs/top_senders.sql: the truth is checked
// against the job's definition computed here, naively, over EVERY transfer of the run (background
// included): per city and 10-minute window the three largest totals, ties to the smaller account.
// The planted senders must be among them, the decoys in none.

import { describe, expect, it } from 'vitest';
import { TransactionGenerator, defaultGeneratorOptions } from '../../generator/generate.js';

const WINDOW = 10 * 60_000;

function run(plantTopSenders: number) {
  const g = new TransactionGenerator(
    defaultGeneratorOptions({
      format: 'fintrans',
      count: 120_000, // 3 h 20 min of event time
      seed: 7,
      plant: 4,
      plantCashout: 2,
      plantTopSenders,
    }),
  );
  const transfers: { ts: number; city: string; sender: number; receiver: number; amount: number }[] = [];
  while (!g.done) {
    for (const line of g.nextText(10_000).split('\n')) {
      if (line === '') continue;
      const [time, city, sender, receiver, amount] = line.split(';');
      transfers.push({
        ts: Date.parse(time!),
        city: city!,
        sender: Number(sender),
        receiver: Number(receiver),
        amount: Number(amount),
      });
    }
  }
  return { g, transfers };
}

const stamp = (ms: number): number => ms - (ms % WINDOW);

describe('planted top senders', () => {
  const { g, transfers } = run(8);
  const truth = g.topSendersTruth()!;

  it("lists exactly top_senders.sql's output: every city's top three of every window", () => {
    const sums = new Map<string, Map<number, { total: number; n: number }>>();
    for (const t of transfers) {
      const key = `${t.city} ${stamp(t.ts)}`;
      const m = sums.get(key) ?? new Map<number, { total: number; n: number }>();
      sums.set(key, m);
      const s = m.get(t.sender) ?? { total: 0, n: 0 };
      s.total += t.amount;
      s.n++;
      m.set(t.sender, s);
    }
    const expected: string[] = [];
    for (const [key, m] of sums) {
      const ranked = [...m].sort(([a, x], [b, y]) => y.total - x.total || a - b).slice(0, 3);
      ranked.forEach(([sender, s], i) => expected.push(`${key} #${i + 1} ${sender} ${s.total} ${s.n}`));
    }
    const listed = truth.rows
      .filter((r) => r.expectedAlert)
      .map((r) => `${r.city} ${r.windowStart} #${r.rank} ${r.sender} ${r.total} ${r.transfers}`);
    expect(listed.sort()).toEqual(expected.sort());
    expect(listed.length).toBe(5 * 3 * 20); // 20 windows, 5 cities
  });

  it('puts each planted sender in its city and window top three, and no decoy in any', () => {
    const planted = truth.rows.filter((r) => r.kind === 'top-sender');
    const decoys = truth.rows.filter((r) => r.kind === 'top-sender-decoy-spread');
    expect(new Set(planted.map((r) => r.caseId)).size).toBe(4);
    expect(planted.every((r) => r.expectedAlert && r.rank >= 1 && r.rank <= 3)).toBe(true);
    expect(planted.length).toBe(4);
    // A decoy: one transfer in each of the five cities, none of them in a top three.
    expect(new Set(decoys.map((r) => r.caseId)).size).toBe(4);
    expect(decoys.length).toBe(4 * 5);
    expect(decoys.every((r) => !r.expectedAlert && r.rank === 0)).toBe(true);
  });

  it('leaves the other plans as they were', () => {
    const without = run(0).g;
    // The laundering truth lists every planted pair's windows: the top senders' are new, the rest the same.
    const others = g.truth().filter((c) => !c.kind.startsWith('top-sender'));
    expect(others).toEqual(without.truth());
    expect(g.patternTruth()).toEqual(without.patternTruth());
  });

  it('is refused without cities', () => {
    expect(
      () =>
        new TransactionGenerator(
          defaultGeneratorOptions({ format: 'dcos', count: 10_000, plantTopSenders: 2 }),
        ),
    ).toThrow(/top senders are planted per city: they need the fintrans format/);
  });
});
