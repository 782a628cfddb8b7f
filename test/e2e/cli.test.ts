// The fintrans-sql commands from the outside: help, usage errors, validate, explain, generate ->
// embedded topic -> run -> tail across separate processes, and the README's demo command.

import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

function workdir(withJobs = false): string {
  const dir = mkdtempSync(join(tmpdir(), 'fintrans-cli-'));
  if (withJobs) cpSync(join(ROOT, 'jobs'), join(dir, 'jobs'), { recursive: true });
  return dir;
}

describe('help and usage errors', () => {
  it('prints the command list without arguments (exit 2) and with --help (exit 0)', () => {
    const none = runCli([], ROOT);
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('Commands:');
    const help = runCli(['--help'], ROOT);
    expect(help.code).toBe(0);
    for (const c of ['run', 'validate', 'explain', 'generate', 'tail', 'demo'])
      expect(help.stdout).toContain(`  ${c}`);
  });

  for (const cmd of ['run', 'validate', 'explain', 'generate', 'tail', 'demo']) {
    it(`${cmd} --help shows usage with an example`, () => {
      const r = runCli([cmd, '--help'], ROOT);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: fintrans-sql /);
      expect(r.stdout).toContain(`fintrans-sql ${cmd}`);
    });
  }

  it('rejects an unknown command', () => {
    const r = runCli(['runn'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'runn'");
  });

  it('rejects an unknown flag with a pointer to --help', () => {
    const r = runCli(['run', 'jobs/laundering.sql', '--form-beginning'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("run: unknown option '--form-beginning'");
    expect(r.stderr).toContain("see 'fintrans-sql run --help'");
  });

  it('rejects bad flag values', () => {
    expect(runCli(['run', 'jobs/laundering.sql', '--until-idle', 'soon'], ROOT).stderr).toContain(
      "run: --until-idle needs a duration like 5s, 500ms or 2min, got 'soon'",
    );
    expect(runCli(['run', 'jobs/laundering.sql', '--set', 'nokey'], ROOT).stderr).toContain(
      "run: --set needs key=value, got 'nokey'",
    );
    expect(runCli(['run', 'jobs/laundering.sql', '--brokers', 'nope'], ROOT).stderr).toContain(
      'run: --brokers needs host:port',
    );
    const g = runCli(['generate', '--count', '-5'], ROOT);
    expect(g.code).toBe(2);
  });

  it('reports a missing job file without a stack trace', () => {
    const r = runCli(['run', 'jobs/nope.sql'], ROOT);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: no such file or directory: jobs/nope.sql\n');
  });
});

describe('validate and explain', () => {
  // validate reads the first record of each input (issue 21), so the ready jobs are validated on
  // the data they document: the demo's (transactions + reference files), the JSON and city topics.
  it('validates every ready job on its data; before the data, file inputs fail with the command that makes them', () => {
    const dir = workdir(true);
    const before = runCli(['validate', 'jobs'], dir);
    expect(before.code).toBe(1);
    // Missing reference files are errors naming the demo; empty topics are not (a job may start
    // before its producer), but validate says their patterns were not tried.
    expect(before.stderr).toContain(
      "error: jobs/blocklist.sql:51:3: option 'path' of table 'blocklist': input 'data/blocklist.csv' does not exist",
    );
    expect(before.stderr).toContain('hint: `npm run demo` writes it');
    expect(before.stderr).toContain(
      "table 'account_versions': input 'data/account_versions.csv' does not exist",
    );
    expect(before.stdout).toContain(
      "ok  jobs/laundering.sql\n    note: table 'transactions': topic 'transactions' has no records yet",
    );
    expect(before.stderr.match(/^error: /gm)).toHaveLength(2);

    const gen = (args: string[]) => {
      const r = runCli(['generate', '--count', '500', ...args], dir);
      expect(r.code, r.stderr).toBe(0);
    };
    gen(['--reference', 'data', '--to', 'transactions']);
    gen(['--format', 'json', '--to', 'transactions-data']);
    gen(['--format', 'fintrans', '--to', 'cities']);
    const r = runCli(['validate', 'jobs'], dir);
    const all = readdirSync(join(ROOT, 'jobs')).filter((f) => f.endsWith('.sql'));
    for (const j of all.filter((f) => f !== 'laundering_sliding.sql'))
      expect(r.stdout, r.stderr).toContain(`ok  jobs/${j}\n`);
    expect(r.stdout).not.toContain('note:');
    // laundering_sliding reads RFC 3339 times (its header says so), not the demo's RFC 850 ones:
    // the one error, naming the pattern that reads the demo's records.
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: jobs/laundering_sliding.sql:22:3: column 'ts': TO_TIMESTAMP(tx_time, 'yyyy-MM-dd''T''HH:mm:ssX') does not read tx_time = 'Sunday, 23-Jul-17 00:00:00 UTC' of the first record (table 'transactions', transactions/0@0): ts would be NULL and the job would stop at that record\n" +
        "  hint: the pattern 'EEEE, dd-MMM-yy HH:mm:ss z' reads it: write TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z')\n",
    );

    // On the records it documents it validates.
    const own = workdir(true);
    const g = runCli(['generate', '--format', 'dcos-rfc3339', '--count', '500', '--to', 'transactions'], own);
    expect(g.code, g.stderr).toBe(0);
    const sliding = runCli(['validate', 'jobs/laundering_sliding.sql'], own);
    expect(sliding.code, sliding.stderr).toBe(0);
    expect(sliding.stdout).toBe('ok  jobs/laundering_sliding.sql\n');
  }, 180_000);

  it('run names the pattern behind a NULL time attribute, and one that reads the record', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'tx.csv'), '2017-07-23T01:06:47Z;66;26;7810\n');
    writeFileSync(
      join(dir, 'job.sql'),
      `CREATE TABLE t (tx_time STRING, sender BIGINT, receiver BIGINT, amount BIGINT,
  ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'), WATERMARK FOR ts AS ts)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE o (sender BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o.csv', 'format' = 'csv');
INSERT INTO o SELECT sender, amount FROM t;
`,
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "error: bad record in table 't' at tx.csv:1: the time attribute 'ts' is NULL: TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z') does not read tx_time = '2017-07-23T01:06:47Z' (the pattern 'yyyy-MM-dd''T''HH:mm:ssX' reads it: write TO_TIMESTAMP(tx_time, 'yyyy-MM-dd''T''HH:mm:ssX'))\n",
    );
  });

  it("run's summary ends with the elapsed time and records/s", () => {
    const dir = workdir();
    writeFileSync(join(dir, 'tx.csv'), '1;2;300\n1;2;450\n3;4;5\n');
    writeFileSync(
      join(dir, 'job.sql'),
      `CREATE TABLE t (sender INT, receiver INT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE o (sender INT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o.csv', 'format' = 'csv');
INSERT INTO o SELECT sender, amount FROM t;
`,
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /\njob\.sql: wrote 3 rows → o\.csv\njob\.sql: done in \d+\.\d s, 3 records read \(\d+ records\/s\)\n$/,
    );
  });

  it('explains the main job in words', () => {
    const r = runCli(['explain', 'jobs/laundering.sql'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Source: table 'transactions' (connector 'kafka', format 'csv')");
    expect(r.stdout).toContain('watermark: ts - 5000 ms');
    expect(r.stdout).toContain('Window aggregate: TUMBLE on ts, size 10 min, group by sender, receiver');
    expect(r.stdout).toContain("Sink: table 'laundering_alerts' (connector 'filesystem', format 'csv')");
    // Computed columns are shown as written, not by the planner's internal names (agg$0, w0$o0).
    expect(r.stdout).toContain('Filter: (SUM(amount) > 10000)');
    expect(r.stdout).not.toMatch(/agg\$\d|w0\$o\d/);
  });

  it('shows window functions as written', () => {
    const r = runCli(['explain', 'jobs/top_senders.sql'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('SUM(amount) AS total, COUNT(*) AS transfers');
    expect(r.stdout).toContain('ROW_NUMBER() AS rn');
  });
});

describe('print sink, bare SELECT and EXPLAIN statements', () => {
  it('prints rows like Flink (+I[...], and -U/+U for updates) and EXPLAIN statements print their plan', () => {
    const dir = workdir();
    writeFileSync(join(dir, 'tx.csv'), '1;2;300\n1;2;450\n3;4;5\n');
    writeFileSync(
      join(dir, 'job.sql'),
      `CREATE TABLE t (sender INT, receiver INT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE TABLE sums (sender INT, total BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'alerts');
EXPLAIN INSERT INTO sums SELECT sender, SUM(amount) FROM t GROUP BY sender;
INSERT INTO sums SELECT sender, SUM(amount) FROM t GROUP BY sender;
SELECT receiver, amount * 2 AS doubled FROM t WHERE amount > 100;`,
    );
    const r = runCli(['run', 'job.sql', '--quiet'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Source: table 't' (connector 'filesystem', format 'csv')");
    expect(r.stdout).toContain('Running aggregate (no window): group by sender; computes SUM(amount)');
    const rows = r.stdout.split('\n').filter((l) => /[+-][IUD]\[/.test(l));
    expect(rows.sort()).toEqual(
      [
        '+I[2, 600]',
        '+I[2, 900]',
        'alerts> +I[1, 300]',
        'alerts> -U[1, 300]',
        'alerts> +U[1, 750]',
        'alerts> +I[3, 5]',
      ].sort(),
    );
  });
});

describe('generate, run and tail through the embedded topic store', () => {
  it('moves records between separate processes: generate -> job -> fraud topic -> tail', () => {
    const dir = workdir(true);
    const gen = runCli(
      [
        'generate',
        '--format',
        'dcos-rfc3339',
        '--count',
        '20000',
        '--plant',
        '6',
        '--truth',
        'truth.csv',
        '--to',
        'transactions',
      ],
      dir,
    );
    expect(gen.code, gen.stderr).toBe(0);
    const run = runCli(
      ['run', 'jobs/laundering_sliding.sql', '--from-beginning', '--until-idle', '300ms', '--quiet'],
      dir,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("read 20000 records from 'transactions'");
    const tail = runCli(['tail', 'fraud', '--prefix', 'Detected Fraud: '], dir);
    expect(tail.code, tail.stderr).toBe(0);
    const alerts = tail.stdout.split('\n').filter((l) => l.length > 0);
    expect(alerts.length).toBeGreaterThan(0);
    for (const a of alerts)
      expect(a).toMatch(
        /^Detected Fraud: TransactionAggregate \{startTimestamp=2017-07-23 .*, totalAmount=\d+: Transaction\{timestamp=/,
      );
    // Every planted case that must alert in its tumbling window also alerts in some sliding window
    // covering the same transfers (HOP windows of 10 min every 2 min include the tumbling one).
    const truth = readFileSync(join(dir, 'truth.csv'), 'utf8')
      .split('\n')
      .slice(1)
      .filter(Boolean)
      .map((l) => l.split(','));
    for (const [, , sender, receiver, , , , , expected] of truth) {
      if (expected !== 'true') continue;
      expect(
        alerts.some((a) => a.includes(`origin=${sender}, target='${receiver}'`)),
        `${sender}->${receiver}`,
      ).toBe(true);
    }
    // A second run in the same consumer group finds nothing new.
    const again = runCli(['run', 'jobs/laundering_sliding.sql', '--until-idle', '300ms', '--quiet'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("read 0 records from 'transactions'");
  });

  it('tail names the existing topics when the topic does not exist', () => {
    const dir = workdir();
    runCli(['generate', '--count', '10', '--to', 'transactions'], dir);
    const r = runCli(['tail', 'frud'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("topic 'frud' does not exist in the embedded store (topics: transactions)");
  });

  it('reads the five fintrans city topics with the topic as a metadata column', () => {
    const dir = workdir(true);
    expect(runCli(['generate', '--format', 'fintrans', '--count', '30000', '--to', 'cities'], dir).code).toBe(
      0,
    );
    const r = runCli(
      ['run', 'jobs/city_volume.sql', '--from-beginning', '--until-idle', '300ms', '--quiet'],
      dir,
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = readFileSync(join(dir, 'output/city_volume.csv'), 'utf8').split('\n').filter(Boolean);
    expect(rows[0]).toBe('city,window_start,window_end,transfers,total,average');
    const cities = new Set(rows.slice(1).map((l) => l.split(',')[0]));
    expect([...cities].sort()).toEqual(['London', 'Moscow', 'NYC', 'SF', 'Tokyo']);
    const transfers = rows.slice(1).reduce((n, l) => n + Number(l.split(',')[3]), 0);
    expect(transfers).toBe(30000);
  });
});

describe('the README demo command', () => {
  it('finds every planted case and no decoy, leaving output/laundering.csv', () => {
    const dir = workdir(true);
    const r = runCli(['demo', '--count', '100000', '--plant', '12'], dir);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(
      'Planted laundering cases found: 12/12 (recall 100 %); decoys reported: 0/4; other alerts: 0.',
    );
    // The join jobs, 30 cases of each pattern by default (a third of them decoys, half for the blocklist).
    expect(r.stdout).toContain(
      'Planted rapid cash-outs found: 10/10 (recall 100 %); decoys reported: 0/20; other alerts: 0.',
    );
    expect(r.stdout).toContain(
      'Planted layering chains found: 10/10 (recall 100 %); decoys reported: 0/20; other alerts: 0.',
    );
    expect(r.stdout).toContain(
      'Planted transfers to blocklisted accounts found: 15/15 (recall 100 %); decoys reported: 0/15; other alerts: 0.',
    );
    expect(r.stdout).toMatch(
      /Enriched laundering alerts: (\d+)\/\1 with both accounts' owner, country and risk tier as of the window's end \([1-9]\d* of them after a change of tier during the run\); same alerts as laundering\.sql: yes\./,
    );
    const csv = readFileSync(join(dir, 'output/laundering.csv'), 'utf8').split('\n').filter(Boolean);
    expect(csv[0]).toBe('sender,receiver,window_start,window_end,total,transfers,amounts');
    // The 12 cases' windows, and those of the join patterns' single transfers over 10 000 (the truth lists both).
    const truth = readFileSync(join(dir, 'output/truth.csv'), 'utf8')
      .split('\n')
      .filter((l) => l.endsWith(',true'));
    expect(truth.filter((l) => /^\d+,(laundering|straddling),/.test(l))).toHaveLength(12);
    expect(csv.length - 1).toBe(truth.length);
  });

  it('fails when a planted case is missing from the alerts', () => {
    const dir = workdir(true);
    // Raise the job's threshold: planted cases just above 10000 are no longer reported.
    const job = join(dir, 'jobs/laundering.sql');
    writeFileSync(
      job,
      readFileSync(job, 'utf8').replace('HAVING SUM(amount) > 10000', 'HAVING SUM(amount) > 20000'),
    );
    const r = runCli(['demo', '--count', '100000', '--plant', '12'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('missed:');
  });
});
