// Issue 21: every line of a README code block that calls fintrans-sql works as written, on a fresh
// copy of jobs/ in a temp directory, with `fintrans-sql` on the PATH as command 1's `npm link` puts
// it (a link to this checkout's dist/). Lines that need a broker run against the test Kafka rig
// (localhost:9092 becomes the rig's port). A line that cannot run in a test is listed below with
// the reason; a README line this test does not know fails it, and so does a listed line that left
// the README. The search-node lines run in readme-commands-search.test.ts. Also: .ci/run runs exactly the README's two commands.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { ROOT } from './cli.js';
import { kafkaForTests, type KafkaRig } from '../rig/kafka.js';
import { SEARCH_LINES, cleanUp, sh, shInBackground, workspace } from './readme-lines.js';

afterAll(cleanUp);

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** Every code-block line that runs fintrans-sql: `$ ` and `VAR=value ` prefixes kept, comments cut. */
function readmeCommandLines(): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const raw of README.split('\n')) {
    if (raw.startsWith('```')) {
      inBlock = !inBlock;
      continue;
    }
    if (!inBlock) continue;
    const line = raw.replace(/\s+#(?!\S*').*$/, '').trim();
    if (/^(\$ )?([A-Z_]+=\S+ )*fintrans-sql\b/.test(line)) out.push(line);
  }
  return out;
}

/** Synopsis lines of the CLI section (placeholders, optional parts): each flag they show must be in that command's --help. */
const SYNOPSIS = /^fintrans-sql (\w+) .*[<[]/;

const EMBEDDED_SAVEPOINT = [
  'fintrans-sql run jobs/laundering.sql &',
  'fintrans-sql stop jobs/laundering.sql --savepoint savepoints/',
  'fintrans-sql run jobs/laundering.sql --from-savepoint savepoints/savepoint-laundering-<time>',
];
const KAFKA = [
  'fintrans-sql generate --format dcos-rfc3339 --count 100000 --plant 10 --to transactions --brokers localhost:9092',
  'fintrans-sql run jobs/laundering_sliding.sql --brokers localhost:9092 --from-beginning --until-idle 5s',
  "fintrans-sql tail fraud --brokers localhost:9092 --prefix 'Detected Fraud: '",
];
const NOT_RUN: Record<string, string> = {
  '$ fintrans-sql run bands.sql':
    "an illustration: bands.sql is the section's example query, not a file; test/e2e/upsert-sinks.test.ts runs that job",
  'fintrans-sql up': 'runs until Ctrl-C: test/e2e/up-after-demo.test.ts runs it on jobs/ after the demo',
  'fintrans-sql up my_jobs/ --port 9000 --brokers localhost:9092':
    'runs until Ctrl-C, on a directory of your own: test/manager/ runs up with --port and brokers',
};

async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`waited ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('README command lines', () => {
  it('every fintrans-sql line is run below or listed with the reason it is not', () => {
    const known = new Set([...EMBEDDED_SAVEPOINT, ...KAFKA, ...SEARCH_LINES, ...Object.keys(NOT_RUN)]);
    const lines = readmeCommandLines();
    const unknown = lines.filter((l) => !known.has(l) && !SYNOPSIS.test(l));
    expect(
      unknown,
      'README lines this test neither runs nor lists: run them here or give the reason',
    ).toEqual([]);
    const gone = [...known].filter((l) => !lines.includes(l));
    expect(gone, 'lines listed here that are no longer in the README').toEqual([]);
  });

  it('.ci/run runs exactly the README commands 1 and 2', () => {
    const block = /^```sh\n([^\n]*)\n([^\n]*)\n```/m.exec(README)!;
    const [one, two] = [block[1]!, block[2]!].map((l) => l.replace(/\s+#.*$/, '').trim());
    expect(one).toBe('npm install && npm link --ignore-scripts && npm run demo');
    expect(two).toBe('npm test');
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    expect(ci).toContain(one);
    expect(ci).toContain(two);
  });

  it("the CLI synopsis shows only flags each command's --help knows", async () => {
    const ws = workspace();
    const synopsis = readmeCommandLines().filter((l) => SYNOPSIS.test(l));
    expect(synopsis.length).toBeGreaterThanOrEqual(8);
    // A continuation line (`[--fresh] ...` under `run`) belongs to the command above it.
    const section = README.slice(README.indexOf('## The CLI'), README.indexOf('Every command has `--help`'));
    const byCommand = new Map<string, string>();
    let current = '';
    for (const line of section.split('\n')) {
      const m = /^fintrans-sql (\w+) /.exec(line);
      if (m) current = m[1]!;
      if (current && /^\s*(fintrans-sql|\[)/.test(line))
        byCommand.set(current, (byCommand.get(current) ?? '') + ' ' + line);
    }
    for (const [command, text] of byCommand) {
      const help = await sh(`fintrans-sql ${command} --help`, ws);
      expect(help.code, help.out).toBe(0);
      for (const flag of text.match(/--[a-z][a-z-]*/g) ?? [])
        expect(help.out, `${command}: ${flag}`).toContain(flag);
    }
  });

  it('savepoints: run in the background, stop with a savepoint, run from it', async () => {
    const ws = workspace();
    const setup = await sh('fintrans-sql generate --count 20000 --plant 2 --to transactions', ws);
    expect(setup.code, setup.out).toBe(0);
    const first = shInBackground(EMBEDDED_SAVEPOINT[0]!.replace(/ &$/, ''), ws);
    await until(() => /started|reads from|records/.test(first.output()), 30_000, first.output);
    const stop = await sh(EMBEDDED_SAVEPOINT[1]!, ws);
    expect(stop.code, stop.out).toBe(0);
    expect(await first.exited, first.output()).toBe(130); // stopped, not finished: as the CLI section says
    const savepoint = /savepoints\/savepoint-laundering-\S+/.exec(stop.out)?.[0];
    expect(savepoint, stop.out).toBeDefined();
    const resumed = shInBackground(
      EMBEDDED_SAVEPOINT[2]!.replace('savepoints/savepoint-laundering-<time>', savepoint!),
      ws,
    );
    await until(() => /savepoint/.test(resumed.output()), 30_000, resumed.output);
    const stopAgain = await sh('fintrans-sql stop jobs/laundering.sql', ws);
    expect(stopAgain.code, stopAgain.out).toBe(0);
    expect(await resumed.exited, resumed.output()).toBe(130);
  }, 90_000);
});

describe('README command lines against a Kafka broker', () => {
  let rig: KafkaRig | null = null;
  beforeAll(async () => {
    rig = await kafkaForTests();
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('generate, run and tail with --brokers', async (ctx: TestContext) => {
    if (!rig) ctx.skip();
    const ws = workspace();
    for (const line of KAFKA) {
      const r = await sh(line.replaceAll('localhost:9092', rig!.bootstrap), ws);
      expect(r.code, r.out).toBe(0);
    }
    // tail printed the sliding job's alerts (the last line's output).
    const tail = await sh(KAFKA[2]!.replaceAll('localhost:9092', rig!.bootstrap), ws);
    expect(tail.out).toMatch(/Detected Fraud: TransactionAggregate \{/);
  }, 120_000);
});
