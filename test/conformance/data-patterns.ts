// The data sets of the join jobs (jobs/rapid_cashout.sql, layering.sql, blocklist.sql,
// laundering_enriched.sql) in the conformance corpus:
//
// - patterns: dcos records `Sunday, 23-Jul-17 01:06:47 UTC;sender;receiver;amount` from 00:55 for
//   about two and a half hours. Background transfers among accounts 1..5, amounts up to 5000
//   (windowed laundering alerts, blocklist hits to 4 and 5, nothing large), a fifth of them up to
//   4 s behind the largest time so far (inside the jobs' 5 s delay: nothing is late). The join
//   jobs' patterns are planted on accounts 10..36 at exact times, on and around their boundaries:
//   80 % exactly one hour later (both inclusive), just under 80 %, one second over the hour, a
//   cash-out in the deposit's own second, a deposit of exactly 10 000, one deposit with two
//   cash-outs and a second deposit, a cash-out before its deposit; a layering link at exactly +10 %
//   and 10 minutes, at exactly -10 %, back to the origin, in the same second, at +10 % and one unit,
//   one second late; transfers to account 25 before, at and after its listing. A planted row goes
//   in just before the first background row later than it, so it is never late either.
// - reference-accounts, reference-account-versions, reference-blocklist: the generator's reference
//   files (`generate --reference`) for those accounts, comma-separated, no header.

import { mulberry32 } from '../prng.js';

const START = Date.UTC(2017, 6, 23, 0, 55, 0);
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

function rfc850(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${p2(d.getUTCFullYear() % 100)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC`;
}

const at = (hhmmss: string): number => Date.parse(`2017-07-23T${hhmmss}Z`);

/** [time, sender, receiver, amount] */
const PLANTED: [string, number, number, number][] = [
  // rapid cash-out
  ['01:00:00', 10, 11, 20000],
  ['02:00:00', 11, 12, 16000], // exactly 80 %, exactly 1 h: alert
  ['01:05:00', 10, 13, 20000],
  ['01:20:00', 13, 14, 15999], // just under 80 %
  ['01:10:00', 15, 16, 12000],
  ['02:10:01', 16, 17, 9600],
  ['01:10:00', 16, 18, 9600], // 1 h + 1 s; same second: alert
  ['01:30:00', 19, 20, 10000],
  ['01:31:00', 20, 21, 10000], // a deposit of exactly 10 000 is not over it
  ['01:39:59', 23, 26, 23000],
  ['01:40:00', 22, 23, 30000],
  ['01:45:00', 23, 24, 25000],
  ['01:50:00', 27, 23, 11000],
  ['02:20:00', 23, 25, 24000],
  // layering from 30 → 31
  ['02:30:00', 30, 31, 15000],
  ['02:30:00', 31, 34, 15000],
  ['02:31:00', 31, 30, 15000],
  ['02:32:00', 31, 35, 16501],
  ['02:35:00', 31, 33, 13500],
  ['02:40:00', 31, 32, 16500],
  ['02:40:01', 31, 36, 15000],
  // account 25 is listed at 02:00:00
  ['01:59:59', 28, 25, 500],
  ['02:00:00', 29, 25, 700],
  ['02:00:00', 21, 25, 800],
];

export function patternsDataSet(): { ext: 'csv'; text: string } {
  const rand = mulberry32(17);
  const background: { t: number; line: string }[] = [];
  let t = START;
  let max = START;
  for (let i = 0; i < 600; i++) {
    t += Math.floor(rand() * 30) * 1000;
    let ts = t;
    if (rand() < 0.2) ts = Math.max(START, max - Math.floor(rand() * 5) * 1000);
    max = Math.max(max, ts);
    background.push({
      t: ts,
      line: `${rfc850(ts)};${1 + Math.floor(rand() * 5)};${1 + Math.floor(rand() * 5)};${1 + Math.floor(rand() * 5000)}`,
    });
  }
  const planted = PLANTED.map(([time, sender, receiver, amount]) => ({
    t: at(time),
    line: `${rfc850(at(time))};${sender};${receiver};${amount}`,
  })).sort((a, b) => a.t - b.t);
  const lines: string[] = [];
  let p = 0;
  for (const b of background) {
    while (p < planted.length && planted[p]!.t < b.t) lines.push(planted[p++]!.line);
    lines.push(b.line);
  }
  while (p < planted.length) lines.push(planted[p++]!.line);
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}

const OWNERS = [
  'Ana Ilic',
  'Marko Petrovic',
  'Jelena Nikolic',
  'Luka Markovic',
  'Sara Pavlovic',
  'Stefan Ilic',
  'Ivana Stankovic',
];
const COUNTRIES = ['GB', 'US', 'RS', 'KY', 'CH'];
const owner = (id: number): string => OWNERS[id % OWNERS.length]!;
const country = (id: number): string => COUNTRIES[id % COUNTRIES.length]!;
const tier = (id: number): string => (id % 7 === 0 ? 'high' : id % 3 === 0 ? 'medium' : 'low');
const opened = (id: number): string => `2016-0${1 + (id % 9)}-1${id % 10} 00:00:00`;
const ids = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** `id,owner,country,risk_tier,opened`; 13 and 29 are missing (an inner join drops their rows). */
export function referenceAccountsDataSet(): { ext: 'csv'; text: string } {
  const lines = ids(1, 40)
    .filter((id) => id !== 13 && id !== 29)
    .map((id) => `${id},${owner(id)},${country(id)},${tier(id)},${opened(id)}`);
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}

/**
 * `valid_from,id,owner,country,risk_tier,opened`, ascending: a first version at the start of the
 * year for all but 5 and 11, then changes during the data: one a second before a window's last
 * millisecond, one exactly at a window's end, account 5 only from 01:20 on, 31 during its chain.
 */
export function referenceAccountVersionsDataSet(): { ext: 'csv'; text: string } {
  const version = (validFrom: string, id: number, riskTier: string): string =>
    `${validFrom},${id},${owner(id)},${country(id)},${riskTier},${opened(id)}`;
  const lines = ids(1, 36)
    .filter((id) => id !== 5 && id !== 11)
    .map((id) => version('2017-01-01 00:00:00', id, tier(id)));
  lines.push(
    version('2017-07-23 01:09:59', 2, 'high'),
    version('2017-07-23 01:10:00', 3, 'high'),
    version('2017-07-23 01:15:00', 1, 'medium'),
    version('2017-07-23 01:20:00', 5, 'low'),
    version('2017-07-23 01:35:00', 2, 'low'),
    version('2017-07-23 02:10:00', 4, 'medium'),
    version('2017-07-23 02:35:00', 31, 'high'),
  );
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}

/** `account_id,reason,listed_at`: 4 long listed, 5 and 25 listed during the data. */
export function referenceBlocklistDataSet(): { ext: 'csv'; text: string } {
  return {
    ext: 'csv',
    text:
      [
        '4,sanctions list,2016-11-02 00:00:00',
        '5,money mule,2017-07-23 01:30:00',
        '25,fraud ring,2017-07-23 02:00:00',
      ].join('\n') + '\n',
  };
}
