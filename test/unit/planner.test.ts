// The planner on its own: SQL text → the plan graph, checked node by node (shared nodes, changelog
// modes, join kinds, time attributes), without running anything.

import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../engine/sql/parse.js';
import { planJob } from '../../engine/plan/planner.js';
import { inputOf, type JobPlan, type PlanNode } from '../../engine/plan/logical.js';
import { SqlError } from '../../engine/errors.js';

const TABLES = `
CREATE TABLE tx (ts TIMESTAMP(3), sender BIGINT, receiver BIGINT, amount BIGINT, WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'tx.csv', 'format' = 'csv');
CREATE TABLE accounts (id BIGINT, owner STRING) WITH ('connector' = 'filesystem', 'path' = 'acc.csv', 'format' = 'csv');
CREATE TABLE out1 (a BIGINT, b BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o1.csv', 'format' = 'csv');
CREATE TABLE out2 (a BIGINT, b BIGINT) WITH ('connector' = 'filesystem', 'path' = 'o2.csv', 'format' = 'csv');
`;

function plan(sql: string): JobPlan {
  return planJob(parseSqlFile(TABLES + sql, 'job.sql'), 'job.sql');
}

function planError(sql: string): string {
  try {
    plan(sql);
  } catch (e) {
    if (e instanceof SqlError) return e.message;
    throw e;
  }
  throw new Error('planned without an error');
}

/** The node kinds from the root down the first input. */
function chain(node: PlanNode): string[] {
  const out: string[] = [];
  for (let n: PlanNode | undefined = node; n; n = n.inputs[0]) out.push(n.kind);
  return out;
}

function find(node: PlanNode, kind: PlanNode['kind']): PlanNode | undefined {
  if (node.kind === kind) return node;
  for (const i of node.inputs) {
    const f = find(i, kind);
    if (f) return f;
  }
  return undefined;
}

describe('the plan graph', () => {
  it('a table read by two INSERTs is one scan node', () => {
    const p = plan(
      `INSERT INTO out1 SELECT sender, amount FROM tx; INSERT INTO out2 SELECT receiver, amount FROM tx WHERE amount > 5;`,
    );
    expect(find(p.pipelines[0]!.root, 'scan')).toBe(find(p.pipelines[1]!.root, 'scan'));
  });

  it('a view used twice is planned once: both INSERTs read the same node', () => {
    const p = plan(`CREATE VIEW big AS SELECT sender, amount FROM tx WHERE amount > 100;
      INSERT INTO out1 SELECT * FROM big; INSERT INTO out2 SELECT sender, amount * 2 FROM big;`);
    const viewOf = (root: PlanNode): PlanNode => inputOf(root);
    expect(viewOf(p.pipelines[0]!.root)).toBe(viewOf(p.pipelines[1]!.root));
    expect(chain(p.pipelines[0]!.root)).toEqual(['project', 'project', 'filter', 'scan']);
  });

  it('a running GROUP BY is updating; a window aggregate is not', () => {
    const p = plan(`SET 'fintrans.sink.append-updates' = 'true';
      INSERT INTO out1 SELECT sender, SUM(amount) FROM tx GROUP BY sender;
      INSERT INTO out2 SELECT sender, SUM(amount) FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY sender, window_start, window_end;`);
    expect(p.pipelines[0]!.root.updating).toBe(true);
    expect(p.pipelines[1]!.root.updating).toBe(false);
  });

  it('window_time of a window aggregate is a time attribute; an expression over it is not', () => {
    const p = plan(`CREATE VIEW w AS SELECT sender, window_time AS rt, window_end AS we, SUM(amount) AS total
      FROM TABLE(TUMBLE(TABLE tx, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY sender, window_start, window_end, window_time;
      INSERT INTO out1 SELECT sender, total FROM w;`);
    const view = inputOf(p.pipelines[0]!.root);
    expect(view.schema.map((f) => [f.name, f.rowtime === true])).toEqual([
      ['sender', false],
      ['rt', true],
      ['we', false],
      ['total', false],
    ]);
  });

  it('UNION ALL flattens into one union node of its branches', () => {
    const p = plan(
      `INSERT INTO out1 SELECT sender, amount FROM tx UNION ALL SELECT receiver, amount FROM tx UNION ALL SELECT id, id FROM accounts;`,
    );
    const u = find(p.pipelines[0]!.root, 'union')!;
    expect(u.inputs).toHaveLength(3);
  });

  it('a join with both time bounds on the time attributes is an interval join, insert-only', () => {
    const p = plan(
      `INSERT INTO out1 SELECT a.sender, b.receiver FROM tx a JOIN tx b ON a.receiver = b.sender AND b.ts BETWEEN a.ts AND a.ts + INTERVAL '1' MINUTE;`,
    );
    const j = find(p.pipelines[0]!.root, 'join');
    expect(j?.kind === 'join' && j.interval).toEqual({
      leftTimeIndex: 0,
      rightTimeIndex: 0,
      lower: -60000,
      upper: 0,
    });
    expect(j?.updating).toBe(false);
  });

  it('a join with one time bound is a regular join; an outer one is updating', () => {
    const p = plan(`SET 'fintrans.sink.append-updates' = 'true';
      INSERT INTO out1 SELECT a.sender, b.receiver FROM tx a LEFT JOIN tx b ON a.receiver = b.sender AND b.ts > a.ts;`);
    const j = find(p.pipelines[0]!.root, 'join');
    expect(j?.kind === 'join' && j.interval === undefined).toBe(true);
    expect(j?.kind === 'join' && j.condition !== null).toBe(true);
    expect(j?.updating).toBe(true);
  });

  it('an inner regular join of insert-only inputs is insert-only', () => {
    const p = plan(`INSERT INTO out1 SELECT t.sender, a.id FROM tx t JOIN accounts a ON t.sender = a.id;`);
    expect(p.pipelines[0]!.root.updating).toBe(false);
  });

  it('refuses what Flink refuses, with the place and a way out', () => {
    expect(planError(`INSERT INTO out1 SELECT sender, id FROM tx JOIN accounts ON sender = id2;`)).toContain(
      "unknown column 'id2'",
    );
    expect(
      planError(`INSERT INTO out1 SELECT id, id FROM accounts a JOIN accounts b ON a.id = b.id;`),
    ).toContain("column 'id' is ambiguous: 'a' and 'b' both have it");
    expect(
      planError(`CREATE VIEW v AS SELECT sender, SUM(amount) AS s FROM tx GROUP BY sender;
      INSERT INTO out1 SELECT 1, SUM(s) FROM TABLE(TUMBLE(TABLE v, DESCRIPTOR(ts), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;`),
    ).toContain("unknown column 'ts' in view 'v'");
    expect(
      planError(`CREATE VIEW v AS SELECT sender, CAST(ts AS TIMESTAMP(3)) + INTERVAL '1' SECOND AS t2 FROM tx;
      INSERT INTO out1 SELECT 1, COUNT(*) FROM TABLE(TUMBLE(TABLE v, DESCRIPTOR(t2), INTERVAL '1' MINUTE)) GROUP BY window_start, window_end;`),
    ).toContain("'t2' of view 'v' is not one");
  });
});
