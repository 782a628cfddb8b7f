// The differential expression fuzzer: generates expressions (generate.ts), evaluates all of them on
// Flink in one JVM (ConformanceMain.java's fuzz mode, hundreds per Flink job) and on fintrans-sql
// (fintrans.ts), compares the rows (compare.ts), and shrinks every difference to the smallest
// expression that still differs: its sub-expressions, and itself with a part replaced by a leaf,
// are evaluated on both engines again (one more Flink run per round) until nothing smaller differs.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FlinkRunner } from '../../rig/flink.js';
import { compare, parseFlinkLine, type Verdict } from './compare.js';
import { FintransEvaluator } from './fintrans.js';
import {
  ExprGenerator,
  LEAVES,
  leafOf,
  sizeOf,
  sqlOf,
  subExpressions,
  withKid,
  type Expr,
} from './generate.js';
import { FUZZ_ROW_COUNT, fuzzCsv, fuzzTableDdl } from './table.js';

export interface Difference {
  /** The generated expression. */
  readonly original: string;
  /** The smallest expression found that still differs. */
  readonly minimal: string;
  readonly detail: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly generated: number;
  /** Evaluated by both engines and compared (identical or not). */
  readonly compared: number;
  readonly identical: number;
  readonly refusedByFintrans: number;
  readonly rejectedByFlink: readonly { expr: string; why: string }[];
  readonly failedOnFlink: readonly { expr: string; why: string }[];
  readonly differences: readonly Difference[];
}

const SHRINK_ROUNDS = 5;
/** Differences beyond this many are reported unshrunk (each shrink round is one Flink run). */
const SHRINK_AT_MOST = 10;

/**
 * A kept round (FINTRANS_KEEP_CONFORMANCE) compared again with fintrans-sql as it is now, without
 * running Flink: its expressions and Flink's results are in the round's directory.
 */
export function replayRound(roundDir: string, csvPath: string): { expr: string; verdict: Verdict }[] {
  const ours = new FintransEvaluator(csvPath);
  const exprs = readFileSync(join(roundDir, 'fuzz-exprs.txt'), 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const lines = readFileSync(join(roundDir, 'fuzz-results.txt'), 'utf8').split('\n');
  const rowIds = Array.from({ length: FUZZ_ROW_COUNT }, (_, k) => k + 1);
  return exprs.map((expr, k) => ({
    expr,
    verdict: compare(parseFlinkLine(lines[k]!), ours.evaluate(expr), rowIds),
  }));
}

export class ExpressionFuzzer {
  private readonly ours: FintransEvaluator;
  private readonly rowIds = Array.from({ length: FUZZ_ROW_COUNT }, (_, k) => k + 1);
  private round = 0;
  private agreedLeaves = new Set<string>();

  constructor(
    private readonly flink: FlinkRunner,
    private readonly workDir: string,
  ) {
    mkdirSync(workDir, { recursive: true });
    writeFileSync(this.csvPath, fuzzCsv());
    this.ours = new FintransEvaluator(this.csvPath);
  }

  private get csvPath(): string {
    return join(this.workDir, 'fuzz.csv');
  }

  /** Both engines' verdict on every expression (by SQL text, each evaluated once). */
  private async verdicts(exprs: readonly string[]): Promise<Map<string, Verdict>> {
    const unique = [...new Set(exprs)];
    const dir = join(this.workDir, `round-${this.round++}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'fuzz-table.sql'), fuzzTableDdl(this.csvPath));
    writeFileSync(join(dir, 'fuzz-exprs.txt'), unique.join('\n') + '\n');
    const error = (await this.flink.runCases([dir])).get(dir);
    if (error)
      throw new Error(`the Flink fuzz run failed in ${dir}:\n${error.split('\n').slice(0, 12).join('\n')}`);
    const lines = readFileSync(join(dir, 'fuzz-results.txt'), 'utf8').split('\n').slice(0, unique.length);
    return new Map(
      unique.map((e, i) => [e, compare(parseFlinkLine(lines[i]!), this.ours.evaluate(e), this.rowIds)]),
    );
  }

  /** Both engines' results for the given expressions, as text (FINTRANS_FUZZ_EXPRS: a look at chosen ones). */
  async probe(exprs: readonly string[]): Promise<string[]> {
    const verdicts = await this.verdicts(exprs);
    const dir = join(this.workDir, `round-${this.round - 1}`);
    const flinkLines = readFileSync(join(dir, 'fuzz-results.txt'), 'utf8').split('\n');
    const unique = [...new Set(exprs)];
    return unique.map((e, k) => {
      const v = verdicts.get(e)!;
      const ours = this.ours.evaluate(e);
      const oursText =
        ours.kind === 'ok'
          ? `${ours.type}: ${ours.cells.map((c) => (c === null ? 'NULL' : c)).join(' | ')}`
          : `${ours.kind}: ${ours.why}`;
      const flink = parseFlinkLine(flinkLines[k]!);
      const flinkText =
        flink.kind === 'ok'
          ? `${flink.type}: ${flink.cells.map((c) => (c === null ? 'NULL' : c)).join(' | ')}`
          : `${flink.kind}: ${flink.why}`;
      return `${e}\n  ${v.kind}\n  Flink        ${flinkText}\n  fintrans-sql ${oursText}`;
    });
  }

  async run(seed: number, count: number): Promise<FuzzReport> {
    const gen = new ExprGenerator(seed);
    const byText = new Map<string, Expr>();
    for (let tries = 0; byText.size < count && tries < count * 4; tries++) {
      const e = gen.next();
      byText.set(sqlOf(e), e);
    }
    // The leaves too: shrinking replaces parts by leaves, but only by leaves both engines agree on.
    const verdicts = await this.verdicts([...byText.keys(), ...Object.values(LEAVES).flat()]);
    this.agreedLeaves = new Set(
      Object.values(LEAVES)
        .flat()
        .filter((t) => verdicts.get(t)!.kind === 'same'),
    );
    const differing = [...byText.entries()].filter(([text]) => verdicts.get(text)!.kind === 'different');
    const minimal = await this.shrink(differing.slice(0, SHRINK_AT_MOST).map(([, e]) => e));
    const differences = differing.map(([text], k) => {
      const m = minimal[k];
      const v = (m?.verdict ?? verdicts.get(text)!) as Extract<Verdict, { kind: 'different' }>;
      return { original: text, minimal: m ? sqlOf(m.expr) : text, detail: v.detail };
    });
    const generated = [...byText.keys()].map((text) => [text, verdicts.get(text)!] as [string, Verdict]);
    const all = generated.map(([, v]) => v);
    const of = (kind: Verdict['kind']) => generated.filter(([, v]) => v.kind === kind);
    const why = (entries: [string, Verdict][]) =>
      entries.map(([expr, v]) => ({ expr, why: 'why' in v ? v.why : '' }));
    return {
      seed,
      generated: byText.size,
      compared: all.filter((v) => v.kind === 'same' || v.kind === 'different').length,
      identical: all.filter((v) => v.kind === 'same').length,
      refusedByFintrans: all.filter((v) => v.kind === 'refused').length,
      rejectedByFlink: why(of('flink-rejected')),
      failedOnFlink: why(of('flink-failed')),
      differences,
    };
  }

  /** Smaller expressions to try for `e`: its proper sub-expressions, and `e` with one kid made a leaf. */
  private candidates(e: Expr): Expr[] {
    const leaves = e.kids.flatMap((kid, k) =>
      LEAVES[kid.family]
        .filter((t) => this.agreedLeaves.has(t))
        .map((t) => withKid(e, k, leafOf(kid.family, t))),
    );
    const smaller = (x: Expr) =>
      sizeOf(x) < sizeOf(e) || (sizeOf(x) === sizeOf(e) && sqlOf(x).length < sqlOf(e).length);
    return [...subExpressions(e).slice(1), ...leaves].filter(smaller);
  }

  /** Per expression, the smallest that still differs and its verdict (unchanged when nothing smaller differs). */
  private async shrink(exprs: readonly Expr[]): Promise<{ expr: Expr; verdict?: Verdict }[]> {
    const current: { expr: Expr; verdict?: Verdict }[] = exprs.map((expr) => ({ expr }));
    for (let r = 0; r < SHRINK_ROUNDS && current.length > 0; r++) {
      const tries = current.map((c) => this.candidates(c.expr));
      const verdicts = await this.verdicts(tries.flat().map(sqlOf));
      let progressed = false;
      current.forEach((c, k) => {
        const smallest = tries[k]!.filter((x) => verdicts.get(sqlOf(x))!.kind === 'different').sort(
          (a, b) => sizeOf(a) - sizeOf(b) || sqlOf(a).length - sqlOf(b).length,
        )[0];
        if (smallest) {
          c.expr = smallest;
          c.verdict = verdicts.get(sqlOf(smallest));
          progressed = true;
        }
      });
      if (!progressed) break;
    }
    return current;
  }
}
