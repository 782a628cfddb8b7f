// The 'ticks' data set of the conformance corpus, for MATCH_RECOGNIZE. Semicolon-delimited:
//   ts;account;price;amount
// ts is 'yyyy-MM-dd HH:mm:ss' over about two hours: a fifth of the rows share their second with
// the row before (rows of one time, taken in arrival order), a sixth come up to 3 s behind the
// largest time so far (inside the tables' 5 s watermark delay: no row is late on either engine).
// account 1..4 (partitions); price a random walk in small steps between 1 and 60, so that runs up
// and down, V shapes and plateaus all occur; amount mostly small, now and then just under 10 000
// (structuring), empty (NULL) now and then.

import { mulberry32 } from '../prng.js';

const START = Date.UTC(2017, 6, 23, 0, 55, 0);

function text(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function ticksDataSet(): { ext: 'csv'; text: string } {
  const rand = mulberry32(1818);
  const lines: string[] = [];
  const prices = [20, 30, 40, 25];
  let t = START;
  let max = START;
  for (let i = 0; i < 480; i++) {
    if (rand() >= 0.2) t += (1 + Math.floor(rand() * 40)) * 1000;
    let ts = t;
    if (rand() < 0.17) ts = Math.max(START, max - (1 + Math.floor(rand() * 3)) * 1000);
    max = Math.max(max, ts);
    const account = 1 + Math.floor(rand() * 4);
    const step = Math.floor(rand() * 7) - 3;
    prices[account - 1] = Math.min(60, Math.max(1, prices[account - 1]! + step));
    const r = rand();
    const amount =
      r < 0.05
        ? ''
        : r < 0.3
          ? String(9000 + Math.floor(rand() * 999))
          : String(10 + Math.floor(rand() * 3000));
    lines.push(`${text(ts)};${account};${prices[account - 1]};${amount}`);
  }
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

function rfc850(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${p2(d.getUTCFullYear() % 100)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC`;
}

/**
 * The 'structuring' data set, for jobs/structuring.sql: dcos records
 * `Sunday, 23-Jul-17 01:06:47 UTC;sender;receiver;amount` over about three days (steps up to 12
 * minutes, so an account's transfers just under 10 000 fall both inside and outside 24 hours of
 * each other), senders 1..6, a third of the amounts between 9 000 and 9 999 (one exactly 10 000
 * now and then, which is not under the threshold), a sixth up to 3 s behind the largest time
 * (inside the job's 5 s delay).
 */
export function structuringDataSet(): { ext: 'csv'; text: string } {
  const rand = mulberry32(2424);
  const lines: string[] = [];
  let t = START;
  let max = START;
  for (let i = 0; i < 700; i++) {
    t += (1 + Math.floor(rand() * 720)) * 1000;
    let ts = t;
    if (rand() < 0.17) ts = Math.max(START, max - (1 + Math.floor(rand() * 3)) * 1000);
    max = Math.max(max, ts);
    const sender = 1 + Math.floor(rand() * 6);
    const receiver = 1 + Math.floor(rand() * 9);
    const r = rand();
    const amount =
      r < 0.33 ? 9000 + Math.floor(rand() * 1000) : r < 0.36 ? 10000 : 10 + Math.floor(rand() * 20000);
    lines.push(`${rfc850(ts)};${sender};${receiver};${amount}`);
  }
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}
