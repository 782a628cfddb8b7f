import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERATE_HELP, runGenerate, type GenerateIO } from '../../app/cli/generate.js';
import {
  CITIES,
  CUSTOMER_NAMES,
  TRANSACTION_TYPES,
  formatRfc3339,
  formatRfc850,
} from '../../generator/formats.js';
import {
  TransactionGenerator,
  defaultGeneratorOptions,
  truthCsv,
  type GeneratedRecord,
  type GeneratorOptions,
  type PlantedCase,
} from '../../generator/generate.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const RFC850_LINE =
  /^(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) UTC;(\d+);(\d+);(\d+)$/;
const RFC3339_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z);(\d+);(\d+);(\d+)$/;

function textOf(options: Partial<GeneratorOptions>, chunk = 777): string {
  const g = new TransactionGenerator(defaultGeneratorOptions(options));
  let text = '';
  while (!g.done) text += g.nextText(chunk);
  return text;
}

function recordsOf(options: Partial<GeneratorOptions>): { records: GeneratedRecord[]; truth: PlantedCase[] } {
  const g = new TransactionGenerator(defaultGeneratorOptions(options));
  const records: GeneratedRecord[] = [];
  while (!g.done) records.push(...g.nextBatch(1000));
  return { records, truth: g.truth() };
}

/** Our own RFC 850 reader (independent of the generator's formatter). */
function parseRfc850(m: RegExpExecArray): number {
  const [, , dd, mon, yy, hh, mi, ss] = m;
  return Date.UTC(2000 + Number(yy), MONTHS.indexOf(mon!), Number(dd), Number(hh), Number(mi), Number(ss));
}

interface Transfer {
  ts: number;
  sender: number;
  receiver: number;
  amount: number;
}

function parseDcos(text: string): Transfer[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      const m = RFC850_LINE.exec(line);
      if (!m) throw new Error(`bad dcos line: ${line}`);
      return { ts: parseRfc850(m), sender: Number(m[8]), receiver: Number(m[9]), amount: Number(m[10]) };
    });
}

/** Independently computed: the (pair, tumble window) sums above the threshold. */
function alertsOf(transfers: Transfer[], windowMs: number, threshold: number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const t of transfers) {
    const w = Math.floor(t.ts / windowMs) * windowMs;
    const key = `${t.sender}->${t.receiver}@${w}`;
    sums.set(key, (sums.get(key) ?? 0) + t.amount);
  }
  return new Map([...sums].filter(([, sum]) => sum > threshold));
}

function truthKey(c: PlantedCase): string {
  return `${c.sender}->${c.receiver}@${c.windowStart}`;
}

function checkTruthIsExact(
  transfers: Transfer[],
  truth: PlantedCase[],
  windowMs: number,
  threshold: number,
): void {
  const alerts = alertsOf(transfers, windowMs, threshold);
  const expected = new Map(truth.filter((c) => c.expectedAlert).map((c) => [truthKey(c), c.total]));
  expect(new Set(alerts.keys())).toEqual(new Set(expected.keys()));
  for (const [key, sum] of alerts) expect(sum).toBe(expected.get(key));
  // Every truth row (alerting or not) matches the data: its pair's total and transfer count in its window.
  for (const c of truth) {
    const inWindow = transfers.filter(
      (t) =>
        t.sender === c.sender && t.receiver === c.receiver && t.ts >= c.windowStart && t.ts < c.windowEnd,
    );
    expect(inWindow.length).toBe(c.transfers);
    expect(inWindow.reduce((s, t) => s + t.amount, 0)).toBe(c.total);
    expect(c.windowEnd - c.windowStart).toBe(windowMs);
  }
}

describe('timestamp formats', () => {
  it('formats Go RFC 850 and RFC 3339 in UTC, whole seconds', () => {
    const t = Date.UTC(2017, 6, 23, 1, 6, 47);
    expect(formatRfc850(t)).toBe('Sunday, 23-Jul-17 01:06:47 UTC');
    expect(formatRfc850(t + 999)).toBe('Sunday, 23-Jul-17 01:06:47 UTC');
    expect(formatRfc3339(t + 999)).toBe('2017-07-23T01:06:47Z');
    // Go's reference time itself.
    expect(formatRfc850(Date.UTC(2006, 0, 2, 15, 4, 5))).toBe('Monday, 02-Jan-06 15:04:05 UTC');
    expect(formatRfc3339(Date.UTC(2006, 0, 2, 15, 4, 5))).toBe('2006-01-02T15:04:05Z');
  });
});

describe('TransactionGenerator', () => {
  it('gives the same output for the same seed and different output for another seed', () => {
    const a = textOf({ count: 15_000, seed: 42, plant: 3 });
    expect(textOf({ count: 15_000, seed: 42, plant: 3 }, 5000)).toBe(a);
    expect(textOf({ count: 15_000, seed: 43, plant: 3 })).not.toBe(a);
    const j = textOf({ format: 'json', count: 500, seed: 7 });
    expect(textOf({ format: 'json', count: 500, seed: 7 })).toBe(j);
    expect(textOf({ format: 'json', count: 500, seed: 8 })).not.toBe(j);
  });

  it('writes the same records as text lines and as record objects', () => {
    const options = { count: 12_000, seed: 5, plant: 3 };
    const lines = textOf(options).split('\n').slice(0, -1);
    const { records } = recordsOf(options);
    expect(records.map((r) => r.value)).toEqual(lines);
    expect(records.every((r) => r.topic === 'transactions' && r.key === null)).toBe(true);
  });

  it('writes dcos records: RFC 850 time, sender ≠ receiver, amounts 0..9999, ascending event time', () => {
    const startMs = Date.UTC(2017, 6, 23, 1, 6, 47);
    const { records } = recordsOf({ count: 20_000, startMs, stepMs: 1000, accounts: 100, seed: 3 });
    expect(records[0]!.value).toMatch(/^Sunday, 23-Jul-17 01:06:47 UTC;\d+;\d+;\d+$/);
    records.forEach((r, i) => {
      const m = RFC850_LINE.exec(r.value);
      expect(m, r.value).not.toBeNull();
      expect(r.timestamp).toBe(startMs + i * 1000);
      expect(parseRfc850(m!)).toBe(r.timestamp);
      const [sender, receiver, amount] = [Number(m![8]), Number(m![9]), Number(m![10])];
      expect(sender).not.toBe(receiver);
      expect(sender).toBeLessThan(100);
      expect(receiver).toBeLessThan(100);
      expect(amount).toBeGreaterThanOrEqual(0);
      expect(amount).toBeLessThanOrEqual(9999);
    });
    const amounts = records.map((r) => Number(r.value.split(';')[3]));
    expect(Math.max(...amounts)).toBeGreaterThan(9000); // the whole range is used, not a trimmed one
  });

  it('rounds event time down to whole seconds when several records share a second', () => {
    const startMs = Date.UTC(2017, 6, 23);
    const { records } = recordsOf({ format: 'dcos-rfc3339', count: 25, startMs, stepMs: 100 });
    records.forEach((r, i) => {
      expect(r.timestamp).toBe(startMs + Math.floor(i / 10) * 1000);
      expect(r.value).toMatch(RFC3339_LINE);
      expect(r.value.startsWith(formatRfc3339(r.timestamp) + ';')).toBe(true);
    });
  });

  it('writes fintrans payloads to city topics, with time and city in front in file lines', () => {
    const options = { format: 'fintrans' as const, count: 2000, seed: 9 };
    const { records } = recordsOf(options);
    const lines = textOf(options).split('\n').slice(0, -1);
    expect(new Set(records.map((r) => r.topic))).toEqual(new Set(CITIES));
    records.forEach((r, i) => {
      const m = /^(\d+) (\d+) (\d+)$/.exec(r.value);
      expect(m, r.value).not.toBeNull();
      expect(m![1]).not.toBe(m![2]);
      expect(lines[i]).toBe(`${formatRfc3339(r.timestamp)};${r.topic};${r.value.replaceAll(' ', ';')}`);
    });
  });

  it('writes PyFlink JSON records: fields in order, ranges, out of order by at most 60 s', () => {
    const { records } = recordsOf({ format: 'json', count: 5000, seed: 11 });
    let maxSoFar = -Infinity;
    let outOfOrder = 0;
    for (const r of records) {
      expect(r.topic).toBe('transactions-data');
      const o = JSON.parse(r.value);
      expect(Object.keys(o)).toEqual([
        'customer',
        'transaction_type',
        'online_payment_amount',
        'in_store_payment_amount',
        'lat',
        'lon',
        'transaction_datetime',
      ]);
      expect(CUSTOMER_NAMES).toContain(o.customer);
      expect(TRANSACTION_TYPES).toContain(o.transaction_type);
      const amounts = [o.online_payment_amount, o.in_store_payment_amount];
      expect(amounts.filter((a) => a === 0)).toHaveLength(1);
      const other = amounts.find((a) => a !== 0);
      expect(other).toBeGreaterThan(0);
      expect(other).toBeLessThan(100);
      expect(r.value).toMatch(/_payment_amount":\d{1,2}\.\d{2},/);
      expect(o.lat).toBeGreaterThanOrEqual(44.57);
      expect(o.lat).toBeLessThanOrEqual(44.91);
      expect(o.lon).toBeGreaterThanOrEqual(20.2);
      expect(o.lon).toBeLessThanOrEqual(20.63);
      // Python's isoformat() of a naive datetime, as the PyFlink demo wrote (and Flink's JSON format reads).
      expect(o.transaction_datetime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
      const t = Date.parse(`${o.transaction_datetime}Z`);
      if (t < maxSoFar) outOfOrder++;
      expect(maxSoFar - t).toBeLessThanOrEqual(60_000);
      maxSoFar = Math.max(maxSoFar, t);
      expect(r.timestamp - t).toBeLessThanOrEqual(61_000); // behind the generator's clock by ≤ 60 s (+ rounding)
    }
    expect(outOfOrder).toBeGreaterThan(100);
    expect(new Set(records.map((r) => JSON.parse(r.value).customer)).size).toBe(100);
  });

  it('plants cases whose truth is exactly the tumble-window pairs above the threshold', () => {
    const options = { count: 200_000, seed: 21, plant: 30, accounts: 200 };
    const transfers = parseDcos(textOf(options, 4096));
    const { truth } = recordsOf(options);
    checkTruthIsExact(transfers, truth, 600_000, 10_000);

    expect(new Set(truth.map((c) => c.id)).size).toBe(30);
    const byKind = (k: string): PlantedCase[] => truth.filter((c) => c.kind === k);
    expect(byKind('laundering')).toHaveLength(10);
    expect(byKind('decoy')).toHaveLength(10);
    expect(byKind('straddling')).toHaveLength(20); // one row per window
    for (const c of byKind('laundering')) {
      expect(c.expectedAlert).toBe(true);
      expect(c.total).toBeGreaterThan(10_000);
      expect(c.total).toBeLessThanOrEqual(30_001);
      expect(c.transfers).toBeGreaterThanOrEqual(5);
      expect(c.transfers).toBeLessThanOrEqual(30);
    }
    for (const c of byKind('decoy')) {
      expect(c.expectedAlert).toBe(false);
      expect(c.total).toBeGreaterThanOrEqual(9500);
      expect(c.total).toBeLessThanOrEqual(10_000);
    }
    expect(byKind('decoy').some((c) => c.total === 10_000)).toBe(true); // equal does not alert
    const straddles = new Map<number, PlantedCase[]>();
    for (const c of byKind('straddling')) straddles.set(c.id, [...(straddles.get(c.id) ?? []), c]);
    for (const [, rows] of straddles) {
      expect(rows).toHaveLength(2);
      expect(rows[0]!.windowEnd).toBe(rows[1]!.windowStart);
      expect(rows.every((r) => r.expectedAlert && r.total > 10_000)).toBe(true);
    }
    // Planted pairs are used by nothing else in the whole run.
    const planted = new Set(truth.map((c) => `${c.sender}->${c.receiver}`));
    const plantedTransfers = transfers.filter((t) => planted.has(`${t.sender}->${t.receiver}`));
    expect(plantedTransfers.length).toBe(truth.reduce((s, c) => s + c.transfers, 0));
  });

  it('keeps the truth exact when background traffic is crowded (few accounts, low threshold)', () => {
    const options = {
      format: 'fintrans' as const,
      count: 30_000,
      seed: 5,
      plant: 6,
      accounts: 12,
      threshold: 8000,
      windowMs: 60_000,
    };
    const { records, truth } = recordsOf(options);
    const transfers = records.map((r) => {
      const [sender, receiver, amount] = r.value.split(' ').map(Number);
      return { ts: r.timestamp, sender: sender!, receiver: receiver!, amount: amount! };
    });
    checkTruthIsExact(transfers, truth, 60_000, 8000);
    expect(truth.filter((c) => c.expectedAlert)).toHaveLength(6); // 2 laundering + 2 straddling × 2 windows
  });

  it('writes the truth as CSV with UTC window times', () => {
    const { truth } = recordsOf({ count: 50_000, plant: 3 });
    const lines = truthCsv(truth).split('\n');
    expect(lines[0]).toBe('id,kind,sender,receiver,window_start,window_end,total,transfers,expected_alert');
    expect(lines).toHaveLength(truth.length + 2);
    expect(lines[1]).toMatch(
      /^1,laundering,\d+,\d+,2017-07-23 \d{2}:\d0:00\.000,2017-07-23 \d{2}:\d0:00\.000,\d+,\d+,true$/,
    );
    expect(lines.some((l) => /^3,decoy,.*,false$/.test(l))).toBe(true);
  });

  it('refuses planting it cannot do', () => {
    expect(() => new TransactionGenerator(defaultGeneratorOptions({ format: 'json', plant: 1 }))).toThrow(
      /planting needs a transfer format/,
    );
    expect(() => new TransactionGenerator(defaultGeneratorOptions({ count: 100, plant: 3 }))).toThrow(
      /needs records on both sides of a window boundary/,
    );
    expect(
      () => new TransactionGenerator(defaultGeneratorOptions({ accounts: 3, plant: 4, count: 100_000 })),
    ).toThrow(/use more --accounts/);
  });
});

// ---------------------------------------------------------------------------------------------

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    cb();
  }
}

interface FakeIO extends GenerateIO {
  out: Capture;
  err: Capture;
  topics: Array<string | null>;
  sent: GeneratedRecord[];
}

function fakeIO(cwd = '/nonexistent', signal?: AbortSignal): FakeIO {
  const out = new Capture();
  const err = new Capture();
  const topics: Array<string | null> = [];
  const sent: GeneratedRecord[] = [];
  return {
    stdout: out,
    stderr: err,
    out,
    err,
    cwd,
    topics,
    sent,
    signal: signal ?? new AbortController().signal,
    openTopic: async (topic) => {
      topics.push(topic);
      return {
        write: async (records) => void sent.push(...(records as GeneratedRecord[])),
        close: async () => undefined,
      };
    },
  };
}

describe('runGenerate', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fintrans-gen-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    [['--bogus'], /unknown option '--bogus'/],
    [['--count'], /--count needs a value/],
    [['--count', '10', 'extra'], /unexpected argument 'extra'/],
    [['--count=-5'], /--count must be a whole number ≥ 0, got '-5'/],
    [['--count', 'lots'], /--count must be a whole number/],
    [
      ['--count', '10', '--format', 'csv'],
      /unknown --format 'csv': use one of dcos, dcos-rfc3339, fintrans, json/,
    ],
    [[], /say how many records: --count N, or --rate R/],
    [['--count', '10', '--format', 'json', '--plant', '2'], /--plant works with the transfer formats/],
    [['--rate', '10', '--plant', '2'], /--plant needs --count/],
    [['--count', '10', '--to', 't', '--out', 'f'], /give one destination/],
    [['--count', '10', '--window', '10x'], /--window must be a duration such as 30s, 10m or 1h, got '10x'/],
    [['--count', '10', '--format', 'fintrans', '--to', 'London'], /write --to cities/],
    [['--count', '10', '--to', 'cities'], /--to cities is for --format fintrans/],
    [['--count', '10', '--start', 'yesterday'], /--start must be an ISO-8601 time/],
    [['--count', '10', '--rate', '5', '--step-ms', '10'], /with --rate, records carry the wall clock/],
    [['--count', '10', '--accounts', '1'], /--accounts must be from 2/],
    [['--count', '100', '--plant', '3'], /cannot plant case 2 \(straddling\)/],
  ])('rejects %j with exit code 2 and a one-line message', async (argv, message) => {
    const io = fakeIO();
    expect(await runGenerate(argv, io)).toBe(2);
    expect(io.err.text).toMatch(message);
    expect(io.err.text).toMatch(/see fintrans-sql generate --help\)\n$/);
    expect(io.err.text.trim().split('\n')).toHaveLength(1);
    expect(io.out.text).toBe('');
  });

  it('prints help', async () => {
    const io = fakeIO();
    expect(await runGenerate(['--help'], io)).toBe(0);
    expect(io.out.text).toBe(GENERATE_HELP);
    expect(GENERATE_HELP).toMatch(/--plant N/);
  });

  it('writes to stdout by default and summarises on stderr', async () => {
    const io = fakeIO();
    expect(await runGenerate(['--count', '10', '--seed', '4'], io)).toBe(0);
    expect(io.out.text).toBe(textOf({ count: 10, seed: 4 }));
    expect(io.err.text).toMatch(/^generated 10 records \(dcos\) → stdout in \d+\.\d\d s\n$/);
  });

  it('writes a file and the truth CSV', async () => {
    const io = fakeIO(dir);
    const argv = [
      '--count',
      '100000',
      '--plant',
      '6',
      '--out',
      'tx.csv',
      '--truth',
      'truth.csv',
      '--seed',
      '2',
    ];
    expect(await runGenerate(argv, io)).toBe(0);
    expect(await readFile(join(dir, 'tx.csv'), 'utf8')).toBe(textOf({ count: 100_000, plant: 6, seed: 2 }));
    const { truth } = recordsOf({ count: 100_000, plant: 6, seed: 2 });
    expect(await readFile(join(dir, 'truth.csv'), 'utf8')).toBe(truthCsv(truth));
    expect(io.err.text).toMatch(
      /^generated 100000 records \(dcos\) → tx\.csv in \d+\.\d\d s; planted 6 cases \(6 expected alerts\) → truth\.csv\n$/,
    );
  });

  it('uses --window, --threshold, --start and --step-ms', async () => {
    const io = fakeIO(dir);
    const argv = [
      '--count',
      '20000',
      '--plant',
      '3',
      '--window',
      '1m',
      '--threshold',
      '5000',
      '--start',
      '2020-01-01 00:00:00',
      '--step-ms',
      '50',
      '--format',
      'dcos-rfc3339',
      '--out',
      'w.csv',
      '--truth',
      'w-truth.csv',
    ];
    expect(await runGenerate(argv, io)).toBe(0);
    const lines = (await readFile(join(dir, 'w.csv'), 'utf8')).split('\n');
    expect(lines[0]).toMatch(/^2020-01-01T00:00:00Z;/);
    expect(lines[20]).toMatch(/^2020-01-01T00:00:01Z;/);
    const truth = (await readFile(join(dir, 'w-truth.csv'), 'utf8')).split('\n').slice(1, -1);
    for (const row of truth) {
      const [, , , , start, end, total, , alert] = row.split(',');
      expect(Date.parse(end!.replace(' ', 'T') + 'Z') - Date.parse(start!.replace(' ', 'T') + 'Z')).toBe(
        60_000,
      );
      expect(alert).toBe(String(Number(total) > 5000));
    }
  });

  it("sends to a topic, and fintrans to each record's city topic", async () => {
    const io = fakeIO();
    expect(await runGenerate(['--count', '25000', '--to', 'tx-in'], io)).toBe(0);
    expect(io.topics).toEqual(['tx-in']);
    expect(io.sent).toHaveLength(25_000);
    expect(io.err.text).toMatch(/→ topic tx-in in/);

    const io2 = fakeIO();
    expect(await runGenerate(['--count', '50', '--format', 'fintrans', '--to', 'cities'], io2)).toBe(0);
    expect(io2.topics).toEqual([null]);
    expect(io2.sent.every((r) => CITIES.includes(r.topic))).toBe(true);
  });

  it('paces records in real time with --rate and wall-clock timestamps', async () => {
    const io = fakeIO();
    const before = Date.now();
    expect(await runGenerate(['--rate', '2000', '--count', '40', '--to', 'rt'], io)).toBe(0);
    expect(io.sent).toHaveLength(40);
    for (const r of io.sent) {
      expect(r.timestamp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(r.timestamp).toBeLessThanOrEqual(Date.now());
    }
  });

  it('stops an endless real-time run when signalled', async () => {
    const stop = new AbortController();
    const io = fakeIO(dir, stop.signal);
    const run = runGenerate(['--rate', '50', '--to', 'rt'], io);
    setTimeout(() => stop.abort(), 150);
    expect(await run).toBe(0);
    expect(io.sent.length).toBeGreaterThan(0);
    expect(io.err.text).toMatch(/^generated \d+ records \(dcos\) → topic rt in .* \(stopped early\)\n$/);
  });
});
