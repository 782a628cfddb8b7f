// Planted patterns for the per-event jobs (issue 18), beside plant.ts's laundering and patterns.ts's
// join patterns:
//
//   structuring     three transfers just under 10 000 (9 000–9 999) from one account within 24 h
//                   (jobs/structuring.sql: PATTERN (S{3}) WITHIN 24 h over those transfers)
//   card testing    three or more tiny payments (under 10) in a row from one account, then one of
//                   1 000 or more, within 30 min of the first (jobs/card_testing.sql)
//   first contact   the first transfer of a new sender → receiver pair, when above 5 000
//                   (jobs/first_contact.sql)
//
// Each pattern rotates a case that must alert with decoys that must not: for structuring, a third
// transfer at exactly 10 000 or at 8 999 (outside the band); for card testing, a large payment 31–45
// minutes after the first test, or a "large" one of only 100–999; for first contact, a first
// transfer of at most 5 000 (5 000 itself among them) followed by a large one.
//
// Background traffic is kept from making these patterns when they are planted (QuietBackground):
// no background amount falls in 9 000–9 999 or under 10, no background transfer opens a pair with
// more than 5 000, and a card-testing account sends nothing but its case's payments (any other
// payment between the tests would break the sequence). The truth does not rely on that, though:
// EventTruth runs each job's definition over every transfer emitted, background included, so it is
// exact whatever the data (a match in background traffic is listed as kind 'background').

import { formatTimestamp } from '../engine/values.js';
import { caseStarts, type PatternPlanner } from './patterns.js';

export type StructuringKind = 'structuring' | 'structuring-decoy-threshold' | 'structuring-decoy-low';
export type CardTestingKind = 'card-testing' | 'card-testing-decoy-slow' | 'card-testing-decoy-small';
export type FirstContactKind = 'first-contact' | 'first-contact-decoy-small';
export type EventKind = StructuringKind | CardTestingKind | FirstContactKind;

const STRUCTURING_KINDS: readonly StructuringKind[] = [
  'structuring',
  'structuring-decoy-threshold',
  'structuring-decoy-low',
];
const CARD_KINDS: readonly CardTestingKind[] = [
  'card-testing',
  'card-testing-decoy-slow',
  'card-testing-decoy-small',
];
const FIRST_CONTACT_KINDS: readonly FirstContactKind[] = ['first-contact', 'first-contact-decoy-small'];

/** The jobs' definitions, as the .sql files write them. */
export const STRUCTURING_LOW = 9_000;
export const STRUCTURING_HIGH = 10_000; // exclusive
export const STRUCTURING_WITHIN_MS = 24 * 3_600_000;
export const CARD_TEST_BELOW = 10;
export const CARD_LARGE_FROM = 1_000;
export const CARD_WITHIN_MS = 30 * 60_000;
export const FIRST_CONTACT_ABOVE = 5_000;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Longest span of a case, first transfer to last. */
const STRUCTURING_SPAN_MS = 2 * HOUR;
const CARD_SPAN_MS = 45 * MINUTE;
const FIRST_CONTACT_SPAN_MS = 60 * MINUTE;

export interface EventPatternCounts {
  readonly structuring: number;
  readonly cardTesting: number;
  readonly firstContact: number;
}

export const NO_EVENT_PATTERNS: EventPatternCounts = { structuring: 0, cardTesting: 0, firstContact: 0 };

export function eventTransferCount(c: EventPatternCounts): number {
  // At most: 3 structuring transfers, 6 tests + 1, 3 first-contact transfers a case.
  return 3 * c.structuring + 7 * c.cardTesting + 3 * c.firstContact;
}

/**
 * Plans the cases, numbered from `firstId` on; returns the card-testing accounts, which background
 * traffic must not send from.
 */
export function planEventPatterns(
  p: PatternPlanner,
  counts: EventPatternCounts,
  firstId: number,
  /** Accounts already sending planted transfers (laundering cases): a card must not be one. */
  busySenders: readonly number[],
): number[] {
  const { rng } = p;
  let id = firstId;
  const caseStart = caseStarts(p);
  /** A unit from `sender` to a fresh receiver, its pair reserved for planted transfers. */
  const unitTo = (caseId: number, kind: EventKind, sender: number, what: string): number => {
    for (;;) {
      const to = p.freshAccount(what, [sender]);
      if (p.reservePair(sender, to)) return p.addUnit(caseId, kind, sender, to);
    }
  };

  for (let k = 0; k < counts.structuring; k++, id++) {
    const kind = STRUCTURING_KINDS[k % STRUCTURING_KINDS.length]!;
    const what = `structuring case ${id} (${kind})`;
    let t = caseStart(k, counts.structuring, STRUCTURING_SPAN_MS, what);
    const account = p.freshAccount(what);
    for (let j = 0; j < 3; j++) {
      const amount =
        j < 2 || kind === 'structuring'
          ? rng.between(STRUCTURING_LOW, STRUCTURING_HIGH - 1)
          : kind === 'structuring-decoy-threshold'
            ? STRUCTURING_HIGH
            : STRUCTURING_LOW - 1;
      // Each to a receiver of its own, so no pair's window sum passes 10 000 (laundering's truth).
      p.addTransfer(unitTo(id, kind, account, what), p.takeSlot(t, what), amount);
      t += rng.between(10, 60) * MINUTE;
    }
  }

  const cards: number[] = [];
  for (let k = 0; k < counts.cardTesting; k++, id++) {
    const kind = CARD_KINDS[k % CARD_KINDS.length]!;
    const what = `card-testing case ${id} (${kind})`;
    const t0 = caseStart(k, counts.cardTesting, CARD_SPAN_MS, what);
    const card = p.freshAccount(what, busySenders);
    cards.push(card);
    const merchant = unitTo(id, kind, card, what);
    const tests = kind === 'card-testing' ? rng.between(3, 6) : 3;
    // Tests 10–120 s apart (at most 6 × 2 min); the slow decoy's large payment is 31–45 min after
    // its first test, and its tests span under 21 min, so no three tests are within 30 min of it.
    let t = t0;
    for (let j = 0; j < tests; j++) {
      p.addTransfer(merchant, p.takeSlot(t, what), rng.between(1, CARD_TEST_BELOW - 1));
      t += rng.between(10, 120) * 1000;
    }
    const large =
      kind === 'card-testing-decoy-small'
        ? rng.between(100, CARD_LARGE_FROM - 1)
        : rng.between(CARD_LARGE_FROM, 8_999);
    const at =
      kind === 'card-testing-decoy-slow'
        ? t0 + rng.between(31, 45) * MINUTE
        : t + rng.between(1, 10) * MINUTE;
    p.addTransfer(unitTo(id, kind, card, what), p.takeSlot(at, what), large);
  }

  for (let k = 0; k < counts.firstContact; k++, id++) {
    const kind = FIRST_CONTACT_KINDS[k % FIRST_CONTACT_KINDS.length]!;
    const what = `first-contact case ${id} (${kind})`;
    const t0 = caseStart(k, counts.firstContact, FIRST_CONTACT_SPAN_MS, what);
    const sender = p.freshAccount(what);
    const unit = unitTo(id, kind, sender, what);
    const first =
      kind === 'first-contact'
        ? rng.between(FIRST_CONTACT_ABOVE + 1, 8_999)
        : k % 4 === 1
          ? FIRST_CONTACT_ABOVE
          : rng.between(100, FIRST_CONTACT_ABOVE);
    p.addTransfer(unit, p.takeSlot(t0, what), first);
    // Later transfers of the pair, large ones included: never a first contact.
    const later = kind === 'first-contact' ? rng.int(3) : 1 + rng.int(2);
    for (let j = 1; j <= later; j++) {
      p.addTransfer(unit, p.takeSlot(t0 + j * rng.between(11, 29) * MINUTE, what), rng.between(5_001, 8_999));
    }
  }
  return cards;
}

// ---------------------------------------------------------------------------------------------
// Background kept quiet

/** What background traffic avoids while these patterns are planted (generate.ts asks per record). */
export class QuietBackground {
  private readonly seenPairs: Set<number> | null;

  constructor(
    private readonly counts: EventPatternCounts,
    /** Accounts background must not send from (the cards under test). */
    readonly silentSenders: ReadonlySet<number>,
  ) {
    this.seenPairs = counts.firstContact > 0 ? new Set() : null;
  }

  /** A background amount moved out of the patterns' ranges (only ever lowered, or raised by 10 from under 10). */
  amount(amount: number, pairKey: number): number {
    let a = amount;
    if (this.seenPairs !== null && a > FIRST_CONTACT_ABOVE && !this.seenPairs.has(pairKey))
      a -= FIRST_CONTACT_ABOVE;
    if (this.counts.structuring > 0 && a >= STRUCTURING_LOW && a < STRUCTURING_HIGH) a -= 1_000;
    if (this.counts.cardTesting > 0 && a < CARD_TEST_BELOW) a += CARD_TEST_BELOW;
    return a;
  }

  /** Whether a (trimmed) background amount would make a pattern. */
  forbids(amount: number, pairKey: number): boolean {
    return this.amount(amount, pairKey) !== amount;
  }

  /** Called for each background transfer emitted. */
  emitted(pairKey: number): void {
    this.seenPairs?.add(pairKey);
  }
}

// ---------------------------------------------------------------------------------------------
// Truth: each job's definition run over every transfer emitted

export interface StructuringTruth {
  readonly caseId: number;
  readonly kind: string;
  readonly account: number;
  readonly firstTime: number;
  readonly lastTime: number;
  readonly total: number;
  readonly expectedAlert: boolean;
}

export interface CardTestingTruth {
  readonly caseId: number;
  readonly kind: string;
  readonly account: number;
  readonly firstTest: number;
  readonly tests: number;
  readonly largeTime: number;
  readonly largeAmount: number;
  readonly expectedAlert: boolean;
}

export interface FirstContactTruth {
  readonly caseId: number;
  readonly kind: string;
  readonly sender: number;
  readonly receiver: number;
  readonly time: number;
  readonly amount: number;
  readonly expectedAlert: boolean;
}

interface Tx {
  readonly time: number;
  readonly amount: number;
  readonly caseId: number;
  readonly kind: string;
}

/** Planted decoy cases, for the rows that say what must not alert. */
interface DecoyCase {
  readonly caseId: number;
  readonly kind: string;
  readonly sender: number;
  readonly transfers: { time: number; receiver: number; amount: number }[];
}

/**
 * Runs the three jobs' definitions over the transfers as emitted (in emission order, which is
 * event-time order here). MATCH_RECOGNIZE as Flink runs these two patterns: the earliest start
 * wins, AFTER MATCH SKIP PAST LAST ROW drops the rest, and a partial match whose first row is
 * WITHIN or more older than the current row is gone (NFA.isStateTimedOut: now - start >= within).
 */
export class EventTruth {
  private readonly nearThreshold = new Map<number, Tx[]>();
  private readonly testRuns = new Map<number, Tx[]>();
  private readonly seenPairs: Set<number> | null;
  private readonly decoys = new Map<number, DecoyCase>();
  readonly structuring: StructuringTruth[] = [];
  readonly cardTesting: CardTestingTruth[] = [];
  readonly firstContact: FirstContactTruth[] = [];

  constructor(
    private readonly counts: EventPatternCounts,
    private readonly accounts: number,
  ) {
    this.seenPairs = counts.firstContact > 0 ? new Set() : null;
  }

  /** Each transfer emitted; caseId 0 and kind 'background' for background traffic. */
  observe(
    time: number,
    sender: number,
    receiver: number,
    amount: number,
    caseId: number,
    kind: string,
  ): void {
    const tx: Tx = { time, amount, caseId, kind };
    if (kind.includes('decoy')) {
      const d = this.decoys.get(caseId) ?? { caseId, kind, sender, transfers: [] };
      d.transfers.push({ time, receiver, amount });
      this.decoys.set(caseId, d);
    }
    if (this.counts.structuring > 0 && amount >= STRUCTURING_LOW && amount < STRUCTURING_HIGH) {
      const list = (this.nearThreshold.get(sender) ?? []).filter(
        (t) => time - t.time < STRUCTURING_WITHIN_MS,
      );
      list.push(tx);
      if (list.length === 3) {
        this.structuring.push({
          caseId: list[0]!.caseId,
          kind: list[0]!.kind,
          account: sender,
          firstTime: list[0]!.time,
          lastTime: time,
          total: list.reduce((s, t) => s + t.amount, 0),
          expectedAlert: true,
        });
        this.nearThreshold.delete(sender);
      } else this.nearThreshold.set(sender, list);
    }
    if (this.counts.cardTesting > 0) {
      if (amount < CARD_TEST_BELOW) {
        const run = this.testRuns.get(sender);
        if (run) run.push(tx);
        else this.testRuns.set(sender, [tx]);
      } else {
        const run = this.testRuns.get(sender);
        if (run) {
          this.testRuns.delete(sender);
          const start = run.findIndex((t) => time - t.time < CARD_WITHIN_MS);
          if (amount >= CARD_LARGE_FROM && start >= 0 && run.length - start >= 3) {
            this.cardTesting.push({
              caseId: run[start]!.caseId,
              kind: run[start]!.kind,
              account: sender,
              firstTest: run[start]!.time,
              tests: run.length - start,
              largeTime: time,
              largeAmount: amount,
              expectedAlert: true,
            });
          }
        }
      }
    }
    if (this.seenPairs !== null) {
      const key = sender * this.accounts + receiver;
      if (!this.seenPairs.has(key)) {
        this.seenPairs.add(key);
        if (amount > FIRST_CONTACT_ABOVE)
          this.firstContact.push({ caseId, kind, sender, receiver, time, amount, expectedAlert: true });
      }
    }
  }

  /** The truth, with a row per decoy case (or a decoy's transfer) that must not alert. */
  finish(): void {
    for (const d of this.decoys.values()) {
      const first = d.transfers[0]!;
      const last = d.transfers[d.transfers.length - 1]!;
      if (d.kind.startsWith('structuring') && !this.structuring.some((r) => r.caseId === d.caseId)) {
        this.structuring.push({
          caseId: d.caseId,
          kind: d.kind,
          account: d.sender,
          firstTime: first.time,
          lastTime: last.time,
          total: d.transfers.reduce((s, t) => s + t.amount, 0),
          expectedAlert: false,
        });
      }
      if (d.kind.startsWith('card-testing') && !this.cardTesting.some((r) => r.caseId === d.caseId)) {
        this.cardTesting.push({
          caseId: d.caseId,
          kind: d.kind,
          account: d.sender,
          firstTest: first.time,
          tests: d.transfers.length - 1,
          largeTime: last.time,
          largeAmount: last.amount,
          expectedAlert: false,
        });
      }
      if (d.kind.startsWith('first-contact')) {
        for (const t of d.transfers) {
          if (t.amount <= FIRST_CONTACT_ABOVE) continue;
          if (
            this.firstContact.some(
              (r) => r.sender === d.sender && r.receiver === t.receiver && r.time === t.time,
            )
          )
            continue;
          this.firstContact.push({
            caseId: d.caseId,
            kind: d.kind,
            sender: d.sender,
            receiver: t.receiver,
            time: t.time,
            amount: t.amount,
            expectedAlert: false,
          });
        }
      }
    }
    const byCase = (a: { caseId: number }, b: { caseId: number }) => a.caseId - b.caseId;
    this.structuring.sort(byCase);
    this.cardTesting.sort(byCase);
    this.firstContact.sort(byCase);
  }
}

// ---------------------------------------------------------------------------------------------
// Truth files (times `yyyy-MM-dd HH:mm:ss.SSS` UTC, as the jobs write them)

export const STRUCTURING_TRUTH_FILE = 'structuring_truth.csv';
export const CARD_TESTING_TRUTH_FILE = 'card_testing_truth.csv';
export const FIRST_CONTACT_TRUTH_FILE = 'first_contact_truth.csv';

export function structuringTruthCsv(rows: readonly StructuringTruth[]): string {
  let text = 'id,kind,account,first_time,last_time,total,expected_alert\n';
  for (const r of rows)
    text += `${r.caseId},${r.kind},${r.account},${formatTimestamp(r.firstTime)},${formatTimestamp(r.lastTime)},${r.total},${r.expectedAlert}\n`;
  return text;
}

export function cardTestingTruthCsv(rows: readonly CardTestingTruth[]): string {
  let text = 'id,kind,account,first_test,tests,large_time,large_amount,expected_alert\n';
  for (const r of rows)
    text += `${r.caseId},${r.kind},${r.account},${formatTimestamp(r.firstTest)},${r.tests},${formatTimestamp(r.largeTime)},${r.largeAmount},${r.expectedAlert}\n`;
  return text;
}

export function firstContactTruthCsv(rows: readonly FirstContactTruth[]): string {
  let text = 'id,kind,sender,receiver,tx_time,amount,expected_alert\n';
  for (const r of rows)
    text += `${r.caseId},${r.kind},${r.sender},${r.receiver},${formatTimestamp(r.time)},${r.amount},${r.expectedAlert}\n`;
  return text;
}
