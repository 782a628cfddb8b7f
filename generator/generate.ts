// Deterministic transaction generation: the same options (and seed) give the same records.
//
// Event time: record i is at startMs + floor(i * stepMs), rounded down to the whole second (the
// text formats carry whole seconds, and the record timestamp equals what the text says). In real
// time mode the caller passes the wall clock instead (see nextBatch/nextText `nowMs`).
//
// Ground truth: background traffic never lets a (sender, receiver) pair's sum exceed `threshold`
// within one epoch-aligned tumble window of `windowMs` (it tracks the current window's pair sums and
// redraws or trims a record that would cross). Planted pairs are reserved (see plant.ts), so the
// (pair, window) sums above the threshold are exactly the planted cases with expectedAlert = true.
// This holds for a TUMBLE job; a HOP or running-total job sees other sums.
//
// The join jobs' patterns (patterns.ts) and reference data (reference.ts): with reference data on,
// background traffic keeps away from the blocklisted accounts, and the planted pattern transfers
// are kept as emitted, for their truth (patternTruth).

import { writeFile } from 'node:fs/promises';
import { formatTimestamp } from '../engine/values.js';
import {
  CITIES,
  CUSTOMER_NAMES,
  JSON_MAX_LATENESS_MS,
  JSON_TOPIC,
  LAT_MAX,
  LAT_MIN,
  LON_MAX,
  LON_MIN,
  SecondsFormatter,
  TRANSACTIONS_TOPIC,
  TRANSACTION_TYPES,
  centsText,
  floorToSecond,
  numberStrings,
  type FormatName,
  type TimestampLayout,
} from './formats.js';
import { planCases, type Plan, type PlannedCase } from './plant.js';
import { patternTruth, type PatternTruth, type PlantedTransfer } from './patterns.js';
import { ReferenceData } from './reference.js';
import {
  EventTruth,
  eventTransferCount,
  QuietBackground,
  type EventPatternCounts,
} from './event-patterns.js';
import { Prng } from './prng.js';
import { TopSendersTruth, topSendersTransferCount } from './top-senders.js';

export interface GeneratorOptions {
  format: FormatName;
  /** Records to generate in total (planted transfers included); Infinity for an endless real-time run. */
  count: number;
  seed: number;
  accounts: number;
  /** Number of planted laundering cases (transfer formats only). */
  plant: number;
  /** Planted rapid cash-outs, layering chains and transfers to blocklisted accounts (with their decoys). */
  plantCashout: number;
  plantLayering: number;
  plantBlocklist: number;
  /** Planted cases of the per-event jobs (event-patterns.ts): structuring, card testing, first contact (with decoys). */
  plantStructuring: number;
  plantCardTesting: number;
  plantFirstContact: number;
  /** Planted top senders of a city and window (top-senders.ts; fintrans format only, with decoys). */
  plantTopSenders: number;
  /**
   * Reference data (accounts, blocklist) goes with this run: background traffic then never touches
   * a blocklisted account, so that every blocklist hit is a planted one. Implied by plantBlocklist.
   */
  reference: boolean;
  startMs: number;
  stepMs: number;
  windowMs: number;
  threshold: number;
}

export interface GeneratedRecord {
  topic: string;
  key: string | null;
  value: string;
  timestamp: number;
}

export interface PlantedCase {
  id: number;
  kind: PlannedCase['kind'];
  sender: number;
  receiver: number;
  windowStart: number;
  windowEnd: number;
  total: number;
  transfers: number;
  expectedAlert: boolean;
}

export const DEFAULT_START_MS = Date.UTC(2017, 6, 23, 0, 0, 0);
/** 10 records per second of event time: 6000 transfers in a 10-minute window. */
export const DEFAULT_STEP_MS = 100;
export const DEFAULT_WINDOW_MS = 10 * 60_000;
export const DEFAULT_THRESHOLD = 10_000;
export const DEFAULT_ACCOUNTS = 1000;
/** Keeps pair keys (sender * accounts + receiver) exact doubles and the account table small. */
export const MAX_ACCOUNTS = 10_000_000;
/** Background amounts are 0..9999, like the original generators. */
const AMOUNT_LIMIT = 10_000;

/** How each format writes its event time (see formats.ts). */
const TIME_LAYOUTS: Record<FormatName, TimestampLayout> = {
  dcos: 'rfc850',
  'dcos-rfc3339': 'rfc3339',
  fintrans: 'rfc3339',
  json: 'iso-local',
};

export function defaultGeneratorOptions(overrides: Partial<GeneratorOptions> = {}): GeneratorOptions {
  return {
    format: 'dcos',
    count: 1000,
    seed: 1,
    accounts: DEFAULT_ACCOUNTS,
    plant: 0,
    plantCashout: 0,
    plantLayering: 0,
    plantBlocklist: 0,
    plantStructuring: 0,
    plantCardTesting: 0,
    plantFirstContact: 0,
    plantTopSenders: 0,
    reference: false,
    startMs: DEFAULT_START_MS,
    stepMs: DEFAULT_STEP_MS,
    windowMs: DEFAULT_WINDOW_MS,
    threshold: DEFAULT_THRESHOLD,
    ...overrides,
  };
}

/** Throws an Error saying what is wrong with the options (the CLI validates its flags first). */
export function validateGeneratorOptions(o: GeneratorOptions): void {
  const isInt = (n: number): boolean => Number.isSafeInteger(n);
  if (!(o.count === Infinity || (isInt(o.count) && o.count >= 0)))
    throw new Error(`count must be a whole number ≥ 0, got ${o.count}`);
  if (!Number.isFinite(o.seed)) throw new Error(`seed must be a number, got ${o.seed}`);
  if (!isInt(o.accounts) || o.accounts < 2 || o.accounts > MAX_ACCOUNTS) {
    throw new Error(
      `accounts must be a whole number from 2 to ${MAX_ACCOUNTS} (sender ≠ receiver needs two), got ${o.accounts}`,
    );
  }
  if (!isInt(o.plant) || o.plant < 0) throw new Error(`plant must be a whole number ≥ 0, got ${o.plant}`);
  for (const [name, n] of [
    ['plantCashout', o.plantCashout],
    ['plantLayering', o.plantLayering],
    ['plantBlocklist', o.plantBlocklist],
    ['plantStructuring', o.plantStructuring],
    ['plantCardTesting', o.plantCardTesting],
    ['plantFirstContact', o.plantFirstContact],
    ['plantTopSenders', o.plantTopSenders],
  ] as const) {
    if (!isInt(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${n}`);
  }
  if (!Number.isFinite(o.startMs))
    throw new Error(`startMs must be a finite epoch-ms time, got ${o.startMs}`);
  if (!(Number.isFinite(o.stepMs) && o.stepMs >= 0))
    throw new Error(`stepMs must be a number ≥ 0, got ${o.stepMs}`);
  if (!isInt(o.windowMs) || o.windowMs <= 0)
    throw new Error(`windowMs must be a whole number of ms > 0, got ${o.windowMs}`);
  if (!isInt(o.threshold) || o.threshold < 0)
    throw new Error(`threshold must be a whole number ≥ 0, got ${o.threshold}`);
  const planted = plantedTransferCount(o);
  if (planted > 0 && o.format === 'json') {
    throw new Error(
      `planting needs a transfer format (dcos, dcos-rfc3339, fintrans); json records have no account pairs`,
    );
  }
  if (o.plantTopSenders > 0 && o.format !== 'fintrans')
    throw new Error(`top senders are planted per city: they need the fintrans format (city topics)`);
  if (planted > 0 && o.count === Infinity)
    throw new Error(`planting needs a finite count to spread the cases over`);
  if (o.plant > o.count) throw new Error(`cannot plant ${o.plant} cases in only ${o.count} records`);
  if (planted - o.plant > o.count)
    throw new Error(`cannot plant ${planted - o.plant} pattern transfers in only ${o.count} records`);
}

/** Cases of every kind: laundering cases, and the patterns' (two transfers a case, one for the blocklist; at most seven for the per-event ones). */
function plantedTransferCount(o: GeneratorOptions): number {
  return (
    o.plant +
    2 * o.plantCashout +
    2 * o.plantLayering +
    o.plantBlocklist +
    eventTransferCount(eventCounts(o)) +
    topSendersTransferCount(o.plantTopSenders ?? 0)
  );
}

function eventCounts(o: GeneratorOptions): EventPatternCounts {
  return {
    structuring: o.plantStructuring ?? 0,
    cardTesting: o.plantCardTesting ?? 0,
    firstContact: o.plantFirstContact ?? 0,
  };
}

function windowStartOf(ts: number, windowMs: number): number {
  const r = ts % windowMs;
  return ts - (r < 0 ? r + windowMs : r);
}

const LAT_MIN_MICRO = Math.round(LAT_MIN * 1e6);
const LAT_MAX_MICRO = Math.round(LAT_MAX * 1e6);
const LON_MIN_MICRO = Math.round(LON_MIN * 1e6);
const LON_MAX_MICRO = Math.round(LON_MAX * 1e6);

/** Positive micro-units as a decimal with 6 places: 44570001 -> `44.570001`. */
function microText(micro: number): string {
  const frac = micro % 1_000_000;
  return Math.floor(micro / 1_000_000) + '.' + (frac + 1_000_000).toString().slice(1);
}

/** Per planted case: what was actually emitted, per tumble window (usually one, two for straddling). */
interface EmittedWindow {
  windowStart: number;
  total: number;
  transfers: number;
}

export class TransactionGenerator {
  readonly options: Readonly<GeneratorOptions>;
  private readonly rng: Prng;
  private readonly plan: Plan | null;
  private readonly emittedByCase: EmittedWindow[][];
  private readonly accountText: string[] | null;
  private readonly amountText: string[];
  private readonly timeText: SecondsFormatter;
  /** The accounts and blocklist of this run, or null without reference data. */
  readonly reference: ReferenceData | null;
  /** Accounts background traffic keeps away from (the blocklisted ones), or null: no check per record. */
  private readonly excluded: Set<number> | null;
  /** Planted pattern transfers as emitted (for their truth). */
  private readonly patternEmitted: PlantedTransfer[] = [];
  /** With per-event patterns planted: what background avoids, and their truth over every transfer. */
  private readonly quiet: QuietBackground | null = null;
  private readonly events: EventTruth | null = null;
  /** With top senders planted: top_senders.sql's truth over every transfer. */
  private readonly topSenders: TopSendersTruth | null = null;
  private index = 0;
  private lastClock = -Infinity;
  private nextPlanted = 0;

  // Background pair sums of the current tumble window.
  private readonly pairSums = new Map<number, number>();
  private windowStart = NaN;
  private windowEnd = NaN;

  // The record just stepped (read by the formatters; no per-record object).
  private ts = 0;
  private sender = 0;
  private receiver = 0;
  private amount = 0;
  private city = 0;
  private clock = 0;
  // ...and its JSON fields.
  private customer = 0;
  private txType = 0;
  private cents = 0;
  private online = false;
  private lat = 0;
  private lon = 0;
  private eventTime = 0;

  constructor(options: GeneratorOptions) {
    validateGeneratorOptions(options);
    this.options = { ...options };
    this.rng = new Prng(options.seed);
    this.accountText = options.accounts <= 100_000 ? numberStrings(options.accounts) : null;
    this.amountText = numberStrings(AMOUNT_LIMIT);
    this.timeText = new SecondsFormatter(TIME_LAYOUTS[options.format]);
    const reference = options.reference || options.plantBlocklist > 0;
    const lastClock =
      options.count === Infinity ? Infinity : floorToSecond(this.clockAt(Math.max(0, options.count - 1)));
    // Planted laundering senders are re-rated during the run too, so enriched alerts show tiers changing.
    const planReference = (reRate: readonly number[]): ReferenceData =>
      new ReferenceData({
        seed: options.seed,
        accounts: options.accounts,
        firstMs: floorToSecond(this.clockAt(0)),
        lastMs: lastClock,
        reRate,
      });
    // The blocklist does not depend on the plan; the re-rated accounts do (below).
    const blocklistFirst = reference ? planReference([]) : null;
    this.plan =
      plantedTransferCount(options) > 0
        ? planCases({
            count: options.count,
            plant: options.plant,
            accounts: options.accounts,
            windowMs: options.windowMs,
            threshold: options.threshold,
            seed: options.seed,
            eventTimeAt: (i) => floorToSecond(this.clockAt(i)),
            patterns: {
              cashout: options.plantCashout,
              layering: options.plantLayering,
              blocklist: options.plantBlocklist,
            },
            blocklist: blocklistFirst?.blocklist ?? [],
            events: eventCounts(options),
            topSenders: options.plantTopSenders ?? 0,
          })
        : null;
    this.emittedByCase = this.plan ? this.plan.cases.map(() => []) : [];
    const plan = this.plan;
    this.reference =
      blocklistFirst === null
        ? null
        : plan === null
          ? blocklistFirst
          : planReference(
              plan.cases
                .slice(0, plan.patternFrom)
                .filter((c) => c.id % 2 === 0)
                .map((c) => c.sender),
            );
    const events = eventCounts(options);
    if (plan !== null && events.structuring + events.cardTesting + events.firstContact > 0) {
      this.quiet = new QuietBackground(events, plan.silentSenders);
      this.events = new EventTruth(events, options.accounts);
    }
    if (plan !== null && (options.plantTopSenders ?? 0) > 0) {
      this.topSenders = new TopSendersTruth();
      // Top senders send nothing but their case's transfers (top-senders.ts), like cards under test.
      this.quiet ??= new QuietBackground(events, plan.silentSenders);
    }
    this.excluded =
      this.reference !== null && this.reference.blocklist.length > 0
        ? new Set(this.reference.blocklist.map((b) => b.accountId))
        : null;
  }

  /** Records generated so far. */
  get emitted(): number {
    return this.index;
  }

  get done(): boolean {
    return this.index >= this.options.count;
  }

  /** The generator's clock for record i in simulated-time mode. */
  clockAt(i: number): number {
    return this.options.startMs + Math.floor(i * this.options.stepMs);
  }

  /**
   * Up to `max` next records as objects (for Kafka and other message sinks). `nowMs`, when given, is
   * the clock to stamp them with (real-time mode) instead of startMs + i * stepMs; the clock never
   * goes backwards, so records stay in order.
   */
  nextBatch(max: number, nowMs?: number): GeneratedRecord[] {
    const n = this.take(max);
    const out = new Array<GeneratedRecord>(n);
    const format = this.options.format;
    for (let j = 0; j < n; j++) {
      this.step(nowMs);
      switch (format) {
        case 'dcos':
        case 'dcos-rfc3339':
          out[j] = { topic: TRANSACTIONS_TOPIC, key: null, value: this.transferLine(''), timestamp: this.ts };
          break;
        case 'fintrans':
          out[j] = {
            topic: CITIES[this.city]!,
            key: null,
            value: this.payloadFintrans(),
            timestamp: this.ts,
          };
          break;
        case 'json':
          out[j] = { topic: JSON_TOPIC, key: null, value: this.jsonValue(), timestamp: this.clock };
          break;
      }
    }
    return out;
  }

  /**
   * Up to `max` next records as text lines, each ending in '\n' (the fast path for file output).
   * Same records as nextBatch would give; a fintrans line is `<time>;<city>;<sender>;<receiver>;<amount>`.
   */
  nextText(max: number, nowMs?: number): string {
    const n = this.take(max);
    let text = '';
    switch (this.options.format) {
      case 'dcos':
      case 'dcos-rfc3339':
        for (let j = 0; j < n; j++) {
          this.step(nowMs);
          text += this.transferLine('\n');
        }
        break;
      case 'fintrans':
        for (let j = 0; j < n; j++) {
          this.step(nowMs);
          text +=
            this.timeText.format(this.ts) + ';' + CITIES[this.city] + ';' + this.transferFields(';') + '\n';
        }
        break;
      case 'json':
        for (let j = 0; j < n; j++) {
          this.step(nowMs);
          text += this.jsonValue() + '\n';
        }
        break;
    }
    return text;
  }

  /**
   * The planted cases as emitted so far: one row per (case, tumble window) the case's transfers
   * fell into, ordered by id then window. After a complete run this is the plan exactly.
   */
  truth(): PlantedCase[] {
    if (!this.plan) return [];
    const rows: PlantedCase[] = [];
    const { windowMs, threshold } = this.options;
    this.plan.cases.forEach((c, i) => {
      const windows = [...this.emittedByCase[i]!].sort((a, b) => a.windowStart - b.windowStart);
      for (const w of windows) {
        rows.push({
          id: c.id,
          kind: c.kind,
          sender: c.sender,
          receiver: c.receiver,
          windowStart: w.windowStart,
          windowEnd: w.windowStart + windowMs,
          total: w.total,
          transfers: w.transfers,
          expectedAlert: w.total > threshold,
        });
      }
    });
    return rows;
  }

  private take(max: number): number {
    const left = this.options.count - this.index;
    return Math.max(0, Math.min(Math.floor(max), left));
  }

  /** Generates the next record into this.ts/sender/... (or, for json, into the json fields). */
  private step(nowMs: number | undefined): void {
    let clock = nowMs === undefined ? this.clockAt(this.index) : nowMs;
    if (clock < this.lastClock) clock = this.lastClock; // wall clocks can step back; records must not
    this.lastClock = clock;
    this.clock = clock;
    this.index++;
    if (this.options.format === 'json') this.stepJson(clock);
    else this.stepTransfer(floorToSecond(clock));
  }

  private stepTransfer(ts: number): void {
    this.ts = ts;
    const { windowMs } = this.options;
    if (!(ts >= this.windowStart && ts < this.windowEnd)) {
      this.windowStart = windowStartOf(ts, windowMs);
      this.windowEnd = this.windowStart + windowMs;
      this.pairSums.clear();
    }
    if (this.options.format === 'fintrans') this.city = this.rng.int(CITIES.length);

    const plan = this.plan;
    if (plan !== null && this.nextPlanted < plan.time.length && plan.time[this.nextPlanted]! <= ts) {
      const p = this.nextPlanted++;
      const caseIdx = plan.caseIndex[p]!;
      const c = plan.cases[caseIdx]!;
      this.sender = c.sender;
      this.receiver = c.receiver;
      this.amount = plan.amount[p]!;
      const city = plan.city[p]!;
      if (city >= 0) this.city = city;
      this.topSenders?.observe(ts, this.city, c.sender, this.amount, c.id, c.kind);
      this.recordPlanted(caseIdx, this.windowStart, this.amount);
      if (caseIdx >= plan.patternFrom) {
        this.patternEmitted.push({
          caseId: c.id,
          kind: c.kind,
          time: ts,
          sender: c.sender,
          receiver: c.receiver,
          amount: this.amount,
        });
      }
      this.events?.observe(ts, c.sender, c.receiver, this.amount, c.id, c.kind);
      return;
    }

    const accounts = this.options.accounts;
    const threshold = this.options.threshold;
    const reserved = plan !== null ? plan.reservedPairs : null;
    const excluded = this.excluded;
    const quiet = this.quiet;
    const sums = this.pairSums;
    const rng = this.rng;
    let sender = 0;
    let receiver = 0;
    let key = 0;
    let amount = 0;
    let sum = 0;
    for (let attempt = 0; ; attempt++) {
      sender = rng.int(accounts);
      receiver = rng.int(accounts - 1);
      if (receiver >= sender) receiver++;
      if (excluded !== null && (excluded.has(sender) || excluded.has(receiver))) continue; // a tenth of the accounts at most
      key = sender * accounts + receiver;
      if (reserved !== null && reserved.has(key)) continue; // at most half the pairs are reserved
      if (quiet !== null && quiet.silentSenders.has(sender)) continue; // a few cards under test
      amount = rng.int(AMOUNT_LIMIT);
      if (quiet !== null) amount = quiet.amount(amount, key);
      sum = sums.get(key) ?? 0;
      if (sum + amount <= threshold) break;
      if (attempt >= 3) {
        // Crowded window (few accounts, many records): trim instead of searching on. sum ≤ threshold holds.
        amount = threshold - sum;
        if (quiet !== null && quiet.forbids(amount, key)) continue; // another pair, then
        break;
      }
    }
    sums.set(key, sum + amount);
    this.topSenders?.observe(ts, this.city, sender, amount, 0, 'background');
    if (quiet !== null) {
      quiet.emitted(key);
      this.events?.observe(ts, sender, receiver, amount, 0, 'background');
    }
    this.sender = sender;
    this.receiver = receiver;
    this.amount = amount;
  }

  /**
   * The truth of the join jobs' patterns over the planted transfers emitted so far: every candidate
   * pair (or blocklist hit) and whether the job must report it (patterns.ts).
   */
  patternTruth(): PatternTruth {
    return patternTruth(this.patternEmitted, this.reference?.blocklist ?? []);
  }

  /**
   * The truth of the per-event jobs (event-patterns.ts) over every transfer emitted, or null when
   * none of their patterns is planted. Call once, after the run.
   */
  eventTruth(): EventTruth | null {
    this.events?.finish();
    return this.events;
  }

  /** top_senders.sql's truth over every transfer emitted, or null when no top sender is planted. Call once, after the run. */
  topSendersTruth(): TopSendersTruth | null {
    this.topSenders?.finish();
    return this.topSenders;
  }

  private recordPlanted(caseIdx: number, windowStart: number, amount: number): void {
    const windows = this.emittedByCase[caseIdx]!;
    let w = windows.find((x) => x.windowStart === windowStart);
    if (!w) {
      w = { windowStart, total: 0, transfers: 0 };
      windows.push(w);
    }
    w.total += amount;
    w.transfers++;
  }

  /** `<sender><sep><receiver><sep><amount>` of the current record. */
  private transferFields(sep: string): string {
    const acc = this.accountText;
    const s = acc !== null ? acc[this.sender] : String(this.sender);
    const r = acc !== null ? acc[this.receiver] : String(this.receiver);
    const a = this.amount < this.amountText.length ? this.amountText[this.amount] : String(this.amount);
    return s + sep + r + sep + a;
  }

  /** A dcos record `<time>;<sender>;<receiver>;<amount>` followed by `end` ('' or '\n'). */
  private transferLine(end: string): string {
    return this.timeText.format(this.ts) + ';' + this.transferFields(';') + end;
  }

  private payloadFintrans(): string {
    return this.transferFields(' ');
  }

  private stepJson(clock: number): void {
    const rng = this.rng;
    // Up to 60 s behind the clock, whole seconds: never more than 60 s behind the largest so far,
    // since every earlier record's time is ≤ its own clock ≤ this clock.
    this.eventTime = floorToSecond(clock) - rng.int(JSON_MAX_LATENESS_MS / 1000 + 1) * 1000;
    this.ts = this.eventTime;
    this.customer = rng.int(CUSTOMER_NAMES.length);
    this.txType = rng.int(TRANSACTION_TYPES.length);
    this.cents = 1 + rng.int(9999); // 0.01..99.99, so exactly one of the two amounts is 0
    this.online = rng.int(2) === 0;
    // In micro-degrees, so the text needs no float formatting.
    this.lat = LAT_MIN_MICRO + rng.int(LAT_MAX_MICRO - LAT_MIN_MICRO + 1);
    this.lon = LON_MIN_MICRO + rng.int(LON_MAX_MICRO - LON_MIN_MICRO + 1);
  }

  private jsonValue(): string {
    const amount = centsText(this.cents);
    return (
      '{"customer":"' +
      CUSTOMER_NAMES[this.customer] +
      '","transaction_type":"' +
      TRANSACTION_TYPES[this.txType] +
      '","online_payment_amount":' +
      (this.online ? amount : '0') +
      ',"in_store_payment_amount":' +
      (this.online ? '0' : amount) +
      ',"lat":' +
      microText(this.lat) +
      ',"lon":' +
      microText(this.lon) +
      ',"transaction_datetime":"' +
      this.timeText.format(this.eventTime) +
      '"}'
    );
  }
}

/** The truth as CSV text: header plus one row per (case, window); times as `yyyy-MM-dd HH:mm:ss.SSS` UTC. */
export function truthCsv(cases: readonly PlantedCase[]): string {
  let text = 'id,kind,sender,receiver,window_start,window_end,total,transfers,expected_alert\n';
  for (const c of cases) {
    text +=
      `${c.id},${c.kind},${c.sender},${c.receiver},${formatTimestamp(c.windowStart)},` +
      `${formatTimestamp(c.windowEnd)},${c.total},${c.transfers},${c.expectedAlert}\n`;
  }
  return text;
}

export async function writeTruthCsv(cases: readonly PlantedCase[], path: string): Promise<void> {
  await writeFile(path, truthCsv(cases), 'utf8');
}
