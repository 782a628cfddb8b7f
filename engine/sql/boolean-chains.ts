// Rebuilds AND/OR chains in node-sql-parser's output with SQL's precedence.
//
// node-sql-parser (flinksql) gets AND/OR precedence wrong: in WHERE and HAVING it folds a chain
// left to right (`a OR b AND c` → `(a OR b) AND c`), in the SELECT list it nests to the right
// (`a AND b OR c` → `a AND (b OR c)`). Either way the operands and operators of an unparenthesized
// chain stay in their written order, so reading that order back and regrouping it (AND binds
// tighter than OR; NOT and comparisons are already inside the operands) gives the tree Flink
// builds. A parenthesized chain is a chain of its own, regrouped the same way, and an operand of
// the chain around it. Each run of one operator becomes a balanced tree: AND and OR are associative
// (also with NULLs), and a 1000-term OR then nests 10 deep instead of 1000.

type Op = 'AND' | 'OR';

/** A node of node-sql-parser's output (before from-parser.ts converts it), as far as chains are concerned. */
interface RawNode {
  type?: unknown;
  operator?: unknown;
  left?: RawNode;
  right?: RawNode;
  parentheses?: boolean;
}

function chainOp(node: RawNode): Op | undefined {
  if (node.type !== 'binary_expr') return undefined;
  const op = String(node.operator).toUpperCase();
  return op === 'AND' || op === 'OR' ? op : undefined;
}

/** Fixes every AND/OR chain in `ast` (any node-sql-parser output); returns the fixed tree. */
export function regroupBooleanChains(ast: unknown): unknown {
  if (Array.isArray(ast)) return ast.map(regroupBooleanChains);
  if (!ast || typeof ast !== 'object') return ast;
  if (chainOp(ast as RawNode)) return regroupChain(ast as RawNode);
  const fields = ast as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    const v = fields[key];
    if (v && typeof v === 'object' && key !== 'loc') fields[key] = regroupBooleanChains(v);
  }
  return ast;
}

/** `chain` is an AND/OR node: its operands in written order (a parenthesized one is a chain of its own), regrouped. */
function regroupChain(chain: RawNode): RawNode {
  const operands: RawNode[] = [];
  const ops: Op[] = [];
  // In-order walk without recursion: WHERE chains nest as deep as they are long.
  const stack: (RawNode | Op)[] = [chain];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item === 'AND' || item === 'OR') {
      ops.push(item);
      continue;
    }
    const op = item === chain || !item.parentheses ? chainOp(item) : undefined;
    if (op) stack.push(item.right!, op, item.left!);
    else operands.push(regroupBooleanChains(item) as RawNode);
  }
  const disjuncts: RawNode[] = [];
  let conjuncts: RawNode[] = [operands[0]!];
  for (let k = 0; k < ops.length; k++) {
    if (ops[k] === 'OR') {
      disjuncts.push(balanced('AND', conjuncts));
      conjuncts = [];
    }
    conjuncts.push(operands[k + 1]!);
  }
  disjuncts.push(balanced('AND', conjuncts));
  const tree = balanced('OR', disjuncts);
  return chain.parentheses ? { ...tree, parentheses: true } : tree;
}

function balanced(op: Op, nodes: readonly RawNode[]): RawNode {
  if (nodes.length === 1) return nodes[0]!;
  const mid = nodes.length >> 1;
  return {
    type: 'binary_expr',
    operator: op,
    left: balanced(op, nodes.slice(0, mid)),
    right: balanced(op, nodes.slice(mid)),
  };
}
