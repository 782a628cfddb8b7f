// MATCH_RECOGNIZE (issue 18) on its own: the front pass and Flink's refusals, and the operator
// planned from SQL: rows held until the watermark, late rows dropped, each skip strategy, WITHIN
// dropping old candidates (and the state they held), and a checkpoint taken after every step and
// restored into a new operator giving the same output as the run that never stopped.

import { describe, expect, it } from 'vitest';
import { SqlError } from '../../engine/errors.js';
import type { MatchRecognizeNode, PlanNode } from '../../engine/plan/logical.js';
import { planJob } from '../../engine/plan/planner.js';
import { matchRecognizeOperator } from '../../engine/runtime/build-match-recognize.js';
import type { MatchRecognizeOperator } from '../../engine/exec/match-recognize.js';
import type { Operator } from '../../engine/exec/operator.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { INSERT, type Row, type RowKind } from '../../engine/types.js';

const TABLE = `CREATE TABLE t (ts TIMESTAMP(3), account INT, price INT, tag STRING, WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
`;

function planMatch(query: string): MatchRecognizeNode {
  const plan = planJob(parseSqlFile(TABLE + query, 'job.sql'), 'job.sql');
  let node: PlanNode | undefined = plan.pipelines[0]!.root;
  while (node && node.kind !== 'match-recognize') node = node.inputs[0];
  if (!node) throw new Error('no match-recognize node');
  return node;
}

function planError(query: string): string {
  try {
    planMatch(query);
  } catch (e) {
    if (e instanceof SqlError) return `${e.pos?.line}:${e.pos?.col} ${e.problem}`;
    throw e;
  }
  throw new Error('planned without error');
}

const match = (inside: string): string =>
  `SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY account ORDER BY ts ${inside}) AS m;`;

class Collect implements Operator {
  readonly out: string[] = [];
  process(row: Row, kind: RowKind): void {
    expect(kind).toBe(INSERT);
    this.out.push(JSON.stringify(row));
  }
  onWatermark(): void {}
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
}

type Step = { row: Row } | { wm: number };

function build(node: MatchRecognizeNode, out: Operator, late: Row[] = []): MatchRecognizeOperator {
  return matchRecognizeOperator(node, { output: out, late: () => (r) => late.push(r), stateful: () => {} });
}

function feed(op: Operator, steps: readonly Step[]): void {
  for (const s of steps) {
    if ('wm' in s) op.onWatermark(s.wm);
    else op.process(s.row, INSERT);
  }
}

/** The output through one operator, and through one stopped after each step and restored from its JSON checkpoint: equal. */
function checkRestore(node: MatchRecognizeNode, steps: readonly Step[]): string[] {
  const whole = new Collect();
  feed(build(node, whole), steps);
  for (let cut = 1; cut < steps.length; cut++) {
    const out = new Collect();
    const first = build(node, out);
    feed(first, steps.slice(0, cut));
    const state = JSON.parse(JSON.stringify(first.snapshot()));
    const second = build(node, out);
    second.restore(state);
    feed(second, steps.slice(cut));
    expect(out.out, `restored after step ${cut}`).toEqual(whole.out);
  }
  return whole.out;
}

const r = (s: number, account: number, price: number): Step => ({ row: [s * 1000, account, price, null] });

describe('MATCH_RECOGNIZE front pass and refusals', () => {
  it('parses every clause and keeps the FROM item and the alias', () => {
    const node = planMatch(
      `SELECT m.account, m.p FROM t MATCH_RECOGNIZE (PARTITION BY account ORDER BY ts, price DESC MEASURES FINAL LAST(A.price) AS p ONE ROW PER MATCH
       AFTER MATCH SKIP TO LAST B PATTERN (A B{2,3}? C*? D) WITHIN INTERVAL '10' MINUTE DEFINE A AS price > 1, D AS D.price > A.price) m WHERE m.p > 0;`,
    );
    expect(node.pattern.map((v) => [v.name, v.quantifier, v.from, v.to, v.optional, v.greedy])).toEqual([
      ['A', 'single', 1, 1, false, false],
      ['B', 'times', 2, 3, false, false],
      ['C', 'looping', 1, 1, true, false],
      ['D', 'single', 1, 1, false, false],
    ]);
    expect(node.after).toEqual({ kind: 'to-last', variable: 'B' });
    expect(node.withinMs).toBe(600_000);
    expect(node.schema.map((f) => f.name)).toEqual(['account', 'p']);
    expect(node.orderBy).toHaveLength(1);
  });

  it("refuses what Flink refuses, with Flink's reason, where it is written", () => {
    expect(planError(match('MEASURES A.price AS p PATTERN (A B+) DEFINE B AS B.price > 1'))).toMatch(
      /Greedy quantifiers are not allowed as the last element/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A*? B?) DEFINE A AS A.price > 0'))).toMatch(
      /empty matches are not supported/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A B?? C) DEFINE A AS A.price > 0'))).toMatch(
      /Reluctant optional variables are not supported yet/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A+ B? C) DEFINE A AS A.price > 0'))).toMatch(
      /Optional pattern cannot be preceded by greedy pattern/,
    );
    expect(
      planError(match('MEASURES A.price AS p ALL ROWS PER MATCH PATTERN (A B) DEFINE A AS A.price > 0')),
    ).toMatch(/All rows per match mode is not supported yet/);
    expect(
      planError(match('MEASURES A.price AS p PATTERN (A B) DEFINE B AS B.price < PREV(B.price)')),
    ).toMatch(/physical offsets within partition/);
    expect(planError(match('MEASURES PREV(A.price) AS p PATTERN (A B) DEFINE A AS A.price > 0'))).toMatch(
      /Cannot use PREV\/NEXT in MEASURE/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A | B) DEFINE A AS A.price > 0'))).toMatch(
      /^3:\d+ .*branching patterns/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN ((A B)+ C) DEFINE A AS A.price > 0'))).toMatch(
      /Group patterns are not supported yet/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A B{,2}? C) DEFINE A AS A.price > 0'))).toMatch(
      /The from should be a positive number greater than 0/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A A) DEFINE A AS A.price > 0'))).toMatch(
      /Pattern variables must be unique/,
    );
    expect(
      planError(match('MEASURES COUNT(DISTINCT A.price) AS p PATTERN (A B) DEFINE A AS A.price > 0')),
    ).toMatch(/distinct aggregations are not supported/);
    expect(planError(match('MEASURES Z.price AS p PATTERN (A B) DEFINE A AS A.price > 0'))).toMatch(
      /'Z' is not a pattern variable/,
    );
    expect(planError(match('MEASURES A.price AS p PATTERN (A B)'))).toMatch(/needs a DEFINE clause/);
    expect(
      planError(
        `SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY account ORDER BY price MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 0) m;`,
      ),
    ).toMatch(/rowtime or proctime for order by as the first one/);
    expect(
      planError(
        `SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY account ORDER BY ts DESC MEASURES A.price AS p PATTERN (A B) DEFINE A AS A.price > 0) m;`,
      ),
    ).toMatch(/must be ascending on time/);
    // The error points at the last variable's quantifier: line 2 of the query.
    expect(
      planError(
        `SELECT * FROM t MATCH_RECOGNIZE (PARTITION BY account ORDER BY ts MEASURES A.price AS p\n PATTERN (A B*) DEFINE B AS B.price > 1) m;`,
      ),
    ).toMatch(/^4:14 /);
  });
});

describe('MATCH_RECOGNIZE operator', () => {
  // V shape: a row, falling prices, a rising one; per account.
  const V = match(
    `MEASURES FIRST(A.price) AS top, LAST(B.price) AS bottom, C.price AS up, COUNT(B.price) AS downs, MATCH_ROWTIME() AS mt
     AFTER MATCH SKIP PAST LAST ROW PATTERN (A B+? C) DEFINE B AS B.price < LAST(price, 1), C AS C.price > LAST(price, 1)`,
  );

  it('holds rows until the watermark, orders them by time, drops late ones, and restores from any checkpoint', () => {
    const late: Row[] = [];
    const steps: Step[] = [
      r(3, 1, 8),
      r(1, 1, 10),
      r(2, 1, 9),
      r(1, 2, 5),
      r(4, 1, 12),
      { wm: 2500 },
      r(2, 1, 50),
      r(5, 2, 4),
      r(6, 2, 7),
      r(7, 1, 3),
      { wm: 10_000 },
      r(8, 1, 1),
      { wm: Infinity },
    ];
    const node = planMatch(V);
    const out = new Collect();
    feed(build(node, out, late), steps);
    // account 1: 10 (1s), 9 (2s), 8 (3s), 12 (4s); the 50 at 2 s came after the watermark 2.5 s.
    expect(out.out).toEqual([JSON.stringify([1, 10, 8, 12, 2, 4000]), JSON.stringify([2, 5, 4, 7, 1, 6000])]);
    expect(late).toEqual([
      [2000, 1, 50, null],
      [8000, 1, 1, null],
    ]);
    expect(checkRestore(node, steps)).toEqual(out.out);
  });

  it('skip strategies: past the last row, to the next row, to the last row of a variable', () => {
    const steps: Step[] = [
      r(1, 1, 10),
      r(2, 1, 9),
      r(3, 1, 8),
      r(4, 1, 11),
      r(5, 1, 7),
      r(6, 1, 12),
      { wm: Infinity },
    ];
    const run = (skip: string): number[][] => {
      const out = new Collect();
      feed(
        build(
          planMatch(
            match(
              `MEASURES FIRST(A.price) AS a, C.price AS c AFTER MATCH ${skip} PATTERN (A B+? C) DEFINE B AS B.price < A.price, C AS C.price > A.price`,
            ),
          ),
          out,
        ),
        steps,
      );
      return out.out.map((s) => (JSON.parse(s) as number[]).slice(1));
    };
    expect(run('SKIP PAST LAST ROW')).toEqual([[10, 11]]);
    // From 8 no B follows (11 is not below 8).
    expect(run('SKIP TO NEXT ROW')).toEqual([
      [10, 11],
      [9, 11],
      [11, 12],
    ]);
    expect(run('SKIP TO LAST B')).toEqual([
      [10, 11],
      [11, 12],
    ]);
  });

  it("SKIP TO LAST A stops the job when the next match would start at this one's first row, as Flink does", () => {
    const node = planMatch(
      match(`MEASURES C.price AS c AFTER MATCH SKIP TO LAST A PATTERN (A+? B C) DEFINE A AS A.price > 5`),
    );
    const op = build(node, new Collect());
    feed(op, [r(1, 1, 10), r(2, 1, 9), r(3, 1, 8)]);
    expect(() => op.onWatermark(Infinity)).toThrow(/Could not skip to first element of a match/);
  });

  it('WITHIN drops candidates that grew too old and frees their rows', () => {
    const node = planMatch(
      match(
        `MEASURES FIRST(A.price) AS a, LAST(C.price) AS c AFTER MATCH SKIP PAST LAST ROW PATTERN (A B*? C) WITHIN INTERVAL '5' SECOND DEFINE A AS A.price > 100, C AS C.price > 100`,
      ),
    );
    const steps: Step[] = [
      r(1, 1, 101),
      r(2, 1, 1),
      r(3, 1, 2),
      r(6, 1, 102),
      r(10, 1, 103),
      r(12, 1, 5),
      r(14, 1, 104),
      { wm: 20_000 },
      { wm: Infinity },
    ];
    const out = new Collect();
    const op = build(node, out);
    feed(op, steps.slice(0, -1));
    // 101 → 102 took 5 s: too late; 102 → 103 and (then) nothing else within 5 s of 104 alone.
    expect(out.out.map((s) => (JSON.parse(s) as number[]).slice(1))).toEqual([[102, 103]]);
    expect(op.rowsHeld).toBe(0);
    expect(op.partitionCount).toBe(0);
    expect(checkRestore(node, steps)).toEqual(out.out);
  });

  it('greedy and reluctant quantifiers take different rows', () => {
    const steps: Step[] = [r(1, 1, 30), r(2, 1, 10), r(3, 1, 12), r(4, 1, 14), r(5, 1, 16), { wm: Infinity }];
    const run = (q: string): number[][] => {
      const out = new Collect();
      feed(
        build(
          planMatch(
            match(
              `MEASURES COUNT(B.price) AS nb, C.price AS c AFTER MATCH SKIP PAST LAST ROW PATTERN (A B${q} C) DEFINE A AS A.price > 20, B AS B.price < 15, C AS C.price > 11`,
            ),
          ),
          out,
        ),
        steps,
      );
      return out.out.map((s) => (JSON.parse(s) as number[]).slice(1));
    };
    // The documentation's example: greedy B* swallows 10, 12, 14; reluctant B*? stops at 12.
    expect(run('*')).toEqual([[3, 16]]);
    expect(run('*?')).toEqual([[1, 12]]);
  });
});
