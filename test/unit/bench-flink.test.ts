// The pieces of `npm run bench -- --flink` (test/bench/flink.ts) that decide what Flink runs and
// whether its rows are fintrans-sql's: the job translated only where it names files, and the rows
// compared as multisets with cells by value.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flinkJobText, normaliseCell, rowDifference } from '../bench/flink.js';
import { parseCsvLine } from '../csv-line.js';
import { withFlinkSection } from '../bench/report.js';
import { ROOT } from '../e2e/cli.js';

const JOB = join(ROOT, 'test/bench/jobs/velocity_file.sql');

describe('the bench job as Flink runs it', () => {
  const text = readFileSync(JOB, 'utf8');
  const paths: string[] = [];
  const flink = flinkJobText(text, JOB, (p) => {
    paths.push(p);
    return p.startsWith('input/') ? "/data/it's/in.csv" : `/runs/h/${p}`;
  });
  const statements = flink.split('-- @@@\n').filter((s) => s.trim() !== '');

  it('changes only the paths, one statement per part', () => {
    expect(paths).toEqual(['input/transactions.csv', 'output/velocity.csv']);
    expect(statements.map((s) => /^(?:--.*\n|\s)*(\w+ \w+)/.exec(s)?.[1])).toEqual([
      'CREATE TABLE',
      'CREATE VIEW',
      'CREATE VIEW',
      'CREATE TABLE',
      'INSERT INTO',
    ]);
    expect(flink).toContain("'path' = '/data/it''s/in.csv'");
    expect(flink).toContain("'path' = '/runs/h/output/velocity.csv'");
    expect(flink).not.toContain("'input/transactions.csv'");
    // Everything else as written: the same text once the two path strings are put back.
    const back = statements
      .map((s) => s.trim())
      .join(';\n')
      .replace("'/data/it''s/in.csv'", "'input/transactions.csv'")
      .replace("'/runs/h/output/velocity.csv'", "'output/velocity.csv'");
    const squash = (s: string): string =>
      s
        .replace(/\s+/g, ' ')
        .replace(/ ?; ?$/, '')
        .trim();
    expect(squash(back)).toBe(squash(text));
  });

  it('is refused for a job without a path', () => {
    expect(() =>
      flinkJobText("CREATE TABLE t (a INT) WITH ('connector' = 'datagen');", 'x.sql', (p) => p),
    ).toThrow("x.sql: no 'path' option");
  });
});

describe("Flink's rows against fintrans-sql's", () => {
  it('reads quoted CSV fields and compares timestamps by value', () => {
    expect(parseCsvLine('"Sunday, 23-Jul-17 00:00:05 UTC",7,"a ""b""",')).toEqual([
      'Sunday, 23-Jul-17 00:00:05 UTC',
      '7',
      'a "b"',
      '',
    ]);
    expect(normaliseCell('2017-07-23 01:00:00')).toBe('2017-07-23 01:00:00.000');
    expect(normaliseCell('2017-07-23 01:00:00.5')).toBe('2017-07-23 01:00:00.500');
    expect(normaliseCell('2017-07-23 01:00:00.000')).toBe('2017-07-23 01:00:00.000');
    expect(normaliseCell('12000')).toBe('12000');
  });

  it('finds the rows only one side has, duplicates counted', () => {
    expect(rowDifference(['a', 'b', 'b'], ['a', 'b', 'b'])).toBeNull();
    expect(rowDifference(['a', 'b', 'b'], ['a', 'b'])).toBe(
      "fintrans-sql 3 rows, Flink 2; 1 only in fintrans-sql's (e.g. 'b'), 0 only in Flink's",
    );
    expect(rowDifference(['a\u0001x'], ['a\u0001y'])).toBe(
      "fintrans-sql 1 rows, Flink 1; 1 only in fintrans-sql's (e.g. 'a,x'), 1 only in Flink's (e.g. 'a,y')",
    );
  });
});

describe('BENCHMARKS.md with --flink --write', () => {
  const doc =
    '# Benchmarks\n\n## Latest run\n\ntable\n\n## Cases\n\nold cases\n\n## Profile\n\nprof\n\n## Notes\n\nby hand\n';

  it('adds or replaces the Flink section alone, before Cases, keeping the run, the profile and the notes', () => {
    const once = withFlinkSection(doc, 'first run\n');
    expect(once).toMatch(/## Latest run\n\ntable\n\n## Flink side by side\n\nfirst run\n\n## Cases\n/);
    expect(once).toContain('## Profile\n\nprof\n\n## Notes\n\nby hand\n');
    expect(once).not.toContain('old cases');
    const twice = withFlinkSection(once, 'second run\n');
    expect(twice).toContain('## Flink side by side\n\nsecond run\n\n## Cases\n');
    expect(twice).not.toContain('first run');
    expect(twice.split('## Flink side by side').length).toBe(2);
  });
});
