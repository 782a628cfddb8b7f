// Plans the planted cases: which pair, which records (slots) and which amounts. The generator then
// emits a planted transfer in place of the background record at each planned slot.
//
// Every case gets its own (sender, receiver) pair inside the normal account range, drawn at random
// and reserved: background traffic never uses a reserved pair, so a planted pair's window sums are
// exactly the planted transfers. Cases rotate laundering, straddling, decoy and are spread evenly
// over the run (case k sits around record (k + 0.5) * count / plant).
//
// The join jobs' patterns (patterns.ts: rapid cash-out, layering, blocklist) are planned after the
// laundering cases, in the same slots and reserved pairs: each of their pairs is a unit of its own
// here too, so the windowed truth stays exact with them planted (a single transfer over the
// threshold is a laundering alert of its pair and window, and the truth lists it).

import { Prng } from './prng.js';
import { formatTimestamp } from '../engine/values.js';
import { planPatterns, type PatternCounts, type PatternKind, type PatternPlanner } from './patterns.js';
import {
  eventTransferCount,
  NO_EVENT_PATTERNS,
  planEventPatterns,
  type EventKind,
  type EventPatternCounts,
} from './event-patterns.js';
import type { BlocklistEntry } from './reference.js';
import { planTopSenders, topSendersTransferCount, type TopSenderKind } from './top-senders.js';

export type PlantKind = 'laundering' | 'straddling' | 'decoy';
export const PLANT_KINDS: readonly PlantKind[] = ['laundering', 'straddling', 'decoy'];

export interface PlannedCase {
  /** 1-based case number; a straddling case keeps its id in both of its truth rows, a pattern case in each of its pairs'. */
  readonly id: number;
  readonly kind: PlantKind | PatternKind | EventKind | TopSenderKind;
  readonly sender: number;
  readonly receiver: number;
}

/** Planned transfers in emission order (ascending slot), as parallel arrays. */
export interface Plan {
  /** The units of the truth: one per laundering case, one per pair of a pattern case. */
  readonly cases: PlannedCase[];
  /** Index in `cases` of the first pattern unit (the ones before are laundering cases). */
  readonly patternFrom: number;
  /** Event time (whole seconds) of each planned transfer's slot. */
  readonly time: Float64Array;
  readonly caseIndex: Int32Array;
  readonly amount: Float64Array;
  /** The city (index in CITIES) of each planned transfer, or -1 when it takes one like background. */
  readonly city: Int8Array;
  /** Pair keys (sender * accounts + receiver) that background traffic must not use. */
  readonly reservedPairs: Set<number>;
  /** Accounts background traffic must neither send from nor to (the blocklisted ones). */
  readonly excludedAccounts: Set<number>;
  /** Accounts background traffic must not send from (the cards of card-testing cases). */
  readonly silentSenders: Set<number>;
}

export interface PlanInput {
  readonly count: number;
  readonly plant: number;
  readonly accounts: number;
  readonly windowMs: number;
  readonly threshold: number;
  readonly seed: number;
  /** Event time of record `slot` (non-decreasing in slot). */
  readonly eventTimeAt: (slot: number) => number;
  /** Cases of the join jobs' patterns (none when absent). */
  readonly patterns?: PatternCounts;
  /** The blocklist: its accounts take part in no background or laundering transfer. */
  readonly blocklist?: readonly BlocklistEntry[];
  /** Cases of the per-event jobs' patterns (event-patterns.ts; none when absent). */
  readonly events?: EventPatternCounts;
  /** Cases of top_senders.sql (top-senders.ts; none when absent). */
  readonly topSenders?: number;
}

/** Largest planted transfer we aim for, so planted transfers look like ordinary small ones. */
const SMALL_TRANSFER = 2499;

function windowStartOf(ts: number, windowMs: number): number {
  const r = ts % windowMs;
  return ts - (r < 0 ? r + windowMs : r);
}

export function planCases(input: PlanInput): Plan {
  const { count, plant, accounts, windowMs, threshold } = input;
  const patterns = input.patterns ?? { cashout: 0, layering: 0, blocklist: 0 };
  const excludedAccounts = new Set((input.blocklist ?? []).map((b) => b.accountId));
  const rng = new Prng(input.seed * 7919 + 0x5eed);
  const maxPairs = Math.floor((accounts * (accounts - 1)) / 2);
  const events = input.events ?? NO_EVENT_PATTERNS;
  const topSenders = input.topSenders ?? 0;
  const units =
    plant +
    2 * patterns.cashout +
    2 * patterns.layering +
    patterns.blocklist +
    eventTransferCount(events) +
    topSendersTransferCount(topSenders);
  if (units > maxPairs) {
    throw new Error(
      `cannot plant ${units} account pairs with ${accounts} accounts: each laundering case and each pair of a pattern case ` +
        `needs its own account pair and at most half of the ${accounts * (accounts - 1)} pairs may be reserved; use more --accounts or plant fewer cases`,
    );
  }

  const firstSlotAtOrAfter = (t: number): number => {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (input.eventTimeAt(mid) >= t) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const windowSlots = (start: number): [number, number] => [
    firstSlotAtOrAfter(start),
    firstSlotAtOrAfter(start + windowMs),
  ];

  const usedSlots = new Set<number>();
  const reservedPairs = new Set<number>();
  const cases: PlannedCase[] = [];
  const slots: number[] = [];
  const caseOfSlot: number[] = [];
  const amountOfSlot: number[] = [];
  const cityOfSlot: number[] = [];

  const pickSlots = (from: number, to: number, n: number, what: string, windowStart: number): number[] => {
    const picked: number[] = [];
    const span = to - from;
    for (let tries = 0; picked.length < n && span > 0 && tries < n * 20; tries++) {
      const s = from + rng.int(span);
      if (!usedSlots.has(s)) {
        usedSlots.add(s);
        picked.push(s);
      }
    }
    for (let s = from; picked.length < n && s < to; s++) {
      if (!usedSlots.has(s)) {
        usedSlots.add(s);
        picked.push(s);
      }
    }
    if (picked.length < n) {
      throw new Error(
        `cannot plant ${plant} cases in ${count} records: ${what} needs ${n} transfers in the window starting ` +
          `${formatTimestamp(windowStart)}, which has only ${picked.length} free records there; ` +
          `plant fewer cases, generate more records (--count) or put more records in a window (smaller --step-ms)`,
      );
    }
    return picked;
  };

  const addTransfers = (caseIdx: number, total: number, picked: number[]): void => {
    const parts = splitAmount(rng, total, picked.length);
    for (let j = 0; j < picked.length; j++) {
      slots.push(picked[j]!);
      caseOfSlot.push(caseIdx);
      amountOfSlot.push(parts[j]!);
      cityOfSlot.push(-1);
    }
  };

  let decoys = 0;
  for (let k = 0; k < plant; k++) {
    const kind = PLANT_KINDS[k % 3]!;
    const [sender, receiver] = reservePair(rng, accounts, reservedPairs, excludedAccounts);
    cases.push({ id: k + 1, kind, sender, receiver });
    const what = `case ${k + 1} (${kind})`;
    const center = Math.min(count - 1, Math.floor(((k + 0.5) * count) / plant));
    const centerTime = input.eventTimeAt(center);
    const w = windowStartOf(centerTime, windowMs);

    if (kind === 'straddling') {
      // The boundary nearest the case's spot that has records on both sides.
      const near = centerTime - w < windowMs / 2 ? w : w + windowMs;
      const far = near === w ? w + windowMs : w;
      const hasBothSides = (b: number): boolean => firstSlotAtOrAfter(b) > 0 && firstSlotAtOrAfter(b) < count;
      const boundary = hasBothSides(near) ? near : hasBothSides(far) ? far : NaN;
      if (Number.isNaN(boundary)) {
        throw new Error(
          `cannot plant ${what}: it needs records on both sides of a window boundary, but the run covers a ` +
            `single ${windowMs / 1000} s window; generate more records (--count) or spread them (--step-ms)`,
        );
      }
      // Part A in the last quarter of the window before the boundary, part B in the first quarter after it.
      const [la, lb] = windowSlots(boundary - windowMs);
      const [ra, rb] = windowSlots(boundary);
      const sides: Array<[from: number, to: number, start: number]> = [
        [Math.max(la, lb - Math.ceil((lb - la) / 4)), lb, boundary - windowMs],
        [ra, Math.min(rb, count, ra + Math.ceil((rb - ra) / 4)), boundary],
      ];
      for (const [from, to, start] of sides) {
        const total = threshold + 1 + rng.int(Math.floor(threshold / 2) + 1);
        const n = transferCount(rng, total, 3, 15);
        addTransfers(k, total, pickSlots(from, to, n, what, start));
      }
    } else {
      const total =
        kind === 'laundering'
          ? threshold + 1 + rng.int(2 * threshold + 1)
          : decoys++ % 2 === 0
            ? threshold // exactly at the threshold: must not alert (strictly greater alerts)
            : rng.between(Math.max(0, threshold - 500), threshold);
      const [a, b] = windowSlots(w);
      const n = transferCount(rng, total, 5, 30);
      addTransfers(k, total, pickSlots(a, Math.min(b, count), n, what, w));
    }
  }

  const patternFrom = cases.length;
  const silentSenders = new Set<number>();
  const eventCases = events.structuring + events.cardTesting + events.firstContact;
  if (patterns.cashout + patterns.layering + patterns.blocklist + eventCases + topSenders > 0) {
    const patternAccounts = new Set<number>();
    const available = accounts - excludedAccounts.size;
    const planner: PatternPlanner = {
      rng,
      count,
      eventTimeAt: input.eventTimeAt,
      firstSlotAtOrAfter,
      takeSlot(t, what) {
        for (let s = firstSlotAtOrAfter(t); s < count; s++) {
          if (!usedSlots.has(s)) {
            usedSlots.add(s);
            return s;
          }
        }
        throw new Error(
          `cannot plant ${what}: no free record at or after ${formatTimestamp(t)}; generate more records (--count)`,
        );
      },
      freshAccount(what, avoid = []) {
        if (patternAccounts.size + avoid.length >= available) {
          throw new Error(
            `cannot plant ${what}: each pattern case needs accounts of its own and ${accounts} accounts are too few; use more --accounts or plant fewer cases`,
          );
        }
        for (;;) {
          const a = rng.int(accounts);
          if (excludedAccounts.has(a) || patternAccounts.has(a) || avoid.includes(a)) continue;
          patternAccounts.add(a);
          return a;
        }
      },
      reservePair(sender, receiver) {
        const key = sender * accounts + receiver;
        if (reservedPairs.has(key)) return false;
        reservedPairs.add(key);
        return true;
      },
      addUnit(id, kind, sender, receiver) {
        // Only patterns.ts and event-patterns.ts plan units, with their own kinds.
        cases.push({ id, kind: kind as PatternKind | EventKind, sender, receiver });
        return cases.length - 1;
      },
      addTransfer(unit, slot, amount, city = -1) {
        slots.push(slot);
        caseOfSlot.push(unit);
        amountOfSlot.push(amount);
        cityOfSlot.push(city);
      },
    };
    planPatterns(planner, patterns, input.blocklist ?? [], plant + 1);
    // After the join patterns, so that their plans (and truth) are what they were without these.
    if (eventCases > 0) {
      const busySenders = cases.slice(0, patternFrom).map((c) => c.sender);
      const firstId = plant + 1 + patterns.cashout + patterns.layering + patterns.blocklist;
      for (const card of planEventPatterns(planner, events, firstId, busySenders)) silentSenders.add(card);
    }
    // Last, so that every other pattern's plan is what it was without them.
    if (topSenders > 0) {
      const firstId = plant + 1 + patterns.cashout + patterns.layering + patterns.blocklist + eventCases;
      for (const sender of planTopSenders(planner, topSenders, firstId)) silentSenders.add(sender);
    }
  }

  const order = slots.map((_, i) => i).sort((x, y) => slots[x]! - slots[y]!);
  const time = new Float64Array(order.length);
  const caseIndex = new Int32Array(order.length);
  const amount = new Float64Array(order.length);
  const city = new Int8Array(order.length);
  order.forEach((i, j) => {
    time[j] = input.eventTimeAt(slots[i]!);
    caseIndex[j] = caseOfSlot[i]!;
    amount[j] = amountOfSlot[i]!;
    city[j] = cityOfSlot[i]!;
  });
  return {
    cases,
    patternFrom,
    time,
    caseIndex,
    amount,
    city,
    reservedPairs,
    excludedAccounts,
    silentSenders,
  };
}

function reservePair(
  rng: Prng,
  accounts: number,
  reserved: Set<number>,
  excluded: Set<number>,
): [number, number] {
  for (;;) {
    const s = rng.int(accounts);
    let r = rng.int(accounts - 1);
    if (r >= s) r++;
    if (excluded.has(s) || excluded.has(r)) continue;
    const key = s * accounts + r;
    if (!reserved.has(key)) {
      reserved.add(key);
      return [s, r];
    }
  }
}

/** How many transfers to split `total` into: lo..hi, more when needed to keep them small. */
function transferCount(rng: Prng, total: number, lo: number, hi: number): number {
  let n = Math.max(rng.between(lo, hi), Math.ceil(total / 2000));
  n = Math.min(n, hi);
  if (total > 0) n = Math.min(n, total);
  return Math.max(1, n);
}

/** Splits `total` into n integer parts (each ≥ 1 when possible), uneven but all fairly small. */
export function splitAmount(rng: Prng, total: number, n: number): number[] {
  const base = Math.floor(total / n);
  const rem = total - base * n;
  const parts = Array.from({ length: n }, (_, i) => base + (i < rem ? 1 : 0));
  const cap = Math.max(SMALL_TRANSFER, Math.ceil(total / n));
  const floor = total >= n ? 1 : 0;
  for (let j = 0; j < n * 2; j++) {
    const from = rng.int(n);
    const to = rng.int(n);
    if (from === to) continue;
    const room = Math.min(parts[from]! - floor, cap - parts[to]!, 500);
    if (room <= 0) continue;
    const d = rng.int(room + 1);
    parts[from]! -= d;
    parts[to]! += d;
  }
  return parts;
}
