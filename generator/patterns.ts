// Planted patterns for the join jobs, beside the windowed laundering of plant.ts:
//
//   rapid cash-out   a deposit of more than 10 000 into an account, then a transfer out of it of at
//                    least 80 % of the deposit within the hour (jobs/rapid_cashout.sql)
//   layering         a→b of more than 10 000, then b→c (c ≠ a) within 10 minutes, the amount within
//                    10 % of the first (jobs/layering.sql)
//   blocklist        a transfer to a blocklisted account once it is listed (jobs/blocklist.sql)
//
// Each pattern rotates a case that must alert with decoys that must not. Background transfers are
// all below 10 000 and never touch a blocklisted account, and every planted transfer is either at
// least 12 500, so that a partner of ≥ 80 % (or ≥ 90 %) of it is over 10 000 too, or at most 8 000,
// too small to be anything's partner: every match of these definitions is between planted transfers. The truth is therefore computed by testing the
// definitions on every pair of planted transfers as they were emitted (patternTruth), not taken
// from the intent of the cases: a layering hop also moves ≥ 80 % on within the hour, so it is a
// rapid cash-out as well, and its truth row says so.

import { formatTimestamp } from '../engine/values.js';
import type { Prng } from './prng.js';
import type { BlocklistEntry } from './reference.js';

export type CashoutKind = 'rapid-cashout' | 'cashout-decoy-share' | 'cashout-decoy-late';
export type LayeringKind = 'layering' | 'layering-decoy-slow' | 'layering-decoy-amount';
export type BlocklistKind = 'blocklisted' | 'blocklist-decoy-early';
export type PatternKind = CashoutKind | LayeringKind | BlocklistKind;

const CASHOUT_KINDS: readonly CashoutKind[] = ['rapid-cashout', 'cashout-decoy-share', 'cashout-decoy-late'];
const LAYERING_KINDS: readonly LayeringKind[] = ['layering', 'layering-decoy-slow', 'layering-decoy-amount'];

/** The jobs' "large" transfer: strictly more than this. Background amounts are below it. */
export const LARGE_AMOUNT = 10_000;
/** Planted large transfers are at least this, so that 80 % of one is still above LARGE_AMOUNT. */
const PLANTED_LARGE_MIN = 12_500;
const PLANTED_LARGE_MAX = 60_000;
export const CASHOUT_WITHIN_MS = 3_600_000;
export const LAYERING_WITHIN_MS = 600_000;
const MINUTE = 60_000;
/** Longest span of a case, first transfer to last: a late cash-out decoy comes up to 2 h after. */
const CASHOUT_SPAN_MS = 120 * MINUTE;
const LAYERING_SPAN_MS = 30 * MINUTE;

/** The definitions, exactly as the jobs write them (amounts are whole numbers: compare in tenths). */
export function isRapidCashout(deposit: PlantedTransfer, out: PlantedTransfer): boolean {
  return (
    deposit.amount > LARGE_AMOUNT &&
    out.sender === deposit.receiver &&
    out.time >= deposit.time &&
    out.time <= deposit.time + CASHOUT_WITHIN_MS &&
    out.amount * 10 >= deposit.amount * 8
  );
}

export function isLayering(first: PlantedTransfer, second: PlantedTransfer): boolean {
  return (
    first.amount > LARGE_AMOUNT &&
    second.sender === first.receiver &&
    second.receiver !== first.sender &&
    second.time > first.time &&
    second.time <= first.time + LAYERING_WITHIN_MS &&
    second.amount * 10 >= first.amount * 9 &&
    second.amount * 10 <= first.amount * 11
  );
}

export interface PatternCounts {
  readonly cashout: number;
  readonly layering: number;
  readonly blocklist: number;
}

/** What planning a pattern needs from the plan being built (plant.ts). */
export interface PatternPlanner {
  readonly rng: Prng;
  readonly count: number;
  eventTimeAt(slot: number): number;
  /** The first slot whose time is ≥ t (count when none). */
  firstSlotAtOrAfter(t: number): number;
  /** Takes the first free slot at or after time t; throws saying `what` needed it when there is none. */
  takeSlot(t: number, what: string): number;
  /** An account no other pattern case uses, not blocklisted, none of `avoid`. */
  freshAccount(what: string, avoid?: readonly number[]): number;
  /** Reserves the pair for planted transfers only (background never uses it); false when already reserved. */
  reservePair(sender: number, receiver: number): boolean;
  /** A unit of the truth (one pair of one case); returns its index. `kind`: a PatternKind or an EventKind (event-patterns.ts). */
  addUnit(id: number, kind: string, sender: number, receiver: number): number;
  /** `city`: the index in CITIES of the transfer's city (top-senders.ts), else drawn like background's. */
  addTransfer(unit: number, slot: number, amount: number, city?: number): void;
}

/** A planted transfer as emitted (its real event time), for the pattern truth. */
export interface PlantedTransfer {
  readonly caseId: number;
  readonly kind: string;
  readonly time: number;
  readonly sender: number;
  readonly receiver: number;
  readonly amount: number;
}

/**
 * When case k of n starts: spread evenly over the part of the run where its last transfer (`span` ms
 * after its start) still fits; a run too short for the pattern is an error that says what to change.
 */
export function caseStarts(p: PatternPlanner): (k: number, n: number, span: number, what: string) => number {
  const firstTime = p.eventTimeAt(0);
  const lastTime = p.eventTimeAt(p.count - 1);
  return (k, n, span, what) => {
    const room = lastTime - span - firstTime;
    if (room < 0) {
      throw new Error(
        `cannot plant ${what}: it needs ${span / MINUTE} minutes of event time and the run covers only ` +
          `${Math.floor((lastTime - firstTime) / 1000)} s; generate more records (--count) or spread them (--step-ms)`,
      );
    }
    return firstTime + Math.floor(((k + 0.5) * room) / n / 1000) * 1000;
  };
}

/** Plans the pattern cases, numbered from `firstId` on. */
export function planPatterns(
  p: PatternPlanner,
  counts: PatternCounts,
  blocklist: readonly BlocklistEntry[],
  firstId: number,
): void {
  const { rng } = p;
  let id = firstId;
  const lastTime = p.eventTimeAt(p.count - 1);
  const firstTime = p.eventTimeAt(0);

  const caseStart = caseStarts(p);

  /** Two fresh accounts and a pair between them reserved for planted transfers. */
  const pairFrom = (what: string, avoid: number[]): [number, number] => {
    for (;;) {
      const a = p.freshAccount(what, avoid);
      const b = p.freshAccount(what, [...avoid, a]);
      if (p.reservePair(a, b)) return [a, b];
    }
  };

  /** A first transfer large enough that its second, at least `minPerMille` of it, is PLANTED_LARGE_MIN or more. */
  const large = (minPerMille: number): number =>
    rng.between(
      Math.max(PLANTED_LARGE_MIN, Math.ceil((PLANTED_LARGE_MIN * 1000) / minPerMille)),
      PLANTED_LARGE_MAX,
    );
  /** amount × ratio in per mille, rounded to a whole number (ratios here never sit on a boundary after rounding). */
  const scaled = (amount: number, perMille: number): number => Math.round((amount * perMille) / 1000);

  for (let k = 0; k < counts.cashout; k++, id++) {
    const kind = CASHOUT_KINDS[k % CASHOUT_KINDS.length]!;
    const what = `rapid cash-out case ${id} (${kind})`;
    const t0 = caseStart(k, counts.cashout, CASHOUT_SPAN_MS, what);
    const [from, account] = pairFrom(what, []);
    const [, to] = pairFromAccount(p, account, what);
    // Later than 10 minutes, so that no cash-out is also a layering chain.
    const delay =
      kind === 'cashout-decoy-late' ? rng.between(61, 120) * MINUTE : rng.between(11, 59) * MINUTE;
    // ≥ 80 % (up to all of it), or 50–78 % for the decoy.
    const [lowest, highest] = kind === 'cashout-decoy-share' ? [500, 780] : [810, 1000];
    const deposit = large(lowest);
    const out = scaled(deposit, rng.between(lowest, highest));
    p.addTransfer(p.addUnit(id, kind, from, account), p.takeSlot(t0, what), deposit);
    p.addTransfer(p.addUnit(id, kind, account, to), p.takeSlot(t0 + delay, what), out);
  }

  for (let k = 0; k < counts.layering; k++, id++) {
    const kind = LAYERING_KINDS[k % LAYERING_KINDS.length]!;
    const what = `layering case ${id} (${kind})`;
    const t0 = caseStart(k, counts.layering, LAYERING_SPAN_MS, what);
    const [a, b] = pairFrom(what, []);
    const [, c] = pairFromAccount(p, b, what, [a]);
    const delay = kind === 'layering-decoy-slow' ? rng.between(11, 30) * MINUTE : rng.between(10, 590) * 1000;
    // Within 10 % (91–109 %, clear of the boundaries), or 60–85 % / 115–140 % for the decoy.
    const [lowest, highest] =
      kind === 'layering-decoy-amount' ? (rng.int(2) === 0 ? [600, 850] : [1150, 1400]) : [910, 1090];
    const first = large(lowest);
    p.addTransfer(p.addUnit(id, kind, a, b), p.takeSlot(t0, what), first);
    p.addTransfer(
      p.addUnit(id, kind, b, c),
      p.takeSlot(t0 + delay, what),
      scaled(first, rng.between(lowest, highest)),
    );
  }

  if (counts.blocklist > 0 && blocklist.length === 0) {
    throw new Error(
      `cannot plant transfers to blocklisted accounts: with this few accounts there is no blocklist; use --accounts 10 or more`,
    );
  }
  const listedDuringRun = blocklist.filter((b) => b.listedAt > firstTime);
  for (let k = 0; k < counts.blocklist; k++, id++) {
    // Alternating: to any listed account after its listing; to an account listed during the run, before it was.
    const early = k % 2 === 1 && listedDuringRun.length > 0;
    const kind: BlocklistKind = early ? 'blocklist-decoy-early' : 'blocklisted';
    const what = `blocklist case ${id} (${kind})`;
    const entry = early
      ? listedDuringRun[rng.int(listedDuringRun.length)]!
      : blocklist[rng.int(blocklist.length)]!;
    const center = p.eventTimeAt(Math.min(p.count - 1, Math.floor(((k + 0.5) * p.count) / counts.blocklist)));
    // Before the listing for a decoy (up to an hour), at or after it otherwise.
    const time = early
      ? Math.max(firstTime, entry.listedAt - rng.between(1, 3600) * 1000)
      : Math.max(center, entry.listedAt);
    if (time > lastTime || (early && time >= entry.listedAt)) {
      throw new Error(
        `cannot plant ${what}: the run ends before account ${entry.accountId} can be paid at the right time; generate more records (--count)`,
      );
    }
    let sender = p.freshAccount(what);
    while (!p.reservePair(sender, entry.accountId)) sender = p.freshAccount(what);
    // Small amounts: below 80 % of any large transfer, so never part of another pattern.
    p.addTransfer(
      p.addUnit(id, kind, sender, entry.accountId),
      p.takeSlot(time, what),
      rng.between(100, 7999),
    );
  }
}

/** A fresh account `to` and the pair from → to reserved. */
function pairFromAccount(
  p: PatternPlanner,
  from: number,
  what: string,
  avoid: number[] = [],
): [number, number] {
  for (;;) {
    const to = p.freshAccount(what, [from, ...avoid]);
    if (p.reservePair(from, to)) return [from, to];
  }
}

// ---------------------------------------------------------------------------------------------
// Truth

export interface CashoutTruth {
  readonly caseId: number;
  readonly kind: string;
  readonly account: number;
  readonly depositFrom: number;
  readonly depositTime: number;
  readonly depositAmount: number;
  readonly cashoutTo: number;
  readonly cashoutTime: number;
  readonly cashoutAmount: number;
  readonly expectedAlert: boolean;
}

export interface LayeringTruth {
  readonly caseId: number;
  readonly kind: string;
  readonly origin: number;
  readonly middle: number;
  readonly destination: number;
  readonly firstTime: number;
  readonly firstAmount: number;
  readonly secondTime: number;
  readonly secondAmount: number;
  readonly expectedAlert: boolean;
}

export interface BlocklistTruth {
  readonly caseId: number;
  readonly kind: string;
  readonly time: number;
  readonly sender: number;
  readonly receiver: number;
  readonly amount: number;
  readonly listedAt: number;
  readonly expectedAlert: boolean;
}

export interface PatternTruth {
  readonly rapidCashout: CashoutTruth[];
  readonly layering: LayeringTruth[];
  readonly blocklist: BlocklistTruth[];
}

/**
 * The truth of every pattern over the planted transfers emitted: one row per candidate pair (the
 * accounts chain up and the second comes after the first), saying whether the job must report it.
 * Rows are attributed to the case of the first transfer.
 */
export function patternTruth(
  planted: readonly PlantedTransfer[],
  blocklist: readonly BlocklistEntry[],
): PatternTruth {
  const rapidCashout: CashoutTruth[] = [];
  const layering: LayeringTruth[] = [];
  const bySender = new Map<number, PlantedTransfer[]>();
  for (const t of planted) {
    const list = bySender.get(t.sender);
    if (list) list.push(t);
    else bySender.set(t.sender, [t]);
  }
  for (const first of planted) {
    if (first.amount <= LARGE_AMOUNT) continue;
    for (const second of bySender.get(first.receiver) ?? []) {
      if (second === first || second.time < first.time) continue;
      rapidCashout.push({
        caseId: first.caseId,
        kind: first.kind,
        account: first.receiver,
        depositFrom: first.sender,
        depositTime: first.time,
        depositAmount: first.amount,
        cashoutTo: second.receiver,
        cashoutTime: second.time,
        cashoutAmount: second.amount,
        expectedAlert: isRapidCashout(first, second),
      });
      if (second.time > first.time && second.receiver !== first.sender) {
        layering.push({
          caseId: first.caseId,
          kind: first.kind,
          origin: first.sender,
          middle: first.receiver,
          destination: second.receiver,
          firstTime: first.time,
          firstAmount: first.amount,
          secondTime: second.time,
          secondAmount: second.amount,
          expectedAlert: isLayering(first, second),
        });
      }
    }
  }
  const listed = new Map(blocklist.map((b) => [b.accountId, b]));
  const blocked: BlocklistTruth[] = [];
  for (const t of planted) {
    const entry = listed.get(t.receiver);
    if (!entry) continue;
    blocked.push({
      caseId: t.caseId,
      kind: t.kind,
      time: t.time,
      sender: t.sender,
      receiver: t.receiver,
      amount: t.amount,
      listedAt: entry.listedAt,
      expectedAlert: t.time >= entry.listedAt,
    });
  }
  const byCaseThenTime =
    <T extends { caseId: number }>(time: (r: T) => number) =>
    (a: T, b: T) =>
      a.caseId - b.caseId || time(a) - time(b);
  return {
    rapidCashout: rapidCashout.sort(byCaseThenTime((r) => r.cashoutTime)),
    layering: layering.sort(byCaseThenTime((r) => r.secondTime)),
    blocklist: blocked.sort(byCaseThenTime((r) => r.time)),
  };
}

// ---------------------------------------------------------------------------------------------
// Truth files (a header, then one row per candidate; times `yyyy-MM-dd HH:mm:ss.SSS` UTC as in truth.csv)

export const CASHOUT_TRUTH_FILE = 'rapid_cashout_truth.csv';
export const LAYERING_TRUTH_FILE = 'layering_truth.csv';
export const BLOCKLIST_TRUTH_FILE = 'blocklist_truth.csv';

export function cashoutTruthCsv(rows: readonly CashoutTruth[]): string {
  let text =
    'id,kind,account,deposit_from,deposit_time,deposit_amount,cashout_to,cashout_time,cashout_amount,expected_alert\n';
  for (const r of rows) {
    text +=
      `${r.caseId},${r.kind},${r.account},${r.depositFrom},${formatTimestamp(r.depositTime)},${r.depositAmount},` +
      `${r.cashoutTo},${formatTimestamp(r.cashoutTime)},${r.cashoutAmount},${r.expectedAlert}\n`;
  }
  return text;
}

export function layeringTruthCsv(rows: readonly LayeringTruth[]): string {
  let text =
    'id,kind,origin,middle,destination,first_time,first_amount,second_time,second_amount,expected_alert\n';
  for (const r of rows) {
    text +=
      `${r.caseId},${r.kind},${r.origin},${r.middle},${r.destination},${formatTimestamp(r.firstTime)},${r.firstAmount},` +
      `${formatTimestamp(r.secondTime)},${r.secondAmount},${r.expectedAlert}\n`;
  }
  return text;
}

export function blocklistTruthCsv(rows: readonly BlocklistTruth[]): string {
  let text = 'id,kind,tx_time,sender,receiver,amount,listed_at,expected_alert\n';
  for (const r of rows) {
    text += `${r.caseId},${r.kind},${formatTimestamp(r.time)},${r.sender},${r.receiver},${r.amount},${formatTimestamp(r.listedAt)},${r.expectedAlert}\n`;
  }
  return text;
}
