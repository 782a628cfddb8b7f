// Small deterministic inputs for the conformance corpus. Every data set is a pure function of its
// name: a seeded PRNG, event times that move forward with some disorder that always stays strictly
// inside the table's watermark delay (so no record is late on either engine).

import { mulberry32 } from '../prng.js';
import { edgeDataSet } from './data-edge.js';
import { textDataSet } from './data-text.js';
import { cdcDataSet } from './data-cdc.js';
import { avroAccountsFile, avroTransfersFile } from './data-avro.js';
import { datesDataSet } from './data-dates.js';
import { paymentsDataSet } from './data-payments.js';
import { structuringDataSet, ticksDataSet } from './data-ticks.js';
import { cardTestingDataSet, firstContactDataSet } from './data-events.js';
import {
  patternsDataSet,
  referenceAccountVersionsDataSet,
  referenceAccountsDataSet,
  referenceBlocklistDataSet,
} from './data-patterns.js';

const START = Date.UTC(2017, 6, 23, 0, 55, 0); // Sunday, 23 July 2017 00:55:00 UTC
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

function rfc850(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]}, ${p2(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${p2(d.getUTCFullYear() % 100)} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} UTC`;
}
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19); // 2017-07-23T01:06:47
}

/**
 * Event times: `count` times starting at START, steps of 0..maxStepMs (whole seconds), then
 * disordered by moving records back by less than `disorderMs` below the running maximum.
 */
function times(rand: () => number, count: number, maxStepMs: number, disorderMs: number): number[] {
  const out: number[] = [];
  let t = START;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    t += Math.floor((rand() * maxStepMs) / 1000) * 1000;
    let ts = t;
    if (disorderMs > 1000 && rand() < 0.3) {
      // Strictly less than the delay behind the largest time so far (whole seconds).
      const back = Math.floor(rand() * ((disorderMs - 1) / 1000)) * 1000;
      ts = Math.max(START, Math.max(max, t) - back);
    }
    max = Math.max(max, ts);
    out.push(ts);
  }
  return out;
}

export interface DataSet {
  ext: 'csv' | 'json' | 'avro';
  /** The file's contents (bytes for a binary format). */
  text: string | Buffer;
}

/**
 * - dcos:          `Sunday, 23-Jul-17 01:06:47 UTC;sender;receiver;amount` (watermark delay ≥ 5 s)
 * - dcos-rfc3339:  `2017-07-23T01:06:47Z;sender;receiver;amount`, ascending (delay 1 ms)
 * - dcos-slow:     like dcos, sparser (steps up to 10 min, for sessions), disorder < 30 s
 * - dcos-disorder: like dcos, dense, many records up to 29 s behind the largest time (delay 30 s)
 * - city:          `sender receiver amount city epoch_ms` (space-delimited; delay ≥ 5 s)
 * - spending:      JSON lines of the PyFlink example (delay 60 s)
 * - accounts:      `id;owner;tier`, a small reference table for joins
 * - account-versions: `ts;id;owner;tier`, a versioned reference table for temporal joins
 * - payments:      `ts;account;merchant;amount;amount_d;channel` with peers, ties and NULLs (delay 5 s)
 * - ticks:         `ts;account;price;amount`, price random walks per account for MATCH_RECOGNIZE (delay 5 s)
 * - structuring:   dcos records over three days, a third just under 10 000 (jobs/structuring.sql)
 * - patterns, reference-accounts, reference-account-versions, reference-blocklist: the join jobs'
 *                  transfers with their patterns planted, and their reference files (data-patterns.ts)
 */
export function dataSet(name: string): DataSet {
  switch (name) {
    case 'dcos':
    case 'dcos-slow':
    case 'dcos-disorder': {
      const rand = mulberry32(name === 'dcos' ? 7 : name === 'dcos-slow' ? 11 : 13);
      const ts =
        name === 'dcos'
          ? times(rand, 400, 20_000, 5_000)
          : name === 'dcos-slow'
            ? times(rand, 300, 600_000, 30_000)
            : times(rand, 400, 10_000, 30_000);
      const lines = ts.map((t) => {
        const sender = 1 + Math.floor(rand() * 4);
        const receiver = 1 + Math.floor(rand() * 4);
        const amount = 1 + Math.floor(rand() * 5000);
        return `${rfc850(t)};${sender};${receiver};${amount}`;
      });
      return { ext: 'csv', text: lines.join('\n') + '\n' };
    }
    case 'dcos-rfc3339': {
      const rand = mulberry32(3);
      const lines = times(rand, 400, 15_000, 0).map((t) => {
        const sender = 1 + Math.floor(rand() * 3);
        const receiver = 1 + Math.floor(rand() * 3);
        const amount = 1 + Math.floor(rand() * 6000);
        return `${isoSeconds(t)}Z;${sender};${receiver};${amount}`;
      });
      return { ext: 'csv', text: lines.join('\n') + '\n' };
    }
    case 'city': {
      const rand = mulberry32(5);
      const cities = ['London', 'NYC', 'SF', 'Moscow', 'Tokyo'];
      const lines = times(rand, 500, 3_000, 5_000).map((t) => {
        const sender = 1 + Math.floor(rand() * 4);
        const receiver = 1 + Math.floor(rand() * 4);
        const amount = 1 + Math.floor(rand() * 2000);
        return `${sender} ${receiver} ${amount} ${cities[Math.floor(rand() * cities.length)]} ${t}`;
      });
      return { ext: 'csv', text: lines.join('\n') + '\n' };
    }
    case 'spending': {
      const rand = mulberry32(9);
      const lines = times(rand, 400, 30 * 60_000, 60_000).map((t) => {
        const online = rand() < 0.4;
        const amount = Math.round(rand() * 50_000) / 100;
        return JSON.stringify({
          customer: `customer-${1 + Math.floor(rand() * 5)}`,
          transaction_type: online ? 'online' : 'in_store',
          online_payment_amount: online ? amount : 0,
          in_store_payment_amount: online ? 0 : amount,
          lat: Math.round((44.5 + rand() * 0.5) * 10_000) / 10_000,
          lon: Math.round((20.1 + rand() * 0.6) * 10_000) / 10_000,
          transaction_datetime: isoSeconds(t),
        });
      });
      return { ext: 'json', text: lines.join('\n') + '\n' };
    }
    case 'accounts': // a reference table for joins: `id;owner;tier`, id 3 twice, id 4 missing, id 9 never used
      return {
        ext: 'csv',
        text:
          ['1;alice;high', '2;bob;low', '3;carol;medium', '3;carol-bis;high', '9;zed;low'].join('\n') + '\n',
      };
    case 'account-versions': // a versioned reference table: `ts;id;owner;tier`, versions before and during the dcos data
      return {
        ext: 'csv',
        text:
          [
            '2017-07-23 00:00:00;1;alice;high',
            '2017-07-23 00:00:00;2;bob;low',
            '2017-07-23 00:00:00;3;carol;medium',
            '2017-07-23 01:05:00;1;alice;low',
            '2017-07-23 01:20:00;3;carol;high',
            '2017-07-23 01:20:00;4;dan;medium',
            '2017-07-23 01:40:00;2;bob;high',
            '2017-07-23 01:40:00;2;bob;medium',
          ].join('\n') + '\n',
      };
    case 'edge': // hand-written edge values (data-edge.ts)
      return edgeDataSet();
    case 'accounts-cdc': // debezium-json change events of an accounts table (data-cdc.ts)
      return cdcDataSet();
    case 'avro-transfers': // an Avro container file as a producer writes it (data-avro.ts)
      return { ext: 'avro', text: avroTransfersFile() };
    case 'avro-accounts': // an Avro container file in the schema Flink derives, NULLs (data-avro.ts)
      return { ext: 'avro', text: avroAccountsFile() };
    case 'text': // hand-written strings, JSON texts and dates (data-text.ts)
      return textDataSet();
    case 'dates': // DATE and TIME columns, dates before 1970 (data-dates.ts)
      return datesDataSet();
    case 'payments': // card payments with peers, ties and NULLs, for window functions (data-payments.ts)
      return paymentsDataSet();
    case 'ticks': // prices and amounts per account for MATCH_RECOGNIZE (data-ticks.ts)
      return ticksDataSet();
    case 'structuring': // transfers just under 10 000 over three days, for jobs/structuring.sql (data-ticks.ts)
      return structuringDataSet();
    case 'card-testing': // runs of tiny payments and large ones, for jobs/card_testing.sql (data-events.ts)
      return cardTestingDataSet();
    case 'first-contact': // few pairs, amounts around 5 000, for jobs/first_contact.sql (data-events.ts)
      return firstContactDataSet();
    case 'patterns': // the join jobs' patterns on and around their boundaries (data-patterns.ts)
      return patternsDataSet();
    case 'reference-accounts':
      return referenceAccountsDataSet();
    case 'reference-account-versions':
      return referenceAccountVersionsDataSet();
    case 'reference-blocklist':
      return referenceBlocklistDataSet();
    default:
      throw new Error(`unknown conformance data set '${name}' (see test/conformance/data.ts)`);
  }
}
