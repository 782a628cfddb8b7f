// Issue 21: `fintrans-sql sql` without a terminal: statements from -e, -f, -i and a piped stdin.
// A SELECT then prints its changes as a plain table (Flink's tableau mode), errors carry the
// file's line:col (the prompt's line:col for -e), and an INSERT runs as a job the shell waits for.
// The terminal side (live table, Ctrl-C, history) is in shell-tty.test.ts.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { CLI, runCli } from './cli.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const INIT = `-- the session's tables
CREATE TABLE t (name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE sums (name STRING, total INT, PRIMARY KEY (name) NOT ENFORCED)
  WITH ('connector' = 'filesystem', 'path' = 'out.csv', 'format' = 'csv');
`;

function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fintrans-shell-'));
  dirs.push(d);
  writeFileSync(join(d, 'in.csv'), 'a,1\nb,2\na,3\n');
  writeFileSync(join(d, 'init.sql'), INIT);
  return d;
}

function sql(dir: string, args: string[], input?: string) {
  return runCli(['sql', ...args], dir, { FINTRANS_HOME: join(dir, '.fintrans') }, input ?? '');
}

describe('fintrans-sql sql without a terminal', () => {
  it('-e runs a running aggregate and prints every change with its op, as Flink tableau mode', () => {
    const d = workdir();
    const r = sql(d, ['-i', 'init.sql', '-e', 'SELECT name, SUM(v) AS total FROM t GROUP BY name;']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '[INFO] Execute statement succeeded.',
        '[INFO] Execute statement succeeded.',
        '+----+----------------------+-------------+',
        '| op |                 name |       total |',
        '+----+----------------------+-------------+',
        '| +I |                    a |           1 |',
        '| +I |                    b |           2 |',
        '| -U |                    a |           1 |',
        '| +U |                    a |           4 |',
        '+----+----------------------+-------------+',
        'Received a total of 4 rows',
        '',
      ].join('\n'),
    );
  });

  it('statements piped on stdin: tables, views and SET last for the session; SHOW, DESCRIBE', () => {
    const d = workdir();
    const input = `CREATE TABLE t (name STRING, v INT, ts AS TO_TIMESTAMP('2024-01-01 00:00:00'),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND)
WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE VIEW big AS SELECT name, v * 10 AS v10 FROM t WHERE v > 1;
SHOW TABLES; SHOW VIEWS;
SET 'pipeline.name' = 'mine';
SET;
DESCRIBE t;
SELECT * FROM big;
RESET;
SET;
`;
    const r = sql(d, [], input);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '+------------+\n| table name |\n+------------+\n|          t |\n+------------+\n1 row in set',
    );
    expect(r.stdout).toContain('| view name |\n+-----------+\n|       big |');
    expect(r.stdout).toContain("'pipeline.name' = 'mine'");
    expect(r.stdout).toContain(
      "|   ts | TIMESTAMP(3) *ROWTIME* | TRUE |     | AS TO_TIMESTAMP('2024-01-01 00:00:00') | ts - INTERVAL '5' SECOND |",
    );
    expect(r.stdout).toContain('|      path |     in.csv |');
    expect(r.stdout).toMatch(/\| \+I \|\s+b \|\s+20 \|\n\| \+I \|\s+a \|\s+30 \|/);
    expect(r.stdout).toContain('All session properties have been set to their default values.');
    expect(r.stdout).toContain("No session properties set (results show in 'table' mode).");
  });

  it('-f stops at the first error with file:line:col and the hint; exit code 1', () => {
    const d = workdir();
    writeFileSync(
      join(d, 'job.sql'),
      INIT + `\nSHOW TABLES;\n\nSELECT name,\n       SUM(vv) FROM t GROUP BY name;\nSHOW VIEWS;\n`,
    );
    const r = sql(d, ['-f', 'job.sql']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: job.sql:9:12: unknown column 'vv' in table 't'\n  hint: did you mean 'v'?\n",
    );
    expect(r.stdout).toContain('| table name |');
    expect(r.stdout).not.toContain('view name');
  });

  it('an error at -e shows line:col with the line and a caret', () => {
    const d = workdir();
    const r = sql(d, ['-i', 'init.sql', '-e', 'SELECT nme FROM t;']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: 1:8: unknown column 'nme' in table 't'\n  SELECT nme FROM t\n         ^\n  hint: did you mean 'name'?\n",
    );
  });

  it('INSERT runs as a background job; the script waits for it and says what it wrote', () => {
    const d = workdir();
    const r = sql(d, [
      '-i',
      'init.sql',
      '-e',
      'INSERT INTO sums SELECT name, SUM(v) FROM t GROUP BY name;',
      '-e',
      'SHOW JOBS;',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const id = /Job ID: ([0-9a-f]{32})/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeDefined();
    expect(r.stdout).toMatch(new RegExp(`\\| ${id} \\| insert-into_sums \\|\\s+(RUNNING|FINISHED) \\|`));
    expect(r.stderr).toMatch(new RegExp(`job ${id} \\(insert-into_sums\\): FINISHED, wrote .*out\\.csv`));
    expect(readFileSync(join(d, 'out.csv'), 'utf8').trim().split('\n').sort()).toEqual([
      'a,4',
      'b,2',
      'name,total',
    ]);
  });

  it('statements on stdin run as they arrive: STOP JOB stops a running INSERT over a topic by its id', async () => {
    const d = workdir();
    const proc = spawn(process.execPath, [CLI, 'sql'], {
      cwd: d,
      env: { ...process.env, FINTRANS_HOME: join(d, '.fintrans') },
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
    proc.stderr.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', r));
    const until = async (re: RegExp) => {
      const end = Date.now() + 30_000;
      while (!re.test(out)) {
        if (Date.now() > end) throw new Error(`waited for ${re}: ${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return re.exec(out)!;
    };
    proc.stdin.write(`${INIT}
CREATE TABLE topic (name STRING, v INT) WITH ('connector' = 'kafka', 'topic' = 'shell_jobs',
  'scan.startup.mode' = 'earliest-offset', 'format' = 'csv');
INSERT INTO topic SELECT * FROM t;
`);
    const first = (await until(/Job ID: (\w+)/))[1]!;
    // The file's three rows are in the topic once that job finished.
    while (!/FINISHED/.test(out)) {
      proc.stdin.write('SHOW JOBS;\n');
      await new Promise((r) => setTimeout(r, 200));
    }
    proc.stdin.write('INSERT INTO sums SELECT name, SUM(v) FROM topic GROUP BY name;\n');
    const second = (await until(/Job ID: \w+[^]*Job ID: (\w+)/))[1]!;
    const ids = [first, second];
    await new Promise((r) => setTimeout(r, 1500)); // it reads the topic, then waits for more
    proc.stdin.write(`SHOW JOBS;\nSTOP JOB '${ids[1]!.slice(0, 8)}';\nSHOW JOBS;\n`);
    await until(/Stopped job \w+[^]*CANCELED/);
    // A wrong id is refused; like any failed statement outside a terminal, it ends the script (exit 1).
    proc.stdin.write(`STOP JOB 'ffff';\nSHOW TABLES;\n`);
    proc.stdin.end();
    expect(await exited).toBe(1);
    expect(err).toContain("error: there is no job 'ffff' in this session\n  hint: SHOW JOBS; lists the jobs");
    expect(out).toMatch(new RegExp(`\\| ${ids[1]} \\|\\s+insert-into_sums \\|\\s+RUNNING \\|`));
    expect(out).toMatch(new RegExp(`\\| ${ids[1]} \\|\\s+insert-into_sums \\|\\s+CANCELED \\|`));
    expect(out).toMatch(
      new RegExp(
        `\\| ${ids[0]} \\|\\s+insert-into_topic \\|\\s+FINISHED \\| [^|]+ \\| 3 records → topic 'shell_jobs'`,
      ),
    );
    expect(readFileSync(join(d, 'out.csv'), 'utf8').trim().split('\n').sort()).toEqual([
      'a,4',
      'b,2',
      'name,total',
    ]);
  }, 60_000);

  it("a SELECT leaves the consumer group's offsets alone: the next one reads the same records", () => {
    const d = workdir();
    writeFileSync(
      join(d, 'g.sql'),
      `${INIT}CREATE TABLE g (name STRING, v INT) WITH ('connector' = 'kafka', 'topic' = 'shell_group',
  'properties.group.id' = 'job_x', 'scan.startup.mode' = 'group-offsets',
  'scan.bounded.mode' = 'latest-offset', 'format' = 'csv');\n`,
    );
    const fill = sql(d, ['-i', 'g.sql', '-e', 'INSERT INTO g SELECT * FROM t;']);
    expect(fill.code, fill.stderr).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = sql(d, ['-i', 'g.sql', '-e', 'SELECT * FROM g;']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Received a total of 3 rows');
    }
    // An INSERT job does commit its group's offsets (as 'run' without checkpoints): then nothing is left.
    const job = sql(d, ['-i', 'g.sql', '-e', 'INSERT INTO sums SELECT name, SUM(v) FROM g GROUP BY name;']);
    expect(job.code, job.stderr).toBe(0);
    expect(sql(d, ['-i', 'g.sql', '-e', 'SELECT * FROM g;']).stdout).toContain('Empty set');
  });

  it('DROP, duplicates and unknown names get messages with what to write', () => {
    const d = workdir();
    const r1 = sql(d, ['-i', 'init.sql', '-e', "CREATE TABLE t (x INT) WITH ('connector' = 'blackhole');"]);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toBe(
      "error: 1:14: table 't' already exists in this session\n  CREATE TABLE t (x INT) WITH ('connector' = 'blackhole')\n               ^\n  hint: DROP TABLE t; first, or give it another name\n",
    );
    // IF NOT EXISTS keeps the table the session has, as in Flink.
    const kept = sql(d, [
      '-i',
      'init.sql',
      '-e',
      "CREATE TABLE IF NOT EXISTS t (x INT) WITH ('connector' = 'blackhole'); DESCRIBE t;",
    ]);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).toMatch(/\|\s+v \|\s+INT \|/);
    expect(kept.stdout).not.toMatch(/\|\s+x \|/);
    const r2 = sql(d, ['-i', 'init.sql', '-e', 'DROP TABLE t; SHOW TABLES; DESCRIBE tt;']);
    expect(r2.code).toBe(1);
    expect(r2.stdout).toContain('|       sums |');
    expect(r2.stdout).not.toMatch(/\|\s+t \|/);
    expect(r2.stderr).toBe(
      "error: there is no table or view 'tt' in this session\n  hint: SHOW TABLES; and SHOW VIEWS; list them\n",
    );
  });

  it('SHOW FUNCTIONS lists the built-ins; help and a bad flag', () => {
    const d = workdir();
    const r = sql(d, ['-e', 'SHOW FUNCTIONS']);
    expect(r.code).toBe(0);
    for (const f of ['COUNT', 'JSON_VALUE', 'REGEXP_EXTRACT', 'TO_TIMESTAMP', 'STDDEV_POP'])
      expect(r.stdout).toMatch(new RegExp(`\\| +${f} \\|`));
    const help = sql(d, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--init');
    const bad = sql(d, ['job.sql']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("sql: unexpected 'job.sql'; give a file with -f <file.sql>");
    expect(existsSync(join(d, '.fintrans', 'sql-history'))).toBe(false); // no history outside a terminal
  });

  it('EXPLAIN and the changelog of a SELECT over a view with SET result-mode', () => {
    const d = workdir();
    const r = sql(d, [
      '-i',
      'init.sql',
      '-e',
      "SET 'sql-client.execution.result-mode' = 'changelog'; EXPLAIN SELECT name, COUNT(*) FROM t GROUP BY name;",
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Source: table 't'");
    const par = sql(d, ['-e', "SET 'parallelism.default' = '4';"]);
    expect(par.stdout).toContain('The shell runs queries and jobs at parallelism 1');
    const bad = sql(d, ['-e', "SET 'sql-client.execution.result-mode' = 'tabel';"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(
      "'sql-client.execution.result-mode' is 'table', 'changelog' or 'tableau', not 'tabel'",
    );
  });
});
