// Golden end-to-end cases: each directory under test/e2e/cases holds a job (job.sql), its input
// files, and under expected/ the files the job must write (same relative paths). The case is copied
// to a temp dir, `fintrans-sql run job.sql` runs there, and every expected file is compared: the
// header line exactly, the data rows as a sorted multiset (parallel-free but order is not promised).
// Optional files: args.txt (extra CLI args, one per line), exit-code.txt (default 0),
// stderr.txt (lines that must each appear in stderr), no-output.txt (paths that must not exist).

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

const CASES = join(ROOT, 'test', 'e2e', 'cases');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

function readOpt(dir: string, name: string): string | undefined {
  const p = join(dir, name);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

describe('golden end-to-end jobs', () => {
  for (const name of readdirSync(CASES).sort()) {
    const caseDir = join(CASES, name);
    it(name, () => {
      const work = mkdtempSync(join(tmpdir(), `fintrans-${name}-`));
      cpSync(caseDir, work, { recursive: true, filter: (src) => !src.startsWith(join(caseDir, 'expected')) });
      const args = lines(readOpt(caseDir, 'args.txt') ?? '');
      const r = runCli(['run', 'job.sql', '--quiet', ...args], work);
      const wantCode = Number((readOpt(caseDir, 'exit-code.txt') ?? '0').trim());
      expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(wantCode);
      for (const want of lines(readOpt(caseDir, 'stderr.txt') ?? '')) {
        expect(r.stderr).toContain(want);
      }
      for (const p of lines(readOpt(caseDir, 'no-output.txt') ?? '')) {
        expect(existsSync(join(work, p)), `${p} should not exist`).toBe(false);
      }
      const expectedDir = join(caseDir, 'expected');
      if (!existsSync(expectedDir)) return;
      for (const file of filesUnder(expectedDir)) {
        const rel = relative(expectedDir, file);
        const gotPath = join(work, rel);
        expect(existsSync(gotPath), `${rel} was not written; stderr:\n${r.stderr}`).toBe(true);
        const want = lines(readFileSync(file, 'utf8'));
        const got = lines(readFileSync(gotPath, 'utf8'));
        if (rel.endsWith('.csv')) {
          expect(got[0], `${rel} header`).toBe(want[0]);
          expect(got.slice(1).sort(), `${rel} rows`).toEqual(want.slice(1).sort());
        } else {
          expect(got.sort(), rel).toEqual(want.sort());
        }
      }
    });
  }
});
