// Parallel runs (issue 19 part 2) over the conformance corpus, fintrans-sql's side: each case of
// test/conformance/cases (its input data sets and the sinks the conformance runner gives it) runs
// at parallelism 1 and 2 and must write the same rows (sorted multisets; printed changelogs as
// sorted lines), or be refused at parallelism 2 with the reason it cannot be split by key.
// (Parallelism 1 itself is compared with Flink by test/conformance/conformance.test.ts.)

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './cli.js';
import { compareParallelism } from './parallel-helpers.js';
import { rewriteJob } from '../conformance/rewrite.js';
import { dataSet } from '../conformance/data.js';

const CASES = join(ROOT, 'test', 'conformance', 'cases');
/** FINTRANS_CONFORMANCE_ONLY=<regex> runs only the matching cases, as in the conformance suite. */
const only = process.env.FINTRANS_CONFORMANCE_ONLY
  ? new RegExp(process.env.FINTRANS_CONFORMANCE_ONLY)
  : undefined;
/** Fewer cases than this compared identical (not refused) means the parallel path lost ground. */
const AT_LEAST_COMPARED = 25;

/** The case as the conformance runner writes it for fintrans-sql: input files and the rewritten job. */
function prepare(file: string): string {
  const text = readFileSync(file, 'utf8');
  const data = new Map<string, string>();
  const updating = new Set<string>();
  for (const l of text.split('\n')) {
    if (!l.startsWith('-- conformance:')) continue;
    const w = l.slice('-- conformance:'.length).trim().split(/\s+/);
    if (w[0] === 'data') data.set(w[1]!.toLowerCase(), w[2]!);
    if (w[0] === 'updating') updating.add(w[1]!.toLowerCase());
  }
  const dir = mkdtempSync(join(tmpdir(), `fintrans-pconf-${basename(file, '.sql')}-`));
  mkdirSync(join(dir, 'input'));
  mkdirSync(join(dir, 'out'));
  const r = rewriteJob(text, file, {
    inputPath: (t) => join('input', `${t}.${dataSet(data.get(t)!).ext}`),
    flinkOutDir: (t) => join('flink', t),
    fintransOutFile: (t) => join('out', `${t}.csv`),
    flinkCollectFile: () => undefined,
    fintransPrint: (t) => updating.has(t),
  });
  for (const [t, ds] of data) {
    const d = dataSet(ds);
    writeFileSync(join(dir, 'input', `${t}.${d.ext}`), d.text);
  }
  writeFileSync(join(dir, 'fintrans.sql'), r.fintransSql);
  return dir;
}

const results: { name: string; outcome: string }[] = [];

describe('parallelism 2 over the conformance corpus (fintrans-sql side)', () => {
  const files = readdirSync(CASES)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .filter((f) => !only || only.test(basename(f, '.sql')));
  for (const f of files) {
    const name = basename(f, '.sql');
    it(
      name,
      async () => {
        const dir = prepare(join(CASES, f));
        const r = await compareParallelism(dir, 'fintrans.sql', [], name);
        results.push({
          name,
          outcome: r.refused
            ? `refused: ${r.refused.split(': ').slice(3).join(': ')}`
            : `identical (${r.rows} rows)`,
        });
        expect(r.diffs).toEqual([]);
      },
      180_000,
    );
  }

  afterAll(() => {
    process.stdout.write(
      `\nParallelism 2 vs 1 over the conformance corpus:\n${results.map((r) => `  ${r.name}: ${r.outcome}`).join('\n')}\n`,
    );
    if (!only) {
      const compared = results.filter((r) => r.outcome.startsWith('identical')).length;
      expect(compared, 'cases compared at parallelism 2').toBeGreaterThanOrEqual(AT_LEAST_COMPARED);
    }
  });
});
