// MATCH_RECOGNIZE state stays bounded by WITHIN and the watermark (issue 18): millions of rows go
// through the operator, planned from SQL, while the rows it holds (waiting for the watermark, and
// in partial matches' shared buffer) and the heap after a full GC are sampled: after the first
// WITHIN interval they stay flat however much more comes. A plain S{3} would otherwise keep the
// rows of every sender that never completes, a greedy A+ that rarely ends every partial match.
// Sizes: 10 M rows of card_testing's shape (most rows start nothing), 1 M of structuring's S{3}
// where every row starts a partial match, 500 k of a greedy A+ B where every row extends every
// open one; each test prints its rows, CPU and wall seconds (the last two shapes run at tens of
// thousands of rows a second of CPU: 10 M of them would take minutes).

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Operator } from '../../engine/exec/operator.js';
import type { MatchRecognizeNode, PlanNode } from '../../engine/plan/logical.js';
import { planJob } from '../../engine/plan/planner.js';
import { matchRecognizeOperator } from '../../engine/runtime/build-match-recognize.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type { Row } from '../../engine/types.js';
import { mulberry32 } from '../prng.js';

class Count implements Operator {
  rows = 0;
  process(): void {
    this.rows++;
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapMb = (): number => {
  gc();
  return process.memoryUsage().heapUsed / 1e6;
};

const TABLE = `CREATE TABLE t (ts TIMESTAMP(3), account INT, price INT, tag STRING, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
`;

function planMatch(inside: string): MatchRecognizeNode {
  const sql = `${TABLE}SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY account ORDER BY ts ${inside}) AS m;`;
  let node: PlanNode | undefined = planJob(parseSqlFile(sql, 'job.sql'), 'job.sql').pipelines[0]!.root;
  while (node && node.kind !== 'match-recognize') node = node.inputs[0];
  if (!node) throw new Error('no match-recognize node');
  return node;
}

const STEP_MS = 100; // 10 rows a second of event time
const DELAY_MS = 5000;

/** Feeds `total` rows (accounts 0..accounts-1, price from `price`), sampling held rows and heap every `every` rows. */
async function run(
  inside: string,
  total: number,
  accounts: number,
  price: (r: () => number) => number,
  every: number,
) {
  const out = new Count();
  const op = matchRecognizeOperator(planMatch(inside), {
    output: out,
    late: () => () => {},
    stateful: () => {},
  });
  const random = mulberry32(11);
  const held: number[] = [];
  const heap: number[] = [];
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < total; i++) {
    const ts = i * STEP_MS;
    const row: Row = [ts, Math.floor(random() * accounts), price(random), 'x'];
    op.process(row);
    if (i % 100 === 0) op.onWatermark(ts - DELAY_MS);
    if (i % every === every - 1) {
      held.push(op.rowsHeld);
      heap.push(heapMb());
      // Let the test runner's worker answer its messages during the long loop.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${total} rows: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${((performance.now() - wall0) / 1000).toFixed(1)} s wall; rows held ${Math.min(...held.slice(1))}..${Math.max(...held.slice(1))}, heap ${heap[1]!.toFixed(0)} -> ${heap[heap.length - 1]!.toFixed(0)} MB`,
  );
  return { held, heap, matches: out.rows, partitions: op.partitionCount };
}

describe('MATCH_RECOGNIZE state is bounded by WITHIN', () => {
  it("card_testing's T{3,} L within 30 minutes over 10 million rows holds 30 minutes of tests", async () => {
    // 1 000 cards, 10 rows a second: a card pays every 100 s. One payment in 20 is a test (under
    // 5), one in 10 large: runs of three tests are rare, so most rows start nothing and go straight
    // through; the tests are held until they are 30 minutes old or a large payment ends them.
    const { held, heap, matches, partitions } = await run(
      `MEASURES FIRST(T.ts) AS first_test, COUNT(T.price) AS tests, L.ts AS large_time
       ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
       PATTERN (T{3,} L) WITHIN INTERVAL '30' MINUTE DEFINE T AS T.price < 5, L AS L.price >= 90`,
      10_000_000, // 11.6 days of event time
      1000,
      (r) => Math.floor(r() * 100),
      500_000,
    );
    // A card holds its tests of the last 30 minutes (18 payments, ~1 test) and its rows of the 5 s
    // before the watermark: about a thousand rows, never growing with the days that pass.
    const later = held.slice(1);
    expect(Math.max(...later)).toBeLessThan(2000);
    expect(Math.min(...later)).toBeGreaterThan(20);
    expect(heap[heap.length - 1]! - heap[1]!).toBeLessThan(10);
    expect(partitions).toBeLessThanOrEqual(1000);
    expect(matches).toBeGreaterThan(50);
  }, 900_000);

  it("structuring's S{3} within an hour holds an hour of partial matches, however many rows pass", async () => {
    // 20 000 senders, 10 rows a second: a sender sends 1.8 rows an hour, so most partial matches
    // never complete, and without WITHIN every sender's last rows would stay for ever. An hour is
    // 36 000 rows; the ones still in partial matches (about half: the rest completed) stay flat.
    const { held, heap, matches, partitions } = await run(
      `MEASURES FIRST(S.ts) AS first_time ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
       PATTERN (S{3}) WITHIN INTERVAL '1' HOUR DEFINE S AS S.price >= 0`,
      1_000_000, // 28 hours of event time
      20_000,
      (r) => Math.floor(r() * 100),
      100_000,
    );
    const later = held.slice(1);
    expect(Math.max(...later)).toBeLessThan(36_000);
    expect(Math.min(...later)).toBeGreaterThan(10_000);
    expect(Math.max(...later) / Math.min(...later)).toBeLessThan(1.1);
    expect(heap[heap.length - 1]! - heap[1]!).toBeLessThan(15);
    expect(partitions).toBeLessThan(20_000);
    expect(matches).toBeGreaterThan(10_000);
  }, 900_000);

  it('a greedy A+ B within 10 minutes (B one row in a hundred) holds about 10 minutes of rows', async () => {
    const { held, matches } = await run(
      `MEASURES FIRST(A.ts) AS first_a, COUNT(A.price) AS n ONE ROW PER MATCH AFTER MATCH SKIP PAST LAST ROW
       PATTERN (A+ B) WITHIN INTERVAL '10' MINUTE DEFINE A AS A.price < 99, B AS B.price >= 99`,
      500_000, // 14 hours of event time
      1000,
      (r) => Math.floor(r() * 100),
      50_000,
    );
    // 10 minutes are 6 000 rows (plus the 5 s waiting for the watermark), each held once in the shared buffer.
    const later = held.slice(1);
    expect(Math.max(...later)).toBeLessThan(7_000);
    expect(Math.min(...later)).toBeGreaterThan(5_000);
    expect(matches).toBeGreaterThan(2500);
  }, 900_000);
});
