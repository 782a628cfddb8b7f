// The operator of a MATCH_RECOGNIZE node, for build.ts: Flink's CEP automaton over the pattern,
// the DEFINE conditions and MEASURES compiled once, and what its checkpointed state means.

import type { MatchRecognizeNode } from '../plan/logical.js';
import { col } from '../plan/expr.js';
import type { Row } from '../types.js';
import { Nfa } from '../exec/cep-nfa.js';
import { compileDefine, compileMeasures, MatchRecognizeOperator } from '../exec/match-recognize.js';
import type { Operator } from '../exec/operator.js';
import { compileSortKey } from '../exec/sort-key.js';
import { compilePartitionKey } from './build-window-functions.js';

export interface MatchRecognizeBuild {
  readonly output: Operator;
  readonly late: () => (row: Row, watermark: number) => void;
  readonly stateful: (op: { snapshot(): unknown; restore(state: unknown): void }, kind: string) => void;
}

export function matchRecognizeOperator(
  node: MatchRecognizeNode,
  b: MatchRecognizeBuild,
): MatchRecognizeOperator {
  const input = node.inputs[0]!;
  const variables = node.pattern.map((v) => v.name);
  const defines = node.conditions.map((f, i) =>
    compileDefine(f, node.pattern.find((v) => v.condition === i)!.name, variables),
  );
  const nfa = new Nfa(node.pattern, node.withinMs ?? 0, node.after, defines, node.pos);
  const keyOf = compilePartitionKey(
    node.partitionKeys.map((k) => col(k, input.schema[k]!.name, input.schema[k]!.type)),
  );
  let sortRows: ((rows: Row[]) => Row[]) | null = null;
  if (node.orderBy.length > 0) {
    const key = compileSortKey(node.orderBy);
    // Stable: rows with equal keys keep their arrival order, as Java's sorted stream does.
    sortRows = (rows) =>
      rows
        .map((r) => ({ r, k: key.keyOf(r) }))
        .sort((a, b) => key.compare(a.k, b.k))
        .map((x) => x.r);
  }
  const op = new MatchRecognizeOperator(
    keyOf,
    node.timeIndex,
    sortRows,
    nfa,
    compileMeasures(node.measures, node.partitionKeys, variables),
    b.late(),
    b.output,
  );
  b.stateful(op, 'match-recognize');
  return op;
}

/** What the state of a MATCH_RECOGNIZE means, for its savepoint identity. */
export function matchRecognizeState(node: MatchRecognizeNode): object {
  return {
    keys: node.partitionKeys,
    time: node.timeIndex,
    orderBy: node.orderBy,
    pattern: node.pattern,
    after: node.after,
    within: node.withinMs,
    conditions: node.conditions,
  };
}

/** The operator in words, for messages about its state. */
export function describeMatchRecognize(node: MatchRecognizeNode, tables: readonly string[]): string {
  return `the MATCH_RECOGNIZE over '${tables.join("', '")}' (PATTERN (${node.pattern.map((v) => v.name).join(' ')}))`;
}
