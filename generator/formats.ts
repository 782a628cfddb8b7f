// The record formats the generator writes: the three original demos' shapes (see
// /work/shared/reference/original-demos.md). Text timestamps are whole seconds, as the originals wrote.
//
//   dcos          `Sunday, 23-Jul-17 01:06:47 UTC;66;26;7810`   topic `transactions` (Go RFC 850 layout)
//   dcos-rfc3339  `2017-07-23T01:06:47Z;66;26;7810`              topic `transactions`
//   fintrans      `66 26 7810`                                   topic = a city; event time = record timestamp
//   json          `{"customer":…,"transaction_datetime":"2017-07-23T01:06:47"}`   topic `transactions-data`
//                 (Python's isoformat() of a naive datetime, as the PyFlink demo wrote: no zone, which is
//                 also what Flink's JSON format accepts for a TIMESTAMP(3) column)
//
// File output (`--out`) writes one record per line. A fintrans payload has neither its city nor its
// time, so a fintrans file line carries both in front: `2017-07-23T01:06:47Z;London;66;26;7810`.

export type FormatName = 'dcos' | 'dcos-rfc3339' | 'fintrans' | 'json';

export const FORMAT_NAMES: readonly FormatName[] = ['dcos', 'dcos-rfc3339', 'fintrans', 'json'];

export function isFormatName(s: string): s is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(s);
}

/** Whether the format carries money transfers between accounts (and so supports planting). */
export function isTransferFormat(format: FormatName): boolean {
  return format !== 'json';
}

export const TRANSACTIONS_TOPIC = 'transactions';
export const JSON_TOPIC = 'transactions-data';
/** The fintrans generator's city topics: each record goes to one of them. */
export const CITIES: readonly string[] = ['London', 'NYC', 'SF', 'Moscow', 'Tokyo'];

/** The single topic a format writes to, or null when each record names its own (fintrans cities). */
export function topicOfFormat(format: FormatName): string | null {
  switch (format) {
    case 'dcos':
    case 'dcos-rfc3339':
      return TRANSACTIONS_TOPIC;
    case 'json':
      return JSON_TOPIC;
    case 'fintrans':
      return null;
  }
}

export const TRANSACTION_TYPES: readonly string[] = [
  'highway_toll',
  'petrol_station',
  'supermarket',
  'shopping',
  'mortgage',
  'city_service',
  'restaurant',
  'healthcare',
];

const FIRST_NAMES = [
  'Ana',
  'Marko',
  'Jelena',
  'Nikola',
  'Milica',
  'Stefan',
  'Ivana',
  'Luka',
  'Sara',
  'Dragan',
];
const LAST_NAMES = [
  'Jovanovic',
  'Petrovic',
  'Nikolic',
  'Markovic',
  'Djordjevic',
  'Stojanovic',
  'Ilic',
  'Stankovic',
  'Pavlovic',
  'Milosevic',
];
/** 100 fixed customer names (the original drew 100 fake names; ours are fixed so output is reproducible). */
export const CUSTOMER_NAMES: readonly string[] = FIRST_NAMES.flatMap((f) =>
  LAST_NAMES.map((l) => `${f} ${l}`),
);

/** The PyFlink example's bounding box (Belgrade); lat/lon are drawn uniformly inside it. */
export const LAT_MIN = 44.57;
export const LAT_MAX = 44.91;
export const LON_MIN = 20.2;
export const LON_MAX = 20.63;
/** How far behind the generator's clock a JSON record's transaction_datetime may be. */
export const JSON_MAX_LATENESS_MS = 60_000;

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** '00'..'59' (and beyond, for years): two-digit strings without per-call padding. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' + i : String(i)));

function mod(a: number, m: number): number {
  const r = a % m;
  return r < 0 ? r + m : r;
}

/** Epoch ms rounded down to the whole second. */
export function floorToSecond(ms: number): number {
  return ms - mod(ms, 1000);
}

/** rfc850 `Sunday, 23-Jul-17 01:06:47 UTC`, rfc3339 `2017-07-23T01:06:47Z`, iso-local `2017-07-23T01:06:47`. */
export type TimestampLayout = 'rfc850' | 'rfc3339' | 'iso-local';

/** The text of a whole minute up to the seconds: `Sunday, 23-Jul-17 01:06:` or `2017-07-23T01:06:`. */
function minutePrefix(minuteMs: number, layout: TimestampLayout): string {
  const d = new Date(minuteMs);
  const hhmm = `${TWO_DIGITS[d.getUTCHours()]}:${TWO_DIGITS[d.getUTCMinutes()]}:`;
  if (layout === 'rfc850') {
    return (
      `${WEEKDAYS[d.getUTCDay()]}, ${TWO_DIGITS[d.getUTCDate()]}-${MONTHS[d.getUTCMonth()]}-` +
      `${TWO_DIGITS[mod(d.getUTCFullYear(), 100)]} ${hhmm}`
    );
  }
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${TWO_DIGITS[d.getUTCMonth() + 1]}-${TWO_DIGITS[d.getUTCDate()]}T${hhmm}`;
}

/**
 * Formats epoch ms as whole-second text in one layout, caching the last second and the last two
 * minutes' prefixes: the generator's timestamps ascend (JSON ones lag up to 60 s, so span at most
 * two minutes), so almost every call is a cache hit or a two-digit append.
 */
export class SecondsFormatter {
  private cachedSecond = NaN;
  private cachedText = '';
  private minuteA = NaN;
  private prefixA = '';
  private minuteB = NaN;
  private prefixB = '';
  private readonly suffix: string;

  constructor(readonly layout: TimestampLayout) {
    this.suffix = layout === 'rfc850' ? ' UTC' : layout === 'rfc3339' ? 'Z' : '';
  }

  format(ms: number): string {
    const second = floorToSecond(ms);
    if (second === this.cachedSecond) return this.cachedText;
    const secOfMinute = mod(second, 60_000);
    const minute = second - secOfMinute;
    let prefix: string;
    if (minute === this.minuteA) prefix = this.prefixA;
    else if (minute === this.minuteB) prefix = this.prefixB;
    else {
      prefix = minutePrefix(minute, this.layout);
      // Keep the newer minute in A.
      if (!(minute < this.minuteA)) {
        this.minuteB = this.minuteA;
        this.prefixB = this.prefixA;
        this.minuteA = minute;
        this.prefixA = prefix;
      } else {
        this.minuteB = minute;
        this.prefixB = prefix;
      }
    }
    this.cachedSecond = second;
    this.cachedText = prefix + TWO_DIGITS[secOfMinute / 1000] + this.suffix;
    return this.cachedText;
  }
}

/** `Sunday, 23-Jul-17 01:06:47 UTC`: Go's RFC 850 layout `Monday, 02-Jan-06 15:04:05 MST` in UTC. */
export function formatRfc850(ms: number): string {
  return new SecondsFormatter('rfc850').format(ms);
}

/** `2017-07-23T01:06:47Z`: RFC 3339 / ISO-8601 in UTC, whole seconds. */
export function formatRfc3339(ms: number): string {
  return new SecondsFormatter('rfc3339').format(ms);
}

/** Cents as a JSON number with two decimals: 3741 -> `37.41`, 5 -> `0.05`. */
export function centsText(cents: number): string {
  return `${Math.floor(cents / 100)}.${TWO_DIGITS[cents % 100]}`;
}

/** Decimal strings of 0..n-1, so hot paths look numbers up instead of converting them. */
export function numberStrings(n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = String(i);
  return out;
}
