// Which jobs run in parallel, and how: the keyed operators where rows are exchanged by key (Flink's
// hash exchange in front of each keyed operator), or why the job cannot be partitioned. A job runs
// at parallelism N when it reads one table, every stateful operator is keyed (GROUP BY keys, a
// window's keys, PARTITION BY) and fed only by stateless steps from the source (filter, project,
// a window TVF, UNION ALL of the same table), and only stateless steps follow it to the sinks.
// The 'parallelism.default' setting ('N' or 'auto') and --parallelism choose N.

import { cpus } from 'node:os';
import { FintransError } from '../../errors.js';
import type { Expr } from '../../plan/expr.js';
import type { JobPlan, PlanNode, TableDef } from '../../plan/logical.js';
import { IDLE_TIMEOUT_OPTION, IDLE_TIMEOUT_SETTING } from '../source-runner.js';

export const PARALLELISM_SETTING = 'parallelism.default';

/** A keyed operator of the plan: rows reach it through an exchange by these keys. */
export interface KeyedNode {
  readonly node: PlanNode;
  /** The partitioning keys, over the node's input row. */
  readonly keys: readonly Expr[];
}

export type ParallelPlan =
  | { readonly ok: true; readonly source: TableDef; readonly keyed: readonly KeyedNode[] }
  | { readonly ok: false; readonly reason: string };

/** The keys a stateful node partitions by, [] when it has none (a global aggregate), undefined for non-keyed kinds. */
function keysOf(node: PlanNode): readonly Expr[] | undefined {
  switch (node.kind) {
    case 'window-aggregate':
    case 'group-aggregate':
    case 'deduplicate':
      return node.keys;
    case 'over-aggregate':
    case 'rank':
      return node.partitionKeys;
    case 'match-recognize': {
      const input = node.inputs[0]!;
      return node.partitionKeys.map((i): Expr => ({
        kind: 'column',
        index: i,
        name: input.schema[i]!.name,
        type: input.schema[i]!.type,
      }));
    }
    default:
      return undefined;
  }
}

/** 'an inner', 'a rank'. */
function article(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

function describe(node: PlanNode): string {
  switch (node.kind) {
    case 'join':
      return `${article(node.joinType.toLowerCase())} join (two inputs are not exchanged yet)`;
    case 'lookup-join':
      return 'a lookup join (its lookups are asynchronous and are not run in workers yet)';
    case 'window-aggregate':
    case 'group-aggregate':
      return 'an aggregate without group keys (one group cannot be split over workers)';
    default:
      return `${article(node.kind)} without PARTITION BY keys (one partition cannot be split over workers)`;
  }
}

/** How the job runs in parallel, or why it cannot. */
export function parallelPlan(plan: JobPlan): ParallelPlan {
  const scans = new Set<TableDef>();
  const keyed = new Map<PlanNode, KeyedNode>();
  const seen = new Map<PlanNode, boolean>();
  let reason: string | undefined;
  // Whether a keyed operator is among the node's inputs (transitively): then only filters and
  // projections may follow it, since a row is exchanged once, between the source and its keyed operator.
  const keyedBelow = (node: PlanNode): boolean => {
    const known = seen.get(node);
    if (known !== undefined) return known;
    let below = false;
    if (node.kind === 'scan') scans.add(node.table);
    for (const i of node.inputs) if (keyedBelow(i)) below = true;
    if (node.kind === 'filter' || node.kind === 'project' || node.kind === 'scan') {
      // passes rows on as they come
    } else if (node.kind === 'union' || node.kind === 'window-table') {
      if (below)
        reason ??= `a ${node.kind === 'union' ? 'UNION' : 'window TVF'} over the result of a keyed operator (a row is exchanged once, before its keyed operator)`;
    } else {
      const keys = keysOf(node);
      if (keys === undefined || keys.length === 0) reason ??= describe(node);
      else if (below)
        reason ??= `${article(node.kind)} over the result of another keyed operator (a row is exchanged once, before its keyed operator)`;
      else keyed.set(node, { node, keys });
      below = true;
    }
    seen.set(node, below);
    return below;
  };
  for (const p of plan.pipelines) keyedBelow(p.root);
  if (reason) return { ok: false, reason };
  if (scans.size !== 1)
    return { ok: false, reason: `it reads ${scans.size} tables (parallel runs read one table yet)` };
  const source = [...scans][0]!;
  // Idle splits are detected by the reader's clock in SourceRunner, which parallel runs do not use
  // for watermarks: refused rather than accepted and not honoured.
  if (source.options.has(IDLE_TIMEOUT_OPTION) || plan.settings.has(IDLE_TIMEOUT_SETTING))
    return {
      ok: false,
      reason: `an idle-split timeout ('${IDLE_TIMEOUT_OPTION}' / '${IDLE_TIMEOUT_SETTING}') is not honoured by parallel runs yet`,
    };
  if (plan.lateSink && keyed.size > 1)
    return {
      ok: false,
      reason:
        'a late record read by several windows goes to the late-records table once, which needs one task to see all of them',
    };
  return { ok: true, source, keyed: [...keyed.values()] };
}

/**
 * The parallelism asked for: --parallelism / SET 'parallelism.default' ('auto' = the machine's
 * cores), or what is wrong with the value.
 */
export function requestedParallelism(
  settings: ReadonlyMap<string, string>,
): { readonly n: number; readonly auto: boolean } | string {
  const v = settings.get(PARALLELISM_SETTING)?.trim();
  if (v === undefined) return { n: 1, auto: false };
  if (v.toLowerCase() === 'auto') return { n: Math.max(1, cpus().length), auto: true };
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_PARALLELISM)
    return `'${PARALLELISM_SETTING}' = '${v}' is not a parallelism: write a whole number from 1 to ${MAX_PARALLELISM}, or 'auto' for one worker per core`;
  return { n, auto: false };
}

export const MAX_PARALLELISM = 256;

/** A job asked to run at a parallelism it cannot have. */
export class ParallelismRefused extends FintransError {
  readonly userError = true;
}

/**
 * The parallelism `job` runs at: what was asked for, when its plan can be partitioned; 1 with a
 * notice when 'auto' was asked for and it cannot; refused (ParallelismRefused) when a number > 1 was.
 */
export function chooseParallelism(plan: JobPlan): { readonly n: number; readonly notice?: string } {
  const asked = requestedParallelism(plan.settings);
  if (typeof asked === 'string') throw new ParallelismRefused(`${plan.file}: ${asked}`);
  if (asked.n === 1) return { n: 1 };
  const pp = parallelPlan(plan);
  if (pp.ok) return { n: asked.n };
  if (asked.auto)
    return { n: 1, notice: `runs at parallelism 1 ('auto' asked for ${asked.n}): ${pp.reason}` };
  throw new ParallelismRefused(
    `${plan.file}: cannot run at parallelism ${asked.n}: ${pp.reason}\n` +
      `  hint: run it at parallelism 1 (leave out --parallelism / SET '${PARALLELISM_SETTING}'), or 'auto' to fall back to 1 when a job cannot be split`,
  );
}
