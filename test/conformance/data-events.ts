// Data sets of the conformance corpus for the per-event jobs (issue 18): dcos records
// `Sunday, 23-Jul-17 01:06:47 UTC;sender;receiver;amount`, a sixth of them up to 3 s behind the
// largest time so far (inside the jobs' 5 s watermark delay: nothing is late on either engine).
//
// - card-testing (jobs/card_testing.sql): senders 1..5 over about four hours, steps of 5 s to 4 min;
//   a third of the amounts are "tests" (1..9), a fifth 1 000 or more, some 100..999 and exactly
//   1 000 and 999 now and then, so runs of tests end in a large payment, in a medium one, or are
//   broken, and some take longer than 30 minutes.
// - first-contact (jobs/first_contact.sql): senders 1..6 to receivers 1..6 (pairs come back
//   often), amounts around 5 000 (exactly 5 000 and 5 001 among them), steps up to 3 minutes.

import { mulberry32 } from '../prng.js';

const START = Date.UTC(2017, 6, 23, 0, 55, 0);
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

function rfc850(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${p2(d.getUTCFullYear() % 100)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC`;
}

function transfers(
  seed: number,
  n: number,
  maxStepS: number,
  row: (rand: () => number) => [sender: number, receiver: number, amount: number],
): { ext: 'csv'; text: string } {
  const rand = mulberry32(seed);
  const lines: string[] = [];
  let t = START;
  let max = START;
  for (let i = 0; i < n; i++) {
    t += (5 + Math.floor(rand() * maxStepS)) * 1000;
    let ts = t;
    if (rand() < 0.17) ts = Math.max(START, max - (1 + Math.floor(rand() * 3)) * 1000);
    max = Math.max(max, ts);
    const [sender, receiver, amount] = row(rand);
    lines.push(`${rfc850(ts)};${sender};${receiver};${amount}`);
  }
  return { ext: 'csv', text: lines.join('\n') + '\n' };
}

export function cardTestingDataSet(): { ext: 'csv'; text: string } {
  return transfers(7373, 600, 60, (rand) => {
    const sender = 1 + Math.floor(rand() * 5);
    const receiver = 10 + Math.floor(rand() * 20);
    const r = rand();
    const amount =
      r < 0.36
        ? 1 + Math.floor(rand() * 9)
        : r < 0.38
          ? 1000
          : r < 0.4
            ? 999
            : r < 0.42
              ? 10
              : r < 0.6
                ? 100 + Math.floor(rand() * 900)
                : 1000 + Math.floor(rand() * 9000);
    return [sender, receiver, amount];
  });
}

export function firstContactDataSet(): { ext: 'csv'; text: string } {
  return transfers(6161, 500, 180, (rand) => {
    const sender = 1 + Math.floor(rand() * 6);
    let receiver = 1 + Math.floor(rand() * 6);
    if (receiver === sender) receiver = 7;
    const r = rand();
    const amount = r < 0.1 ? 5000 : r < 0.2 ? 5001 : 4000 + Math.floor(rand() * 2000);
    return [sender, receiver, amount];
  });
}
