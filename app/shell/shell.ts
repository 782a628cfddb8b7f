// fintrans-sql sql: the interactive SQL shell, as Flink's sql-client.sh and ksqlDB's CLI. On a
// terminal: a prompt with multi-line statements ending in ';', history kept across sessions (in
// the fintrans home, engine/home.ts), Ctrl-C stopping the running query and not the shell. From a
// file (-f), a string (-e) or a stdin that is not a terminal: the statements run in order and the
// first failure stops with exit code 1. Node's readline does the line editing and history: a TUI
// library would bring little for one prompt and one redrawn table (app/shell/result.ts).

import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface, emitKeypressEvents, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import type { ExtraCommand } from '../cli/command.js';
import { parseFlags, UsageError } from '../cli/args.js';
import { defaultStoreDir } from '../../engine/home.js';
import { ConnectorError } from '../../engine/errors.js';
import { redact } from '../../engine/secrets.js';
import { Session, StatementError, type Origin, type SessionIo } from './session.js';
import { cutStatements, isBlank } from './split.js';
import type { Screen } from './result.js';
import { displayPath } from '../job-files.js';

export const SQL_HELP = `Usage: fintrans-sql sql [-i init.sql] [-f file.sql] [-e 'statement;'] 

An interactive SQL shell, like Flink's sql-client.sh: CREATE TABLE, CREATE VIEW and SET last for
the session; a SELECT shows its result live (updated in place; Ctrl-C stops the query, not the
shell); an INSERT runs as a background job (SHOW JOBS, STOP JOB '<id>'). Type HELP; at the prompt.
Statements end with ';' and may span lines; history is kept in the fintrans home (.fintrans/).

Options:
  -i, --init <file.sql>     (repeatable) declare a file's tables, views and SET values first, then the
                            prompt (its INSERTs and SELECTs are skipped: a job file will do)
  -f, --file <file.sql>     run a file's statements and exit, as Flink's -f (no prompt)
  -e, --execute <stmt>      run the statement(s) and exit (repeatable)
  -h, --help                this help

Statements piped on stdin run as from a file. When stdout is not a terminal, a SELECT prints its
changes as a plain table (Flink's tableau mode), one line per change.

Examples:
  fintrans-sql sql -i jobs/laundering.sql
  fintrans-sql sql -e 'SHOW FUNCTIONS;'
  echo "SHOW FUNCTIONS;" | fintrans-sql sql`;

const FLAGS = {
  help: { type: 'boolean', short: 'h' },
  init: { type: 'string', short: 'i', multiple: true },
  file: { type: 'string', short: 'f' },
  execute: { type: 'string', short: 'e', multiple: true },
} as const;

const PROMPT = 'fintrans SQL> ';
const CONTINUE = '> '.padStart(PROMPT.length);
const HISTORY_SIZE = 1000;

export const sqlCommand: ExtraCommand = {
  name: 'sql',
  usage: 'sql [options]',
  summary: "interactive SQL shell, like Flink's sql-client.sh (SELECT shown live, INSERT as jobs)",
  run: sqlShell,
};

async function sqlShell(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, 'sql');
  if (values.help) {
    process.stdout.write(SQL_HELP + '\n');
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `sql: unexpected '${positionals[0]}'; give a file with -f <file.sql> (or -i to run it before the prompt)\n  see 'fintrans-sql sql --help'`,
    );
  const cwd = process.cwd();
  const tty = process.stdout.isTTY === true;
  const screen: Screen = {
    write: (s) => void process.stdout.write(s),
    isTTY: tty,
    size: () => (tty ? { rows: process.stdout.rows, columns: process.stdout.columns } : undefined),
  };
  let stopQuery: (() => void) | undefined;
  let onQueryStart: ((stop: () => void) => () => void) | undefined;
  const io: SessionIo = {
    screen,
    err: (s) => void process.stderr.write(s),
    onQuery: (stop) => {
      stopQuery = stop;
      const undo = onQueryStart?.(stop);
      return () => {
        stopQuery = undefined;
        undo?.();
      };
    },
  };
  const session = new Session(cwd, io);

  // Outside the prompt (scripts, stdin), Ctrl-C and SIGTERM stop the query and the jobs, and the run.
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write('\nstopping: flushing sinks and closing (Ctrl-C again to force)\n');
    stopQuery?.();
    void session.stopAll();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const init of values.init ?? [])
      if (!(await runFile(session, init, cwd, true))) return await failed(session);
    const script = values.file !== undefined || (values.execute?.length ?? 0) > 0;
    if (script) {
      if (values.file !== undefined && !(await runFile(session, values.file, cwd)))
        return await failed(session);
      for (const e of values.execute ?? [])
        if (!(await runText(session, e, { file: '', line: 0 }, () => interrupted)))
          return await failed(session);
    } else if (process.stdin.isTTY && tty) {
      // At the prompt, Ctrl-C is a key readline hands over (it stops a query); SIGTERM quits.
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      return await interactive(session, cwd, (start) => (onQueryStart = start));
    } else if (!(await runStdin(session, () => interrupted))) return await failed(session);
    return await finishJobs(session, () => interrupted);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function runFile(session: Session, path: string, cwd: string, init = false): Promise<boolean> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch {
    throw new ConnectorError(`no such file: ${path}`);
  }
  return runText(session, text, { file: displayPath(resolve(cwd, path), cwd), line: 0, init }, () => false);
}

/** Runs every statement of `text` (the last may lack its ';'); false after the first failure. */
async function runText(
  session: Session,
  text: string,
  origin: Origin,
  interrupted: () => boolean,
): Promise<boolean> {
  const { statements, rest, restLine } = cutStatements(text);
  const all = isBlank(rest) ? statements : [...statements, { text: rest, line: restLine }];
  for (const s of all) {
    if (interrupted()) return true;
    if (!(await runOne(session, s.text, { ...origin, line: origin.line + s.line }))) return false;
  }
  return true;
}

async function runOne(session: Session, text: string, origin: Origin): Promise<boolean | 'quit'> {
  try {
    return (await session.execute(text, origin)) === 'quit' ? 'quit' : true;
  } catch (e) {
    if (!(e instanceof StatementError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return false;
  }
}

/** Statements piped on stdin, run as they arrive (a statement runs once its ';' came). */
async function runStdin(session: Session, interrupted: () => boolean): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  let buffer = '';
  let line = 0;
  let bufferLine = 0;
  for await (const l of rl) {
    if (buffer === '') bufferLine = line;
    buffer += l + '\n';
    line++;
    const { statements, rest, restLine } = cutStatements(buffer);
    for (const s of statements) {
      if (interrupted()) break;
      const r = await runOne(session, s.text, { file: '', line: bufferLine + s.line });
      if (r === 'quit') return true;
      if (!r) {
        rl.close();
        return false;
      }
    }
    bufferLine += restLine;
    buffer = rest;
  }
  if (!isBlank(buffer)) return (await runOne(session, buffer, { file: '', line: bufferLine })) !== false;
  return true;
}

/** A script stopped at a failed statement: the jobs it started are stopped too, and the exit code is 1. */
async function failed(session: Session): Promise<number> {
  await session.stopAll();
  return 1;
}

/** After a script: INSERT jobs run in this process, so it waits for them and says what they wrote. */
async function finishJobs(session: Session, interrupted: () => boolean): Promise<number> {
  if (session.running > 0)
    process.stderr.write(
      `waiting for ${session.running} running job${session.running === 1 ? '' : 's'} (they run in this process; Ctrl-C stops them)\n`,
    );
  const jobs = await session.waitForJobs();
  for (const j of jobs)
    process.stderr.write(
      `job ${j.id} (${j.name}): ${j.status}${j.error ? `: ${j.error}` : `, wrote ${j.job.sinks.map((s) => s.writer.describe()).join('; ')}`}\n`,
    );
  if (jobs.some((j) => j.status === 'FAILED')) return 1;
  return interrupted() ? 130 : 0;
}

/** readline's output, muted while a query draws its live result (keys typed then are not echoed over it). */
class PromptOutput extends Writable {
  muted = false;
  readonly isTTY = true;
  get columns(): number {
    return process.stdout.columns;
  }
  get rows(): number {
    return process.stdout.rows;
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    // Done at once, not when stdout drained: a write held back here would pass the moment the
    // output is muted (the newline after a statement's Enter) and be lost.
    if (!this.muted) process.stdout.write(chunk);
    done();
  }
}

function historyFile(cwd: string): string {
  return join(defaultStoreDir(cwd), 'sql-history');
}

function loadHistory(file: string): string[] {
  let lines: string[];
  try {
    lines = readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < HISTORY_SIZE; i--) {
    const l = lines[i]!;
    if (l.trim() !== '' && !out.includes(l)) out.push(l);
  }
  // The file is appended to; once it is much longer than what is kept, it is written anew.
  if (lines.length > 2 * HISTORY_SIZE) {
    try {
      writeFileSync(file, [...out].reverse().join('\n') + '\n');
    } catch {
      // a read-only home keeps its long file
    }
  }
  return out;
}

function saveHistory(file: string, entry: string): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    appendFileSync(file, entry + '\n');
  } catch {
    // History is a convenience: a read-only home must not stop the shell.
  }
}

async function interactive(
  session: Session,
  cwd: string,
  setQueryHook: (start: (stop: () => void) => () => void) => void,
): Promise<number> {
  const file = historyFile(cwd);
  let history = loadHistory(file);
  const output = new PromptOutput();
  const rl: Interface = createInterface({
    input: process.stdin,
    output,
    terminal: true,
    history: [...history],
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: true,
    prompt: PROMPT,
  });
  const rlHistory = (rl as unknown as { history: string[] }).history;
  const setHistory = () => rlHistory.splice(0, rlHistory.length, ...history);
  emitKeypressEvents(process.stdin, rl);

  let running: (() => void) | undefined;
  setQueryHook((stop) => {
    running = stop;
    output.muted = true;
    return () => {
      running = undefined;
      // Whatever was typed over the live result is dropped; the prompt comes back clean.
      rl.write('', { ctrl: true, name: 'e' });
      rl.write('', { ctrl: true, name: 'u' });
      output.muted = false;
    };
  });
  process.stdin.on('keypress', (_s: string, key: { name?: string; ctrl?: boolean } | undefined) => {
    if (running && key?.name === 'q' && !key.ctrl) running();
  });

  process.stdout.write(
    `The fintrans-sql SQL shell: Flink SQL, one statement at a time; statements end with ';'.\n` +
      `Type HELP; for the statements, QUIT; (or Ctrl-D) to leave.\n\n`,
  );

  let buffer = '';
  let pendingLines: string[] = [];
  const queue: string[] = [];
  let pumping = false;
  let quitting = false;
  let resolveDone!: (code: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));

  const quit = async () => {
    if (quitting) return;
    quitting = true;
    if (session.running > 0) {
      process.stdout.write(
        `stopping ${session.running} running job${session.running === 1 ? '' : 's'}: flushing sinks and closing\n`,
      );
    }
    await session.stopAll();
    rl.close();
    process.stdout.write('Goodbye!\n');
    resolveDone(0);
  };

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      while (queue.length > 0 && !quitting) {
        const line = queue.shift()!;
        if (buffer === '' && line.trim() === '') continue;
        buffer += line + '\n';
        pendingLines.push(line.trim());
        const { statements, rest } = cutStatements(buffer);
        buffer = isBlank(rest) ? '' : rest;
        if (buffer === '') {
          // A statement typed over several lines is recalled as one line.
          const entry = pendingLines.filter((l) => l !== '').join(' ');
          pendingLines = [];
          history = [entry, ...history.filter((h) => h !== entry)].slice(0, HISTORY_SIZE);
          setHistory();
          // The file gets secrets as ***: a password typed in a CREATE TABLE is not kept on disk.
          saveHistory(file, redact(entry));
        }
        for (const s of statements) {
          if ((await runOne(session, s.text, { file: '', line: 0 })) === 'quit') {
            await quit();
            return;
          }
        }
      }
    } finally {
      pumping = false;
    }
    if (!quitting) {
      rl.setPrompt(buffer === '' ? PROMPT : CONTINUE);
      rl.prompt();
    }
  };

  rl.on('line', (line) => {
    queue.push(line);
    void pump().catch((e: unknown) => {
      process.stderr.write(`internal error (a bug in fintrans-sql): ${String(e)}\n`);
    });
  });
  rl.on('SIGINT', () => {
    if (running) {
      running();
      return;
    }
    // As in Flink's client: Ctrl-C drops the statement being typed; QUIT; or Ctrl-D leaves.
    const hadInput = buffer !== '' || rl.line !== '';
    buffer = '';
    pendingLines = [];
    setHistory();
    rl.write('', { ctrl: true, name: 'e' });
    rl.write('', { ctrl: true, name: 'u' });
    process.stdout.write(hadInput ? '^C\n' : '^C (QUIT; or Ctrl-D leaves the shell)\n');
    rl.setPrompt(PROMPT);
    rl.prompt();
  });
  // SIGTERM (a terminal closed, a kill) leaves as QUIT does: the jobs' sinks are flushed and closed.
  process.once('SIGTERM', () => void quit());
  rl.on('close', () => {
    if (!quitting) {
      process.stdout.write('\n');
      void quit();
    }
  });
  rl.prompt();
  return done;
}
