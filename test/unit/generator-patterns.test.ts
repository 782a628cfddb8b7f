// The join jobs' planted patterns and reference data (generator/patterns.ts, generator/reference.ts):
// the truth is checked against definitions computed here, independently, over EVERY transfer of the
// run (background included), so a background match or a missed planted one would show.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate, type GenerateIO } from '../../app/cli/generate.js';
import {
  TransactionGenerator,
  defaultGeneratorOptions,
  type GeneratorOptions,
} from '../../generator/generate.js';
import {
  accountVersionsCsv,
  accountsCsv,
  blocklistCsv,
  type ReferenceData,
} from '../../generator/reference.js';
import { formatTimestamp } from '../../engine/values.js';

interface Transfer {
  ts: number;
  sender: number;
  receiver: number;
  amount: number;
}

const HOUR = 3_600_000;
const OPTIONS: Partial<GeneratorOptions> = {
  format: 'dcos-rfc3339',
  count: 150_000, // 4 h 10 min of event time at 10 records a second
  seed: 3,
  accounts: 400,
  plant: 12,
  plantCashout: 12,
  plantLayering: 12,
  plantBlocklist: 12,
  reference: true,
};

function run(options: Partial<GeneratorOptions>): { g: TransactionGenerator; transfers: Transfer[] } {
  const g = new TransactionGenerator(defaultGeneratorOptions(options));
  const transfers: Transfer[] = [];
  while (!g.done) {
    for (const line of g.nextText(10_000).split('\n')) {
      if (line === '') continue;
      const [time, sender, receiver, amount] = line.split(';');
      transfers.push({
        ts: Date.parse(time!),
        sender: Number(sender),
        receiver: Number(receiver),
        amount: Number(amount),
      });
    }
  }
  return { g, transfers };
}

function bySender(transfers: Transfer[]): Map<number, Transfer[]> {
  const m = new Map<number, Transfer[]>();
  for (const t of transfers) m.set(t.sender, [...(m.get(t.sender) ?? []), t]);
  return m;
}

/** rapid_cashout.sql's condition, over every pair of transfers: keys account@deposit@cashout. */
function rapidCashouts(transfers: Transfer[]): Set<string> {
  const out = new Set<string>();
  const from = bySender(transfers.filter((t) => t.amount > 8000));
  for (const d of transfers) {
    if (d.amount <= 10_000) continue;
    for (const o of from.get(d.receiver) ?? []) {
      if (o.ts >= d.ts && o.ts <= d.ts + HOUR && o.amount >= 0.8 * d.amount)
        out.add(`${d.receiver}@${d.ts}@${o.ts}`);
    }
  }
  return out;
}

/** layering.sql's condition: keys origin>middle>destination@first@second. */
function layeringChains(transfers: Transfer[]): Set<string> {
  const out = new Set<string>();
  const from = bySender(transfers.filter((t) => t.amount > 9000));
  for (const f of transfers) {
    if (f.amount <= 10_000) continue;
    for (const s of from.get(f.receiver) ?? []) {
      const within = s.amount >= 0.9 * f.amount && s.amount <= 1.1 * f.amount;
      if (s.ts > f.ts && s.ts <= f.ts + 600_000 && within && s.receiver !== f.sender)
        out.add(`${f.sender}>${f.receiver}>${s.receiver}@${f.ts}@${s.ts}`);
    }
  }
  return out;
}

function blocklistHits(transfers: Transfer[], ref: ReferenceData): Set<string> {
  const listed = new Map(ref.blocklist.map((b) => [b.accountId, b.listedAt]));
  return new Set(
    transfers
      .filter((t) => listed.has(t.receiver) && t.ts >= listed.get(t.receiver)!)
      .map((t) => `${t.sender}>${t.receiver}@${t.ts}`),
  );
}

describe('planted patterns for the join jobs', () => {
  const { g, transfers } = run(OPTIONS);
  const truth = g.patternTruth();
  const ref = g.reference!;

  it('the truth marks exactly the rapid cash-outs in the whole run', () => {
    const expected = new Set(
      truth.rapidCashout
        .filter((r) => r.expectedAlert)
        .map((r) => `${r.account}@${r.depositTime}@${r.cashoutTime}`),
    );
    expect(expected).toEqual(rapidCashouts(transfers));
    const kinds = (k: string, alert: boolean) =>
      truth.rapidCashout.filter((r) => r.kind === k && r.expectedAlert === alert).length;
    expect(kinds('rapid-cashout', true)).toBe(4);
    expect(kinds('cashout-decoy-share', false)).toBe(4);
    expect(kinds('cashout-decoy-late', false)).toBe(4);
    // A layering hop moves ≥ 80 % on within the hour: it is a rapid cash-out too, and listed as one.
    expect(kinds('layering', true)).toBe(4);
    for (const r of truth.rapidCashout.filter((r) => r.kind === 'cashout-decoy-late'))
      expect(r.cashoutTime - r.depositTime).toBeGreaterThan(HOUR);
    for (const r of truth.rapidCashout.filter((r) => r.kind === 'cashout-decoy-share'))
      expect(r.cashoutAmount).toBeLessThan(0.8 * r.depositAmount);
  });

  it('the truth marks exactly the layering chains in the whole run', () => {
    const expected = new Set(
      truth.layering
        .filter((r) => r.expectedAlert)
        .map((r) => `${r.origin}>${r.middle}>${r.destination}@${r.firstTime}@${r.secondTime}`),
    );
    expect(expected).toEqual(layeringChains(transfers));
    expect(truth.layering.filter((r) => r.expectedAlert).map((r) => r.kind)).toEqual(
      Array(4).fill('layering'),
    );
    expect(truth.layering.filter((r) => r.kind === 'layering-decoy-slow' && !r.expectedAlert)).toHaveLength(
      4,
    );
    expect(truth.layering.filter((r) => r.kind === 'layering-decoy-amount' && !r.expectedAlert)).toHaveLength(
      4,
    );
  });

  it('the truth marks exactly the transfers to blocklisted accounts after their listing', () => {
    const expected = new Set(
      truth.blocklist.filter((r) => r.expectedAlert).map((r) => `${r.sender}>${r.receiver}@${r.time}`),
    );
    expect(expected).toEqual(blocklistHits(transfers, ref));
    expect(expected.size).toBe(6);
    // The decoys pay an account listed during the run, before its listing.
    const early = truth.blocklist.filter((r) => r.kind === 'blocklist-decoy-early');
    expect(early).toHaveLength(6);
    for (const r of early) expect(r.time).toBeLessThan(r.listedAt);
    // Only planted transfers touch a blocklisted account.
    const blocked = new Set(ref.blocklist.map((b) => b.accountId));
    expect(transfers.filter((t) => blocked.has(t.sender) || blocked.has(t.receiver))).toHaveLength(
      truth.blocklist.length,
    );
  });

  it('keeps the windowed laundering truth exact, listing the pattern transfers over the threshold', () => {
    const sums = new Map<string, number>();
    for (const t of transfers) {
      const key = `${t.sender}->${t.receiver}@${Math.floor(t.ts / 600_000) * 600_000}`;
      sums.set(key, (sums.get(key) ?? 0) + t.amount);
    }
    const alerts = new Set([...sums].filter(([, s]) => s > 10_000).map(([k]) => k));
    const windowTruth = g.truth();
    expect(
      new Set(
        windowTruth.filter((c) => c.expectedAlert).map((c) => `${c.sender}->${c.receiver}@${c.windowStart}`),
      ),
    ).toEqual(alerts);
    // Every large pattern transfer is there, under its own case.
    const large = transfers.filter((t) => t.amount > 10_000).length;
    expect(
      windowTruth.filter((c) => c.expectedAlert && !['laundering', 'straddling'].includes(c.kind)),
    ).toHaveLength(large);
  });

  it('stays exact for other seeds and more cases', () => {
    for (const seed of [8, 17]) {
      const other = run({ ...OPTIONS, seed, plantCashout: 30, plantLayering: 30, plantBlocklist: 30 });
      const t = other.g.patternTruth();
      expect(
        new Set(
          t.rapidCashout
            .filter((r) => r.expectedAlert)
            .map((r) => `${r.account}@${r.depositTime}@${r.cashoutTime}`),
        ),
      ).toEqual(rapidCashouts(other.transfers));
      expect(
        new Set(
          t.layering
            .filter((r) => r.expectedAlert)
            .map((r) => `${r.origin}>${r.middle}>${r.destination}@${r.firstTime}@${r.secondTime}`),
        ),
      ).toEqual(layeringChains(other.transfers));
      expect(
        new Set(t.blocklist.filter((r) => r.expectedAlert).map((r) => `${r.sender}>${r.receiver}@${r.time}`)),
      ).toEqual(blocklistHits(other.transfers, other.g.reference!));
    }
  });

  it('is deterministic by seed, and background amounts stay below 10 000', () => {
    const again = run(OPTIONS);
    expect(again.transfers).toEqual(transfers);
    expect(again.g.patternTruth()).toEqual(truth);
    expect(accountVersionsCsv(again.g.reference!)).toBe(accountVersionsCsv(ref));
    const planted = new Set([...truth.rapidCashout.flatMap((r) => [r.depositTime, r.cashoutTime])]);
    expect(transfers.filter((t) => t.amount >= 10_000 && !planted.has(t.ts))).toHaveLength(0);
    const other = run({ ...OPTIONS, seed: 4 });
    expect(other.g.patternTruth()).not.toEqual(truth);
  });

  it('writes reference data: accounts, versions whose tiers change during the run, a blocklist', () => {
    const first = transfers[0]!.ts;
    const last = transfers[transfers.length - 1]!.ts;
    const accounts = accountsCsv(ref).trim().split('\n');
    expect(accounts).toHaveLength(400);
    expect(accounts[7]).toMatch(
      /^7,[A-Z][a-z]+ [A-Z][a-z]+,[A-Z]{2},(low|medium|high),\d{4}-\d{2}-\d{2} 00:00:00$/,
    );

    const versions = accountVersionsCsv(ref)
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const times = versions.map((v) => Date.parse(v[0]!.replace(' ', 'T') + 'Z'));
    expect(times).toEqual([...times].sort((a, b) => a - b)); // ascending: none is late for the watermark
    const changes = versions.filter((_, i) => times[i]! >= first);
    expect(changes.length).toBeGreaterThanOrEqual(8); // 2 % of 400, and the senders of even laundering cases
    for (const c of changes) {
      expect(Date.parse(c[0]!.replace(' ', 'T') + 'Z')).toBeLessThanOrEqual(last);
      const before = ref.versionAt(Number(c[1]), Date.parse(c[0]!.replace(' ', 'T') + 'Z') - 1)!;
      expect(before.riskTier).not.toBe(c[4]); // a change of tier, same owner
      expect(before.owner).toBe(c[2]);
    }
    // accounts.csv holds each account's latest version.
    const changed = changes[changes.length - 1]!;
    expect(accounts[Number(changed[1])]).toBe(changed.slice(1).join(','));

    const blocklist = blocklistCsv(ref).trim().split('\n');
    const listed = ref.blocklist.map((b) => b.listedAt);
    expect(listed).toEqual([...listed].sort((a, b) => a - b)); // ascending too
    expect(blocklist).toHaveLength(3); // 400 accounts: at least 3
    expect(ref.blocklist.filter((b) => b.listedAt > first && b.listedAt < last)).toHaveLength(1);
    expect(blocklist[0]).toMatch(/^\d+,[a-z ]+,\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('refuses planting it cannot do', () => {
    expect(
      () => new TransactionGenerator(defaultGeneratorOptions({ count: 10_000, plantCashout: 3 })),
    ).toThrow(
      /cannot plant rapid cash-out case 1 \(rapid-cashout\): it needs 120 minutes of event time and the run covers only 999 s/,
    );
    expect(
      () =>
        new TransactionGenerator(defaultGeneratorOptions({ count: 100_000, accounts: 12, plantLayering: 6 })),
    ).toThrow(/12 accounts are too few; use more --accounts/);
    expect(
      () =>
        new TransactionGenerator(defaultGeneratorOptions({ count: 100_000, accounts: 8, plantBlocklist: 2 })),
    ).toThrow(/there is no blocklist; use --accounts 10 or more/);
    expect(
      () => new TransactionGenerator(defaultGeneratorOptions({ format: 'json', plantBlocklist: 2 })),
    ).toThrow(/planting needs a transfer format/);
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

function fakeIO(cwd: string): GenerateIO & { err: Capture } {
  const err = new Capture();
  return {
    stdout: new Capture(),
    stderr: err,
    err,
    cwd,
    signal: new AbortController().signal,
    openTopic: () => Promise.reject(new Error('no topics here')),
  };
}

describe('fintrans-sql generate with patterns and reference data', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fintrans-gen-patterns-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the records, the pattern truth and the reference files', async () => {
    const io = fakeIO(dir);
    const argv = [
      '--count',
      '80000',
      '--accounts',
      '300',
      '--seed',
      '9',
      '--plant-cashout',
      '3',
      '--plant-layering',
      '3',
      '--plant-blocklist',
      '4',
      '--reference',
      'data',
      '--pattern-truth',
      'truth',
      '--out',
      'tx.csv',
    ];
    expect(await runGenerate(argv, io), io.err.text).toBe(0);
    const g = run({
      count: 80_000,
      accounts: 300,
      seed: 9,
      plantCashout: 3,
      plantLayering: 3,
      plantBlocklist: 4,
      reference: true,
      format: 'dcos',
    }).g;
    expect(await readFile(join(dir, 'data/accounts.csv'), 'utf8')).toBe(accountsCsv(g.reference!));
    expect(await readFile(join(dir, 'data/account_versions.csv'), 'utf8')).toBe(
      accountVersionsCsv(g.reference!),
    );
    expect(await readFile(join(dir, 'data/blocklist.csv'), 'utf8')).toBe(blocklistCsv(g.reference!));

    const cashout = (await readFile(join(dir, 'truth/rapid_cashout_truth.csv'), 'utf8')).trim().split('\n');
    expect(cashout[0]).toBe(
      'id,kind,account,deposit_from,deposit_time,deposit_amount,cashout_to,cashout_time,cashout_amount,expected_alert',
    );
    const t = g.patternTruth().rapidCashout[0]!;
    expect(cashout[1]).toBe(
      `${t.caseId},${t.kind},${t.account},${t.depositFrom},${formatTimestamp(t.depositTime)},${t.depositAmount},${t.cashoutTo},${formatTimestamp(t.cashoutTime)},${t.cashoutAmount},${t.expectedAlert}`,
    );
    expect((await readFile(join(dir, 'truth/layering_truth.csv'), 'utf8')).split('\n')[0]).toBe(
      'id,kind,origin,middle,destination,first_time,first_amount,second_time,second_amount,expected_alert',
    );
    const blocklist = (await readFile(join(dir, 'truth/blocklist_truth.csv'), 'utf8')).trim().split('\n');
    expect(blocklist).toHaveLength(5);
    expect(io.err.text).toMatch(
      /planted 10 pattern cases \(3 rapid cash-out, 3 layering, 4 blocklist; \d+ expected alerts\) → truth\/; reference data \(300 accounts, \d+ versions, 3 blocklisted\) → data\/\n$/,
    );
  });

  it.each([
    [
      ['--count', '10', '--format', 'json', '--plant-layering', '2'],
      /--plant-layering works with the transfer formats/,
    ],
    [['--rate', '10', '--plant-cashout', '2'], /--plant-cashout needs --count/],
    [['--count', '10', '--plant-blocklist', 'x'], /--plant-blocklist must be a whole number/],
    [['--count', '10', '--reference', ''], /--reference needs a value/],
  ])('rejects %j with exit code 2', async (argv, message) => {
    const io = fakeIO(dir);
    expect(await runGenerate(argv, io)).toBe(2);
    expect(io.err.text).toMatch(message);
  });
});
