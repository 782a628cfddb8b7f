// Issue 21: `fintrans-sql sql` in a real pseudo-terminal. tmux runs the shell, the test types
// with send-keys and reads the screen with capture-pane, as a person at the terminal would:
// the live table of a running query over an embedded topic is updated in place as another
// process writes to the topic (updates and retractions applied), Ctrl-C stops the query and not
// the shell, the Up arrow recalls the last statement (also in the next session), and an error
// shows line:col with a hint and the shell goes on. tmux comes from Debian (.ci/run installs it).

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI, ROOT, runCli } from './cli.js';

// A server of its own for each test, on a socket in the temp directory (removed at the end): a
// new session on the socket of a server still shutting down fails ('server exited unexpectedly').
const SOCKET_BASE = join(tmpdir(), `fintrans-shell-tmux-${process.pid}`);
let socket = `${SOCKET_BASE}-0`;
const dirs: string[] = [];
const sockets: string[] = [socket];
afterEach(() => {
  try {
    tmux('kill-server');
  } catch {
    // no server left: every session ended
  }
  socket = `${SOCKET_BASE}-${sockets.length}`;
  sockets.push(socket);
});
afterAll(() => [...dirs, ...sockets].forEach((d) => rmSync(d, { recursive: true, force: true })));

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-S', socket, ...args], { encoding: 'utf8' });
}

const INIT = `CREATE TABLE src (name STRING, v INT) WITH ('connector' = 'kafka', 'topic' = 'live',
  'scan.startup.mode' = 'earliest-offset', 'format' = 'csv');
CREATE TABLE t (name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
`;

function workdir(): string {
  const d = mkdtempSync(join(tmpdir(), 'fintrans-shell-tty-'));
  dirs.push(d);
  writeFileSync(join(d, 'in.csv'), 'a,1\nb,2\na,3\n');
  writeFileSync(join(d, 'more.csv'), 'a,100\nd,1\n');
  writeFileSync(join(d, 'init.sql'), INIT);
  return d;
}

const env = (d: string) => ({ FINTRANS_HOME: join(d, '.fintrans') });

/** Starts the shell in a 100x30 terminal. */
function start(d: string, session: string, ...args: string[]): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '100',
    '-y',
    '30',
    '-c',
    d,
    'env',
    `FINTRANS_HOME=${join(d, '.fintrans')}`,
    process.execPath,
    CLI,
    'sql',
    ...args,
  );
  // The screen stays readable after the shell quits (QUIT prints Goodbye!).
  tmux('set-option', '-w', '-t', session, 'remain-on-exit', 'on');
}

/** Text as typed keys; a trailing ';' is escaped (tmux would read it as its own command separator). */
function literal(text: string): string {
  return text.endsWith(';') ? text.slice(0, -1) + '\\;' : text;
}

/** Types a line and Enter in one tmux command, so no key of the next line can come between. */
function typeLine(session: string, text: string): void {
  tmux('send-keys', '-t', session, '-l', literal(text), ';', 'send-keys', '-t', session, 'Enter');
}

function key(session: string, ...keys: string[]): void {
  tmux('send-keys', '-t', session, ...keys);
}

function screen(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

async function waitFor(
  session: string,
  check: (s: string) => boolean,
  what: string,
  ms = 20_000,
): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const s = screen(session);
    if (check(s)) return s;
    if (Date.now() > end) throw new Error(`waited ${ms} ms for ${what}; the screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The line the cursor is on: the prompt and what is typed after it. */
function lastPromptLine(s: string): string {
  const lines = s.split('\n').filter((l) => l.trim() !== '');
  return lines[lines.length - 1] ?? '';
}

const ROW = (name: string, total: number, n: number) =>
  new RegExp(`\\|\\s+${name} \\|\\s+${total} \\|\\s+${n} \\|`);

describe('fintrans-sql sql in a terminal (tmux)', () => {
  it('a SELECT shows a live table updated in place; Ctrl-C stops the query and the shell stays', async () => {
    const d = workdir();
    const fill = runCli(['sql', '-i', 'init.sql', '-e', 'INSERT INTO src SELECT * FROM t;'], d, env(d));
    expect(fill.code, fill.stderr).toBe(0);
    start(d, 'live', '-i', 'init.sql');
    await waitFor('live', (s) => /^fintrans SQL>$/m.test(s), 'the prompt');
    // Typed over two lines: the second gets the continuation prompt.
    typeLine('live', 'SELECT name, SUM(v) AS total,');
    typeLine('live', '  COUNT(*) AS n FROM src GROUP BY name;');
    const first = await waitFor(
      'live',
      (s) => ROW('a', 4, 2).test(s) && ROW('b', 2, 1).test(s),
      'the first rows',
    );
    expect(first).toContain('            >   COUNT(*) AS n FROM src GROUP BY name;');
    expect(first).toMatch(/\| name \| total \| n \|/);
    expect(first).toMatch(/2 rows, 4 changes received, [\d.]+ s — running — Ctrl-C or q stops the query/);

    // Another process writes to the topic while the query runs.
    writeFileSync(
      join(d, 'more.sql'),
      "CREATE TABLE more (name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'more.csv', 'format' = 'csv');\n",
    );
    const more = runCli(
      ['sql', '-i', 'init.sql', '-i', 'more.sql', '-e', 'INSERT INTO src SELECT * FROM more;'],
      d,
      env(d),
    );
    expect(more.code, more.stderr).toBe(0);
    expect(more.stderr).toContain("wrote 2 records → topic 'live'");
    const updated = await waitFor(
      'live',
      (s) => ROW('a', 104, 3).test(s) && ROW('d', 1, 1).test(s),
      'the updated rows',
    );
    // Updated in place: a's old row was taken back (-U), the table is drawn once, not appended.
    expect(updated).not.toMatch(ROW('a', 4, 2));
    expect(updated.match(/\| name \| total \| n \|/g)).toHaveLength(1);
    expect(updated).toMatch(ROW('b', 2, 1));
    expect(updated).toMatch(/3 rows, 7 changes received/);
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    writeFileSync(join(ROOT, 'test-output', 'shell-live-table.txt'), updated);

    key('live', 'C-c');
    const stopped = await waitFor(
      'live',
      (s) => /stopped\n+fintrans SQL> $/.test(s.trimEnd() + ' '),
      'the query stopped and a prompt',
    );
    expect(stopped).toMatch(/3 rows, 7 changes received, [\d.]+ s — stopped/);
    typeLine('live', 'SHOW TABLES;');
    await waitFor('live', (s) => /\|\s+src \|\n\|\s+t \|/.test(s), 'SHOW TABLES after the query');
  });

  it("Flink's changelog and tableau result modes; q stops a query too", async () => {
    const d = workdir();
    const fill = runCli(['sql', '-i', 'init.sql', '-e', 'INSERT INTO src SELECT * FROM t;'], d, env(d));
    expect(fill.code, fill.stderr).toBe(0);
    start(d, 'modes', '-i', 'init.sql');
    await waitFor('modes', (s) => /^fintrans SQL>$/m.test(s), 'the prompt');
    typeLine('modes', "SET 'sql-client.execution.result-mode' = 'changelog';");
    typeLine('modes', 'SELECT name, SUM(v) AS total FROM src GROUP BY name;');
    const changes = await waitFor('modes', (s) => /4 changes received/.test(s), 'the changelog');
    expect(changes).toMatch(
      /\| op \| name \| total \|\n\+-+\+-+\+-+\+\n\| \+I \|\s+a \|\s+1 \|\n\| \+I \|\s+b \|\s+2 \|\n\| -U \|\s+a \|\s+1 \|\n\| \+U \|\s+a \|\s+4 \|/,
    );
    key('modes', 'q');
    await waitFor(
      'modes',
      (s) => /4 changes received, [\d.]+ s — stopped\n+fintrans SQL>/.test(s),
      'q to stop it',
    );
    typeLine('modes', "SET 'sql-client.execution.result-mode' = 'tableau';");
    typeLine('modes', 'SELECT * FROM t WHERE v > 1;');
    const tableau = await waitFor(
      'modes',
      (s) => s.includes('Received a total of 2 rows'),
      'the tableau result',
    );
    expect(tableau).toMatch(/\| \+I \|\s+b \|\s+2 \|\n\| \+I \|\s+a \|\s+3 \|\n\+-+/);
    typeLine('modes', 'HELP;');
    await waitFor('modes', (s) => s.includes("STOP JOB '<id>';"), 'the help');
  });

  it('INSERT runs in the background, SHOW JOBS lists it, QUIT stops it with its sinks flushed', async () => {
    const d = workdir();
    start(d, 'jobs', '-i', 'init.sql');
    await waitFor('jobs', (s) => /^fintrans SQL>$/m.test(s), 'the prompt');
    typeLine('jobs', 'INSERT INTO src SELECT * FROM t;');
    typeLine(
      'jobs',
      "CREATE TABLE o (name STRING, v INT) WITH ('connector' = 'filesystem', 'path' = 'o.csv', 'format' = 'csv');",
    );
    typeLine('jobs', 'INSERT INTO o SELECT name, v * 10 FROM src;');
    await waitFor('jobs', (s) => (s.match(/Job ID: \w+/g) ?? []).length === 2, 'two job ids');
    typeLine('jobs', 'SHOW JOBS;');
    const listed = await waitFor('jobs', (s) => s.includes('2 rows in set'), 'SHOW JOBS');
    expect(listed).toMatch(/\|\s+insert-into_o \|\s+RUNNING \|/);
    typeLine('jobs', 'QUIT;');
    const quit = await waitFor('jobs', (s) => s.includes('Goodbye!'), 'the shell to quit');
    expect(quit).toContain('stopping 1 running job: flushing sinks and closing');
    // The rows, whether or not the file starts with a header line.
    const rows = readFileSync(join(d, 'o.csv'), 'utf8').split('\n');
    expect(rows.filter((l) => /^[ab],/.test(l))).toEqual(['a,10', 'b,20', 'a,30']);
  });

  it('the Up arrow recalls the last statement, a multi-line one as one line, also in the next session', async () => {
    const d = workdir();
    start(d, 'hist', '-i', 'init.sql');
    await waitFor('hist', (s) => /^fintrans SQL>$/m.test(s), 'the prompt');
    typeLine('hist', 'DESCRIBE');
    typeLine('hist', '  t;');
    await waitFor('hist', (s) => s.includes('| connector | filesystem |'), 'DESCRIBE t');
    key('hist', 'Up');
    await waitFor('hist', (s) => lastPromptLine(s) === 'fintrans SQL> DESCRIBE t;', 'the recalled statement');
    // Ctrl-C drops the recalled line; the shell stays.
    key('hist', 'C-c');
    await waitFor('hist', (s) => lastPromptLine(s) === 'fintrans SQL>', 'an empty prompt');
    typeLine('hist', 'QUIT;');
    await waitFor('hist', (s) => s.includes('Goodbye!'), 'the shell to quit', 10_000);
    const saved = readFileSync(join(d, '.fintrans', 'sql-history'), 'utf8');
    expect(saved).toBe('DESCRIBE t;\nQUIT;\n');

    start(d, 'hist2');
    await waitFor('hist2', (s) => /^fintrans SQL>$/m.test(s), 'the prompt');
    key('hist2', 'Up');
    key('hist2', 'Up');
    await waitFor(
      'hist2',
      (s) => lastPromptLine(s) === 'fintrans SQL> DESCRIBE t;',
      "the last session's statement",
    );
  });

  it('an error shows line:col, the line with a caret and a hint; the shell goes on', async () => {
    const d = workdir();
    start(d, 'err', '-i', 'init.sql');
    await waitFor('err', (s) => /^fintrans SQL>$/m.test(s), 'the prompt');
    typeLine('err', 'SELECT name');
    typeLine('err', '  FROM t WHERE vv > 1;');
    const s = await waitFor('err', (x) => x.includes('hint:'), 'the error');
    expect(s).toContain(
      "error: 2:16: unknown column 'vv' in table 't'\n    FROM t WHERE vv > 1\n                 ^\n  hint: did you mean 'v'?\nfintrans SQL>",
    );
    // A bounded query in the table mode: the result stays on the screen, marked finished.
    typeLine('err', 'SELECT name, v FROM t WHERE v > 1;');
    const done = await waitFor(
      'err',
      (x) => x.includes('finished: the input is complete'),
      'the finished query',
    );
    expect(done).toMatch(/\| name \| v \|\n\+-+\+-+\+\n\|\s+b \| 2 \|\n\|\s+a \| 3 \|\n/);
  });
});
