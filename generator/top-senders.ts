// Planted top senders for jobs/top_senders.sql (window Top-N: per city and 10-minute tumbling window,
// the three senders with the largest total sent, ties to the smaller account number), and its truth.
//
//   top-sender               six transfers of 8 000–8 999 from one account in one city within one
//                            window (≥ 48 000: background senders reach ~25 000 there), each to a
//                            receiver of its own, so no pair's window sum passes 10 000
//   top-sender-decoy-spread  five such transfers in the same window, one in each city: almost as much
//                            money, but no city's top three
//
// The senders of both send nothing else (background traffic keeps off them, as off the cards of
// card-testing cases).
//
// Only the fintrans format has cities (a record's topic). The truth does not rely on the planted
// amounts: TopSendersTruth runs the job's definition over every transfer emitted (background
// included), so its rows are the job's exact output, plus a row for every decoy's city and window
// that must not be in it. Rows of background senders are kind 'background'.

import { formatTimestamp } from '../engine/values.js';
import { CITIES } from './formats.js';
import { caseStarts, type PatternPlanner } from './patterns.js';

export type TopSenderKind = 'top-sender' | 'top-sender-decoy-spread';
const KINDS: readonly TopSenderKind[] = ['top-sender', 'top-sender-decoy-spread'];

/** The job's definition, as top_senders.sql writes it. */
export const TOP_SENDERS_WINDOW_MS = 10 * 60_000;
export const TOP_SENDERS_N = 3;

const PLANTED_TRANSFERS = 6;
const AMOUNT_LOW = 8_000;
const AMOUNT_HIGH = 8_999;
/** Planted transfers at most: six a case (a decoy has five). */
export function topSendersTransferCount(cases: number): number {
  return PLANTED_TRANSFERS * cases;
}

/**
 * Plans the cases, numbered from `firstId` on; each transfer names its city. Returns the senders,
 * which background traffic must not send from: a case's total is then exactly its planted transfers
 * (≥ 48 000 for a top sender, one transfer of at most 8 999 per city for a decoy).
 */
export function planTopSenders(p: PatternPlanner, cases: number, firstId: number): number[] {
  const { rng } = p;
  const senders: number[] = [];
  const caseStart = caseStarts(p);
  for (let k = 0; k < cases; k++) {
    const id = firstId + k;
    const kind = KINDS[k % KINDS.length]!;
    const what = `top-sender case ${id} (${kind})`;
    // A minute into the window the spot falls in; six transfers 20–60 s apart end within 6 minutes,
    // inside that window.
    const spot = caseStart(k, cases, TOP_SENDERS_WINDOW_MS, what);
    let t = spot - (spot % TOP_SENDERS_WINDOW_MS) + 60_000;
    const sender = p.freshAccount(what);
    senders.push(sender);
    const city = rng.int(CITIES.length);
    const transfers = kind === 'top-sender' ? PLANTED_TRANSFERS : CITIES.length;
    for (let j = 0; j < transfers; j++) {
      let receiver = p.freshAccount(what, [sender]);
      while (!p.reservePair(sender, receiver)) receiver = p.freshAccount(what, [sender]);
      const unit = p.addUnit(id, kind, sender, receiver);
      const at = kind === 'top-sender' ? city : (city + j) % CITIES.length;
      p.addTransfer(unit, p.takeSlot(t, what), rng.between(AMOUNT_LOW, AMOUNT_HIGH), at);
      t += rng.between(20, 60) * 1000;
    }
  }
  return senders;
}

export interface TopSenderTruth {
  /** The planted case, 0 for background. */
  readonly caseId: number;
  readonly kind: string;
  readonly city: string;
  readonly windowStart: number;
  /** 1..3 in the job's output, 0 for a decoy's row that must not be there. */
  readonly rank: number;
  readonly sender: number;
  readonly total: number;
  readonly transfers: number;
  readonly expectedAlert: boolean;
}

interface SenderSum {
  sender: number;
  total: number;
  transfers: number;
  caseId: number;
  kind: string;
}

/**
 * top_senders.sql over the transfers as emitted (in event-time order): per city, the current
 * window's totals per sender; when a transfer opens a later window (and at the end), the finished
 * window's top three by total descending, then sender ascending.
 */
export class TopSendersTruth {
  readonly rows: TopSenderTruth[] = [];
  private windowStart = NaN;
  private readonly sums: Map<number, SenderSum>[] = CITIES.map(() => new Map());

  observe(time: number, city: number, sender: number, amount: number, caseId: number, kind: string): void {
    const start = time - (((time % TOP_SENDERS_WINDOW_MS) + TOP_SENDERS_WINDOW_MS) % TOP_SENDERS_WINDOW_MS);
    if (start !== this.windowStart) {
      this.close();
      this.windowStart = start;
    }
    const bySender = this.sums[city]!;
    let s = bySender.get(sender);
    if (s === undefined) {
      s = { sender, total: 0, transfers: 0, caseId: 0, kind: 'background' };
      bySender.set(sender, s);
    }
    s.total += amount;
    s.transfers++;
    if (caseId !== 0) {
      s.caseId = caseId;
      s.kind = kind;
    }
  }

  /** Closes the last window; call once, after the run. */
  finish(): void {
    this.close();
    this.rows.sort(
      (a, b) => a.windowStart - b.windowStart || a.city.localeCompare(b.city) || a.rank - b.rank,
    );
  }

  private close(): void {
    if (Number.isNaN(this.windowStart)) return;
    this.sums.forEach((bySender, c) => {
      const ranked = [...bySender.values()].sort((a, b) => b.total - a.total || a.sender - b.sender);
      ranked.forEach((s, i) => {
        const top = i < TOP_SENDERS_N;
        if (!top && s.caseId === 0) return;
        this.rows.push({
          caseId: s.caseId,
          kind: s.kind,
          city: CITIES[c]!,
          windowStart: this.windowStart,
          rank: top ? i + 1 : 0,
          sender: s.sender,
          total: s.total,
          transfers: s.transfers,
          expectedAlert: top,
        });
      });
      bySender.clear();
    });
  }
}

export const TOP_SENDERS_TRUTH_FILE = 'top_senders_truth.csv';

export function topSendersTruthCsv(rows: readonly TopSenderTruth[]): string {
  let text = 'id,kind,city,window_start,window_end,rank_in_city,sender,total,transfers,expected_alert\n';
  for (const r of rows)
    text += `${r.caseId},${r.kind},${r.city},${formatTimestamp(r.windowStart)},${formatTimestamp(r.windowStart + TOP_SENDERS_WINDOW_MS)},${r.rank},${r.sender},${r.total},${r.transfers},${r.expectedAlert}\n`;
  return text;
}
