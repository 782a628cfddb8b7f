// The 'payments' data set of the conformance corpus, for the window-function cases (OVER, Top-N,
// deduplication). Semicolon-delimited:
//   ts;account;merchant;amount;amount_d;channel
// ts is 'yyyy-MM-dd HH:mm:ss' over about three hours: a quarter of the rows share their second with
// the row before (peers of an OVER RANGE window), a fifth come up to 4 s behind the largest time
// so far (always inside the tables' 5 s watermark delay: no row is late on either engine).
// account 1..5; amount in steps of 50 (ties for ORDER BY) and empty (NULL) now and then; amount_d
// a DOUBLE with cents (sums that round in binary); channel 'web', 'pos', 'atm' or empty (NULL).

import { mulberry32 } from '../prng.js';

const START = Date.UTC(2017, 6, 23, 0, 55, 0);
const CHANNELS = ['web', 'pos', 'atm', ''];

function text(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function paymentsDataSet(): { ext: 'csv'; text: string } {
  const rand = mulberry32(18);
  const lines: string[] = [];
  let t = START;
  let max = START;
  for (let i = 0; i < 360; i++) {
    if (rand() >= 0.25) t += (1 + Math.floor(rand() * 60)) * 1000;
    let ts = t;
    if (rand() < 0.2) ts = Math.max(START, max - (1 + Math.floor(rand() * 4)) * 1000);
    max = Math.max(max, ts);
    const account = 1 + Math.floor(rand() * 5);
    const merchant = `m${1 + Math.floor(rand() * 7)}`;
    const amount = rand() < 0.06 ? '' : String(50 * (1 + Math.floor(rand() * 40)));
    const amountD = (Math.floor(rand() * 100_000) / 100).toFixed(2);
    const channel = CHANNELS[Math.floor(rand() * CHANNELS.length)]!;
    lines.push(`${text(ts)};${account};${merchant};${amount};${amountD};${channel}`);
  }
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}
