// The 'jdbc' upsert sink across crashes (issue 17): a job with checkpoints every 100 ms writes
// running aggregates into PostgreSQL tables with a PRIMARY KEY (one whose keys are deleted on the
// way), is killed with SIGKILL at random moments once rows arrived, and resumed each time; the
// rows written since the last checkpoint are written again, and since they are upserts by key the
// tables end exactly as after an uninterrupted run (exactly-once in effect, at-least-once on the wire).
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { killRepeatedly, mulberry32, TRANSACTIONS_COLUMNS } from '../crash-loop.js';
import { CLI, runCli } from '../e2e/cli.js';
import { postgresForTests, type PostgresRig } from '../rig/postgres.js';
import { rigOptions, withClause, workdir } from './helpers.js';

let rig: PostgresRig | null = null;

beforeAll(async () => {
  rig = await postgresForTests();
}, 300_000);

afterAll(async () => {
  await rig?.stop();
});

function needsDb(ctx: TestContext): void {
  if (!rig) ctx.skip();
}

/** Per sender a count, a DECIMAL and a BIGINT beyond 2^53; and senders per bucket of totals, whose buckets empty (-D) as totals grow. */
function job(suffix: string): string {
  const o = (table: string) =>
    withClause(rigOptions(rig!, { 'table-name': `${table}${suffix}`, 'sink.buffer-flush.max-rows': '200' }));
  return `SET 'execution.checkpointing.interval' = '100ms';
CREATE TABLE transactions (${TRANSACTIONS_COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv', 'csv.field-delimiter' = ';');
CREATE VIEW sender_totals AS SELECT sender, SUM(amount) AS total FROM transactions GROUP BY sender;
CREATE TABLE by_sender (sender BIGINT, n BIGINT, third DECIMAL(20, 2), big BIGINT, PRIMARY KEY (sender) NOT ENFORCED) WITH (
${o('by_sender')}
);
CREATE TABLE buckets (bucket BIGINT, senders BIGINT, PRIMARY KEY (bucket) NOT ENFORCED) WITH (
${o('buckets')}
);
INSERT INTO by_sender SELECT sender, COUNT(*), SUM(CAST(amount AS DECIMAL(20, 2))) / 3, SUM(amount) * 1000000000000 FROM transactions GROUP BY sender;
INSERT INTO buckets SELECT total / 20000, COUNT(*) FROM sender_totals GROUP BY total / 20000;
`;
}

async function createTables(suffix: string): Promise<void> {
  await rig!.query(
    `CREATE TABLE by_sender${suffix} (sender bigint PRIMARY KEY, n bigint, third numeric(20, 2), big bigint)`,
  );
  await rig!.query(`CREATE TABLE buckets${suffix} (bucket bigint PRIMARY KEY, senders bigint)`);
}

async function contents(suffix: string): Promise<{ bySender: string[]; buckets: string[] }> {
  const text = (rows: Record<string, unknown>[]) => rows.map((r) => Object.values(r).join('|'));
  return {
    bySender: text(
      await rig!.query(`SELECT sender, n, third::text, big::text FROM by_sender${suffix} ORDER BY sender`),
    ),
    buckets: text(await rig!.query(`SELECT bucket, senders FROM buckets${suffix} ORDER BY bucket`)),
  };
}

/** Runs the job and kills it (SIGKILL) `delayMs` after by_sender has rows; code null when killed, 0 when it finished first. */
function killAfterRowsArrive(dir: string, delayMs: number): Promise<{ code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', 'job.sql', '--quiet'], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FINTRANS_HOME: '' },
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let timer: NodeJS.Timeout | undefined;
    let exited = false;
    const poll = async (): Promise<void> => {
      while (!exited && timer === undefined) {
        const [{ n }] = (await rig!.query<{ n: string }>('SELECT count(*)::text AS n FROM by_sender')) as [
          { n: string },
        ];
        if (Number(n) > 0) timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
        else await new Promise((r) => setTimeout(r, 10));
      }
    };
    void poll();
    child.on('exit', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve({ code: null });
      else if (code === 0) resolve({ code: 0 });
      else reject(new Error(`job failed with code ${code}:\n${stderr}`));
    });
  });
}

describe('jdbc upsert sink after crashes and restarts', () => {
  it('5 SIGKILLs at random moments once rows arrived: the tables end exactly as after an uninterrupted run', async (ctx) => {
    needsDb(ctx);
    await createTables('');
    await createTables('_ref');
    const dir = workdir({ 'job.sql': job(''), 'ref.sql': job('_ref') });
    const generated = runCli(['generate', '--count', '100000', '--out', 'tx.csv'], dir);
    expect(generated.code, generated.stderr).toBe(0);
    const ref = runCli(['run', 'ref.sql', '--quiet'], dir);
    expect(ref.code, ref.stderr).toBe(0);
    const want = await contents('_ref');
    // The reference itself: the generator's 1000 senders, BIGINTs beyond 2^53, several buckets.
    expect(want.bySender).toHaveLength(1000);
    expect(want.bySender.some((r) => r.split('|')[3]!.length >= 17)).toBe(true);
    expect(want.buckets.length).toBeGreaterThan(2);

    const random = mulberry32(17);
    const kills = await killRepeatedly(5, async () => ({
      ...(await killAfterRowsArrive(dir, Math.floor(random() * 600))),
      wallMs: 0,
      stderr: '',
    }));
    expect(kills).toBe(5);
    const last = runCli(['run', 'job.sql'], dir);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stderr).toMatch(/job\.sql: resuming from checkpoint \d+/);
    expect(await contents('')).toEqual(want);
  }, 240_000);
});
