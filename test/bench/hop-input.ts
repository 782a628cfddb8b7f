// Input for the open-keys memory case: `keys` records, each a distinct (sender, receiver) pair
// (sender = i, receiver = i + 1), event times spread evenly over the first 10 minutes of the day,
// so HOP's 10-minute window [00:00, 00:10) holds every key until the input ends. Every 1000th key
// gets an amount over the threshold, so the job's output can be checked (see expectedHopAlerts).

import { open } from 'node:fs/promises';
import { DEFAULT_START_MS } from '../../generator/generate.js';
import { SecondsFormatter } from '../../generator/formats.js';

const SPAN_MS = 10 * 60_000;
const ALERT_EVERY = 1000;
/** Records per write: a few MB of text. */
const CHUNK = 65_536;

function amountOf(i: number): number {
  return i % ALERT_EVERY === ALERT_EVERY - 1 ? 20_000 : (i * 7919) % 10_000;
}

/** Rows hop_open_keys.sql must write: each alerting key lies in all 5 of its HOP windows (10 min / 2 min). */
export function expectedHopAlerts(keys: number): number {
  let alerting = 0;
  for (let i = ALERT_EVERY - 1; i < keys; i += ALERT_EVERY) alerting++;
  return alerting * 5;
}

export async function writeHopInput(path: string, keys: number): Promise<void> {
  const time = new SecondsFormatter('rfc850');
  const fh = await open(path, 'w');
  try {
    for (let from = 0; from < keys; from += CHUNK) {
      const to = Math.min(keys, from + CHUNK);
      let text = '';
      for (let i = from; i < to; i++) {
        const ts = DEFAULT_START_MS + Math.floor((i * SPAN_MS) / keys);
        text += time.format(ts) + ';' + i + ';' + (i + 1) + ';' + amountOf(i) + '\n';
      }
      await fh.write(text);
    }
  } finally {
    await fh.close();
  }
}
