// Reference data for the join jobs: the accounts (owner, country, risk tier, opened), their
// versions over time (a risk tier can change during the run: a versioned table for event-time
// temporal joins), and a blocklist. A pure function of the seed, the account count and the run's
// time span, drawn from a PRNG of its own so that asking for reference data never changes the
// transactions.
//
// Files (no header row, as Flink's CSV format reads them; times `yyyy-MM-dd HH:mm:ss` UTC):
//   accounts.csv          id,owner,country,risk_tier,opened              (each account's latest version)
//   account_versions.csv  valid_from,id,owner,country,risk_tier,opened   (ascending valid_from)
//   blocklist.csv         account_id,reason,listed_at                     (ascending listed_at)

import { formatTimestamp } from '../engine/values.js';
import { CUSTOMER_NAMES } from './formats.js';
import { Prng } from './prng.js';

export type RiskTier = 'low' | 'medium' | 'high';

export interface AccountVersion {
  readonly validFrom: number;
  readonly id: number;
  readonly owner: string;
  readonly country: string;
  readonly riskTier: RiskTier;
  readonly opened: number;
}

export interface BlocklistEntry {
  readonly accountId: number;
  readonly reason: string;
  readonly listedAt: number;
}

export interface ReferenceInput {
  readonly seed: number;
  readonly accounts: number;
  /** Event time of the first and the last record of the run (the last is Infinity for an endless run). */
  readonly firstMs: number;
  readonly lastMs: number;
  /** Accounts whose risk tier must change during the run (besides the random few), e.g. planted senders. */
  readonly reRate?: readonly number[];
}

/** Countries, the last three offshore (their accounts are rated higher). */
const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'NL', 'CH', 'RS', 'JP', 'SG', 'KY', 'PA', 'CY'];
const OFFSHORE_FROM = 9;
const REASONS = ['sanctions list', 'fraud ring', 'money mule', 'identity theft', 'closed by compliance'];
const TIERS: readonly RiskTier[] = ['low', 'medium', 'high'];
const OPENED_FROM = Date.UTC(2005, 0, 1);
const DAY_MS = 86_400_000;
/** Share of accounts re-rated at a random moment of the run. */
const RE_RATED_SHARE = 0.02;

/** How many accounts are blocklisted: about one in 200, at least 3, never more than a tenth of them. */
export function blocklistSize(accounts: number): number {
  return Math.min(50, Math.max(3, Math.round(accounts / 200)), Math.floor(accounts / 10));
}

export class ReferenceData {
  /** Every version, ascending by validFrom (ties by id). */
  readonly versions: AccountVersion[];
  readonly blocklist: BlocklistEntry[];

  constructor(readonly input: ReferenceInput) {
    // A stream apart from the transactions' and the plan's.
    const rng = new Prng(input.seed * 104_729 + 0xacc0);
    const { accounts, firstMs } = input;
    const span = Number.isFinite(input.lastMs) ? Math.max(0, input.lastMs - firstMs) : 0;
    const openedDays = Math.max(1, Math.floor((firstMs - OPENED_FROM) / DAY_MS));

    const initial: AccountVersion[] = [];
    for (let id = 0; id < accounts; id++) {
      const country = COUNTRIES[rng.int(COUNTRIES.length)]!;
      const roll = rng.int(100);
      // Offshore accounts start one tier higher.
      const tierIndex = Math.min(
        2,
        (roll < 70 ? 0 : roll < 95 ? 1 : 2) + (COUNTRIES.indexOf(country) >= OFFSHORE_FROM ? 1 : 0),
      );
      const opened = OPENED_FROM + rng.int(openedDays) * DAY_MS;
      initial.push({
        validFrom: opened,
        id,
        owner: CUSTOMER_NAMES[rng.int(CUSTOMER_NAMES.length)]!,
        country,
        riskTier: TIERS[tierIndex]!,
        opened,
      });
    }

    // The blocklist (drawn before the re-ratings, so it does not depend on them): distinct accounts,
    // every other one listed during the run (when it has a span).
    const size = blocklistSize(accounts);
    const ids = new Set<number>();
    while (ids.size < size) ids.add(rng.int(accounts));
    this.blocklist = [...ids].map((accountId, i) => {
      const duringRun = i % 2 === 1 && span >= 2000;
      const listedAt = duringRun
        ? firstMs + 1000 * Math.floor(((span / 1000) * (i + 1)) / (size + 1))
        : firstMs - (1 + rng.int(700)) * DAY_MS;
      return { accountId, reason: REASONS[rng.int(REASONS.length)]!, listedAt };
    });
    // In time order, as the versioned table's watermark (listed_at) expects: an entry behind it
    // could come after the transfers it should have met.
    this.blocklist.sort((a, b) => a.listedAt - b.listedAt || a.accountId - b.accountId);

    // Re-ratings during the run (whole seconds after the first record): a few random accounts and the given ones.
    const reRated = new Set<number>(input.reRate ?? []);
    const randomCount = span > 0 ? Math.max(1, Math.round(accounts * RE_RATED_SHARE)) : 0;
    for (let i = 0; i < randomCount; i++) reRated.add(rng.int(accounts));
    const changes: AccountVersion[] = [];
    if (span >= 1000) {
      for (const id of [...reRated].sort((a, b) => a - b)) {
        const base = initial[id]!;
        const at = firstMs + 1000 * (1 + rng.int(Math.floor(span / 1000)));
        const others = TIERS.filter((t) => t !== base.riskTier);
        changes.push({ ...base, validFrom: at, riskTier: others[rng.int(others.length)]! });
      }
    }
    this.versions = [...initial, ...changes].sort((a, b) => a.validFrom - b.validFrom || a.id - b.id);
  }

  /** Each account's latest version. */
  latest(): AccountVersion[] {
    const byId = new Map<number, AccountVersion>();
    for (const v of this.versions) byId.set(v.id, v);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  /** The version of `account` valid at `time` (the latest one from at or before it), if any. */
  versionAt(account: number, time: number): AccountVersion | undefined {
    let found: AccountVersion | undefined;
    for (const v of this.versions) {
      if (v.validFrom > time) break;
      if (v.id === account) found = v;
    }
    return found;
  }
}

/** `yyyy-MM-dd HH:mm:ss`: whole-second times as both Flink's and our CSV format read TIMESTAMP(3). */
export function referenceTime(ms: number): string {
  return formatTimestamp(ms).slice(0, 19);
}

function accountFields(v: AccountVersion): string {
  return `${v.id},${v.owner},${v.country},${v.riskTier},${referenceTime(v.opened)}`;
}

export function accountsCsv(ref: ReferenceData): string {
  return ref
    .latest()
    .map((v) => accountFields(v) + '\n')
    .join('');
}

export function accountVersionsCsv(ref: ReferenceData): string {
  return ref.versions.map((v) => `${referenceTime(v.validFrom)},${accountFields(v)}\n`).join('');
}

export function blocklistCsv(ref: ReferenceData): string {
  return ref.blocklist.map((b) => `${b.accountId},${b.reason},${referenceTime(b.listedAt)}\n`).join('');
}
