// The per-event jobs' planted patterns (generator/event-patterns.ts): the truth is checked against
// the jobs' definitions computed here, independently and naively, over EVERY transfer of the run
// (background included), so a background match, a missed planted case or a decoy that alerts would
// show; and background traffic is checked to stay out of the patterns' ranges.

import { describe, expect, it } from 'vitest';
import { TransactionGenerator, defaultGeneratorOptions } from '../../generator/generate.js';

interface Transfer {
  ts: number;
  sender: number;
  receiver: number;
  amount: number;
}

const MINUTE = 60_000;

function run(plants: { s: number; c: number; f: number }): {
  g: TransactionGenerator;
  transfers: Transfer[];
} {
  const g = new TransactionGenerator(
    defaultGeneratorOptions({
      format: 'dcos-rfc3339',
      count: 150_000, // 4 h 10 min of event time
      seed: 5,
      accounts: 400,
      plant: 9,
      plantCashout: 6,
      plantLayering: 6,
      plantStructuring: plants.s,
      plantCardTesting: plants.c,
      plantFirstContact: plants.f,
    }),
  );
  const transfers: Transfer[] = [];
  while (!g.done) {
    for (const line of g.nextText(10_000).split('\n')) {
      if (line === '') continue;
      const [time, sender, receiver, amount] = line.split(';');
      transfers.push({
        ts: Date.parse(time!),
        sender: Number(sender),
        receiver: Number(receiver),
        amount: Number(amount),
      });
    }
  }
  return { g, transfers };
}

function bySender(transfers: Transfer[]): Map<number, Transfer[]> {
  const m = new Map<number, Transfer[]>();
  for (const t of transfers) {
    const l = m.get(t.sender);
    if (l) l.push(t);
    else m.set(t.sender, [t]);
  }
  return m;
}

/** structuring.sql: S{3} over 9 000–9 999, within 24 h, the earliest completed match first, skip past it. */
function structuring(transfers: Transfer[]): Set<string> {
  const out = new Set<string>();
  for (const [sender, all] of bySender(transfers.filter((t) => t.amount >= 9000 && t.amount < 10_000))) {
    for (let e = 2, from = 0; e < all.length; e++) {
      if (e - 2 >= from && all[e]!.ts - all[e - 2]!.ts < 24 * 60 * MINUTE) {
        out.add(`${sender}@${all[e - 2]!.ts}@${all[e]!.ts}`);
        from = e + 1;
      }
    }
  }
  return out;
}

/** card_testing.sql: T{3,} L contiguous per sender, L ≥ 1 000, T < 10, the earliest T within 30 min of L. */
function cardTesting(transfers: Transfer[]): Set<string> {
  const out = new Set<string>();
  for (const [sender, all] of bySender(transfers)) {
    all.forEach((l, e) => {
      if (l.amount < 1000) return;
      let s = e;
      while (s > 0 && all[s - 1]!.amount < 10) s--;
      while (s < e && l.ts - all[s]!.ts >= 30 * MINUTE) s++;
      if (e - s >= 3) out.add(`${sender}@${all[s]!.ts}@${l.ts}`);
    });
  }
  return out;
}

/** first_contact.sql: the first transfer of each pair, when above 5 000. */
function firstContacts(transfers: Transfer[]): Set<string> {
  const seen = new Set<string>();
  const out = new Set<string>();
  for (const t of transfers) {
    const pair = `${t.sender}>${t.receiver}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    if (t.amount > 5000) out.add(`${pair}@${t.ts}`);
  }
  return out;
}

describe('planted patterns for the per-event jobs', () => {
  const { g, transfers } = run({ s: 9, c: 9, f: 8 });
  const truth = g.eventTruth()!;
  const count = (rows: readonly { kind: string; expectedAlert: boolean }[], kind: string, alert: boolean) =>
    rows.filter((r) => r.kind === kind && r.expectedAlert === alert).length;

  it('structuring: the truth is exactly the matches in the whole run, one per planted case, none for decoys', () => {
    const expected = truth.structuring
      .filter((r) => r.expectedAlert)
      .map((r) => `${r.account}@${r.firstTime}@${r.lastTime}`);
    expect(new Set(expected)).toEqual(structuring(transfers));
    expect(count(truth.structuring, 'structuring', true)).toBe(3);
    expect(count(truth.structuring, 'structuring-decoy-threshold', false)).toBe(3);
    expect(count(truth.structuring, 'structuring-decoy-low', false)).toBe(3);
    expect(truth.structuring.filter((r) => r.expectedAlert).length).toBe(3);
  });

  it('card testing: the same, with the slow and the small decoys', () => {
    const expected = truth.cardTesting
      .filter((r) => r.expectedAlert)
      .map((r) => `${r.account}@${r.firstTest}@${r.largeTime}`);
    expect(new Set(expected)).toEqual(cardTesting(transfers));
    expect(count(truth.cardTesting, 'card-testing', true)).toBe(3);
    expect(count(truth.cardTesting, 'card-testing-decoy-slow', false)).toBe(3);
    expect(count(truth.cardTesting, 'card-testing-decoy-small', false)).toBe(3);
    expect(truth.cardTesting.filter((r) => r.expectedAlert).length).toBe(3);
  });

  it('first contact: the truth is every large first transfer of a pair, none of them background', () => {
    const expected = truth.firstContact
      .filter((r) => r.expectedAlert)
      .map((r) => `${r.sender}>${r.receiver}@${r.time}`);
    expect(new Set(expected)).toEqual(firstContacts(transfers));
    expect(count(truth.firstContact, 'first-contact', true)).toBe(4);
    expect(
      truth.firstContact.filter((r) => r.kind === 'first-contact-decoy-small' && r.expectedAlert),
    ).toEqual([]);
    expect(count(truth.firstContact, 'first-contact-decoy-small', false)).toBeGreaterThanOrEqual(4);
    expect(truth.firstContact.filter((r) => r.kind === 'background')).toEqual([]);
  });

  it('background stays out of the ranges: no amount of 9 000–9 999 or under 10 but the planted ones', () => {
    const planted = truth.structuring.length * 3 + truth.cardTesting.reduce((n, r) => n + r.tests, 0);
    const inRanges = transfers.filter((t) => (t.amount >= 9000 && t.amount < 10_000) || t.amount < 10).length;
    // Every one of them is a planted structuring transfer or card test (decoys' 8 999/10 000 are outside).
    expect(inRanges).toBeLessThanOrEqual(planted);
    expect(inRanges).toBeGreaterThan(0);
  });

  it('without these plants, background is as before (the same records as a run without the options)', () => {
    const plain = new TransactionGenerator(
      defaultGeneratorOptions({ format: 'dcos-rfc3339', count: 20_000, seed: 5, accounts: 400, plant: 3 }),
    );
    const zero = new TransactionGenerator(
      defaultGeneratorOptions({
        format: 'dcos-rfc3339',
        count: 20_000,
        seed: 5,
        accounts: 400,
        plant: 3,
        plantStructuring: 0,
        plantCardTesting: 0,
        plantFirstContact: 0,
      }),
    );
    expect(zero.nextText(20_000)).toBe(plain.nextText(20_000));
    expect(zero.eventTruth()).toBeNull();
  });
});
