// One SQL shell session: the tables, views and SET values declared so far, the INSERT jobs it runs
// in the background, and the execution of one statement at a time. A query is planned as a job
// file would be, from the session's CREATE statements plus the query (engine/plan/planner.ts), and
// run by the same runtime as `fintrans-sql run` (engine/runtime/job.ts); a bare SELECT's rows go
// to the shell's result view through BuildOptions.selectSink.

import { randomBytes } from 'node:crypto';
import { FintransError, SqlError, printable, resourceErrorOf } from '../../engine/errors.js';
import { redact, secrets, isSecretOption, REDACTED } from '../../engine/secrets.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type {
  CreateTableStatement,
  CreateViewStatement,
  SetStatement,
  Statement,
} from '../../engine/sql/ast.js';
import { planJob } from '../../engine/plan/planner.js';
import { checkSetting } from '../../engine/plan/settings.js';
import { buildTable } from '../../engine/plan/tables.js';
import { explainPipelines, exprText } from '../../engine/plan/explain.js';
import { functionNames } from '../../engine/plan/bind.js';
import { buildJob, type BuiltJob } from '../../engine/runtime/build.js';
import { runJob } from '../../engine/runtime/job.js';
import { typeToString } from '../../engine/types.js';
import type { Expr } from '../../engine/plan/expr.js';
import { didYouMean } from '../../engine/errors.js';
import { isBlank, stripComments } from './split.js';
import {
  LiveView,
  RESULT_MODES,
  ResultSink,
  TableauView,
  boxTable,
  type ResultMode,
  type ResultView,
  type Screen,
} from './result.js';

export const RESULT_MODE_KEY = 'sql-client.execution.result-mode';

/** Where a statement came from: a file (positions are the file's) or the prompt (line:col only). */
export interface Origin {
  /** The file name shown in positions; '' for the prompt and -e. */
  readonly file: string;
  /** 0-based line of the file where the statement's text starts. */
  readonly line: number;
  /**
   * An init file (-i): it declares the session's tables, views and settings. Its queries are
   * skipped with a notice, so a job file can serve as one (Flink refuses them in an init file).
   */
  readonly init?: boolean;
}

/** A statement the shell could not run: the message is what the user sees (positions, hint). */
export class StatementError extends Error {}

/** What the user sees and how a running query is stopped. */
export interface SessionIo {
  readonly screen: Screen;
  /** Messages (errors, notices): stderr. */
  readonly err: (text: string) => void;
  /**
   * Called when a SELECT starts: the shell arranges for Ctrl-C (and 'q' on a terminal) to call
   * `stop`, and returns a function that undoes it when the query ends.
   */
  readonly onQuery: (stop: () => void) => () => void;
}

type Entry =
  | { readonly kind: 'table'; readonly name: string; readonly stmt: CreateTableStatement }
  | { readonly kind: 'view'; readonly name: string; readonly stmt: CreateViewStatement };

interface ShellJob {
  readonly id: string;
  readonly name: string;
  status: 'RUNNING' | 'FINISHED' | 'CANCELED' | 'FAILED';
  readonly started: Date;
  readonly job: BuiltJob;
  readonly controller: AbortController;
  readonly done: Promise<void>;
  error?: string;
}

export const HELP_TEXT = `Statements end with ';' and may span lines. Tables, views and SET values last for the session.

  CREATE TABLE t (...) WITH (...);       declare a table (same DDL as a job file)
  CREATE VIEW v AS SELECT ...;           declare a view
  DROP TABLE t;  DROP VIEW v;            forget one (IF EXISTS accepted)
  SELECT ...;                            run a query and show its result live (Ctrl-C or q stops it)
  INSERT INTO t SELECT ...;              submit a job that runs in the background
  EXPLAIN SELECT ... / INSERT ...;       the plan in words
  SHOW TABLES; SHOW VIEWS; SHOW FUNCTIONS; SHOW JOBS;
  DESCRIBE t;                            columns, types, watermark, options (secrets as ***)
  STOP JOB '<id>';                       stop a background job (flush and close its sinks)
  SET;  SET 'key' = 'value';             show the settings; set one
  RESET 'key';  RESET;                   remove one setting; all of them
  HELP;  QUIT;  (or EXIT, or Ctrl-D)

Result modes, as Flink's SQL client: SET '${RESULT_MODE_KEY}' = 'table' (default: the current
result, updated in place), 'changelog' (every change with its op: +I -U +U -D) or 'tableau'
(printed as the changes come). When stdout is not a terminal, results are printed as in tableau.
INSERT jobs run in this process without checkpoints: they stop when the shell quits.`;

export class Session {
  private readonly entries = new Map<string, Entry>();
  readonly settings = new Map<string, string>();
  private readonly jobs: ShellJob[] = [];

  constructor(
    private readonly cwd: string,
    private readonly io: SessionIo,
  ) {}

  /**
   * Runs one statement (its text without the ';'). Returns 'quit' for QUIT/EXIT. Throws
   * StatementError with the message to show when the statement fails.
   */
  async execute(text: string, origin: Origin): Promise<'quit' | void> {
    if (isBlank(text)) return;
    secrets.sqlText(text);
    try {
      return await this.run(text, origin);
    } catch (e) {
      throw new StatementError(describeError(e, text, origin));
    }
  }

  private async run(text: string, origin: Origin): Promise<'quit' | void> {
    const bare = stripComments(text).trim().replace(/\s+/g, ' ');
    const upper = bare.toUpperCase();
    const out = (s: string) => this.io.screen.write(s + '\n');
    if (upper === 'QUIT' || upper === 'EXIT') return 'quit';
    if (upper === 'HELP') return out(HELP_TEXT);
    if (upper === 'CLEAR') return this.io.screen.write('\x1b[H\x1b[2J');
    if (upper === 'SHOW TABLES') return out(listing('table name', this.names('table')));
    if (upper === 'SHOW VIEWS') return out(listing('view name', this.names('view')));
    if (upper === 'SHOW FUNCTIONS' || upper === 'SHOW USER FUNCTIONS')
      return out(listing('function name', upper === 'SHOW FUNCTIONS' ? functionNames() : []));
    if (upper === 'SHOW JOBS') return out(this.showJobs());
    let m = /^(?:DESCRIBE|DESC) (?:TABLE )?(`[^`]+`|[\w.$]+)$/i.exec(bare);
    if (m) return out(this.describe(unquote(m[1]!)));
    m = /^STOP JOB '([^']*)'(.*)$/i.exec(bare);
    if (m) return out(await this.stopJob(m[1]!, m[2]!.trim()));
    m = /^DROP (TEMPORARY )?(TABLE|VIEW) (IF EXISTS )?(`[^`]+`|[\w.$]+)$/i.exec(bare);
    if (m) return out(this.drop(m[2]!.toLowerCase() as 'table' | 'view', unquote(m[4]!), m[3] !== undefined));
    if (upper === 'SET') return out(this.showSettings());
    m = /^RESET(?: '((?:[^']|'')*)')?$/i.exec(bare);
    if (m) {
      if (m[1] === undefined) {
        this.settings.clear();
        return out('[INFO] All session properties have been set to their default values.');
      }
      this.settings.delete(m[1].replace(/''/g, "'"));
      return out(`[INFO] Session property '${m[1]}' has been reset.`);
    }
    if (/^SHOW\b/i.test(bare))
      throw new SqlError(
        undefined,
        `unknown SHOW statement '${bare}'`,
        'write SHOW TABLES, SHOW VIEWS, SHOW FUNCTIONS or SHOW JOBS',
      );

    // Everything else is SQL for the engine: parsed with its file positions (the prompt's: line:col).
    const padded = '\n'.repeat(origin.line) + text;
    const statements = parseSqlFile(padded, origin.file);
    // IF NOT EXISTS over a name the session has: nothing to do, as in Flink (the AST does not keep it).
    const ifNotExists = /^CREATE (?:TEMPORARY )?(?:TABLE|VIEW) IF NOT EXISTS (`[^`]+`|[\w$]+)/i.exec(bare);
    if (ifNotExists && statements.length === 1 && this.entries.has(unquote(ifNotExists[1]!)))
      return out('[INFO] Execute statement succeeded.');
    for (const s of statements) await this.statement(s, origin);
  }

  private async statement(s: Statement, origin: Origin): Promise<void> {
    const out = (t: string) => this.io.screen.write(t + '\n');
    switch (s.kind) {
      case 'set':
        return out(this.set(s));
      case 'create-table': {
        this.checkFree(s.name, s.namePos);
        buildTable(s); // checks the columns, connector, format and watermark now, as Flink does
        this.entries.set(s.name, { kind: 'table', name: s.name, stmt: s });
        return out('[INFO] Execute statement succeeded.');
      }
      case 'create-view': {
        this.checkFree(s.name, s.namePos);
        // Planned now, so a mistake in its query is reported at CREATE VIEW, as Flink does.
        const probe = parseSqlFile(`SELECT * FROM \`${s.name}\``, '');
        planJob([...this.declared(), s, ...probe], origin.file, this.engineSettings());
        this.entries.set(s.name, { kind: 'view', name: s.name, stmt: s });
        return out('[INFO] Execute statement succeeded.');
      }
      case 'explain': {
        const plan = planJob([...this.declared(), s], origin.file, this.engineSettings());
        buildJob(plan, { cwd: this.cwd, selectSink: () => new ResultSink([], { apply() {}, end() {} }) });
        return out(explainPipelines(plan.explain));
      }
      case 'insert':
      case 'select':
        if (origin.init) {
          const what = s.kind === 'insert' ? `INSERT INTO ${s.sink}` : 'SELECT';
          return out(
            `[INFO] Skipped the ${what} at ${origin.file}:${s.pos.line} (an init file declares; run queries at the prompt).`,
          );
        }
        return s.kind === 'insert' ? out(this.submit(s, origin)) : this.select(s, origin);
    }
  }

  /** The session's CREATE statements, in the order declared (views may read earlier ones). */
  private declared(): Statement[] {
    return [...this.entries.values()].map((e) => e.stmt);
  }

  /** Settings for the planner: the session's SET values without the client's own keys. */
  private engineSettings(): Map<string, string> {
    return new Map([...this.settings].filter(([k]) => !k.startsWith('sql-client.')));
  }

  private checkFree(name: string, pos: SqlError['pos']): void {
    const e = this.entries.get(name);
    if (e)
      throw new SqlError(
        pos,
        `${e.kind} '${name}' already exists in this session`,
        `DROP ${e.kind.toUpperCase()} ${name}; first, or give it another name`,
      );
  }

  private names(kind: 'table' | 'view'): string[] {
    return [...this.entries.values()]
      .filter((e) => e.kind === kind)
      .map((e) => e.name)
      .sort();
  }

  private set(s: SetStatement): string {
    if (s.key === RESULT_MODE_KEY) {
      const mode = s.value.toLowerCase();
      if (!RESULT_MODES.includes(mode as ResultMode))
        throw new SqlError(
          s.pos,
          `'${RESULT_MODE_KEY}' is 'table', 'changelog' or 'tableau', not '${s.value}'`,
          `SET '${RESULT_MODE_KEY}' = 'tableau';`,
        );
      this.settings.set(s.key, mode);
    } else {
      checkSetting(s);
      this.settings.set(s.key, s.value);
      // The shell runs its queries and jobs in one thread (the parallel runner is run's): say so.
      if (s.key === 'parallelism.default' && s.value.trim() !== '1')
        return `[INFO] Execute statement succeeded. (The shell runs queries and jobs at parallelism 1, with the same rows; 'fintrans-sql run --parallelism' runs a job file in worker threads.)`;
    }
    return '[INFO] Execute statement succeeded.';
  }

  private showSettings(): string {
    const rows = [...this.settings].sort(([a], [b]) => a.localeCompare(b));
    if (rows.length === 0) return `No session properties set (results show in '${this.resultMode()}' mode).`;
    return rows.map(([k, v]) => `'${k}' = '${isSecretOption(k) ? REDACTED : v}'`).join('\n');
  }

  private resultMode(): ResultMode {
    return (this.settings.get(RESULT_MODE_KEY) as ResultMode | undefined) ?? 'table';
  }

  private drop(kind: 'table' | 'view', name: string, ifExists: boolean): string {
    const e = this.entries.get(name);
    if (!e || e.kind !== kind) {
      if (ifExists) return '[INFO] Execute statement succeeded.';
      const guess = didYouMean(name, this.names(kind));
      throw new SqlError(
        undefined,
        e ? `'${name}' is a ${e.kind}, not a ${kind}` : `there is no ${kind} '${name}' in this session`,
        e
          ? `write DROP ${e.kind.toUpperCase()} ${name}`
          : guess
            ? `did you mean '${guess}'?`
            : `SHOW ${kind.toUpperCase()}S lists them`,
      );
    }
    // A view that reads the dropped object would fail later: say so now.
    const users = [...this.entries.values()].filter(
      (v) =>
        v.kind === 'view' &&
        v.name !== name &&
        new RegExp(`\\b${name}\\b`, 'i').test(JSON.stringify(v.stmt.query.select)),
    );
    this.entries.delete(name);
    return users.length > 0
      ? `[INFO] Execute statement succeeded. (view${users.length === 1 ? '' : 's'} ${users.map((u) => `'${u.name}'`).join(', ')} read${users.length === 1 ? 's' : ''} it: drop or recreate ${users.length === 1 ? 'it' : 'them'})`
      : '[INFO] Execute statement succeeded.';
  }

  private describe(name: string): string {
    const e = this.entries.get(name);
    if (!e) {
      const guess = didYouMean(name, this.entries.keys());
      throw new SqlError(
        undefined,
        `there is no table or view '${name}' in this session`,
        guess ? `did you mean '${guess}'?` : 'SHOW TABLES; and SHOW VIEWS; list them',
      );
    }
    if (e.kind === 'view') {
      const plan = planJob(
        [...this.declared(), ...parseSqlFile(`SELECT * FROM \`${name}\``, '')],
        '',
        this.engineSettings(),
      );
      const schema = plan.pipelines[0]!.root.schema;
      return boxTable(
        ['name', 'type', 'null', 'key', 'extras', 'watermark'],
        schema.map((f) => [
          f.name,
          typeToString({ ...f.type, nullable: true }),
          String(f.type.nullable).toUpperCase(),
          '',
          f.rowtime ? '*ROWTIME*' : '',
          '',
        ]),
      ).join('\n');
    }
    const t = buildTable(e.stmt);
    const names = t.columns.map((c) => c.name);
    const rows = t.columns.map((c, i) => {
      const extras =
        c.kind === 'computed' && c.expr
          ? `AS ${exprText(c.expr, names)}`
          : c.kind === 'proctime'
            ? 'AS PROCTIME()'
            : c.kind === 'metadata'
              ? `METADATA FROM '${c.metadataKey}'`
              : '';
      const type =
        typeToString({ ...c.type, nullable: true }) +
        (t.watermark?.rowtimeIndex === i ? ' *ROWTIME*' : c.kind === 'proctime' ? ' *PROCTIME*' : '');
      return [
        c.name,
        type,
        t.primaryKey?.includes(i) ? 'FALSE' : String(c.type.nullable).toUpperCase(),
        t.primaryKey?.includes(i) ? `PRI(${t.primaryKey.map((k) => names[k]).join(', ')})` : '',
        extras,
        t.watermark?.rowtimeIndex === i ? watermarkText(t.watermark.expr, names) : '',
      ];
    });
    const options = e.stmt.options.map((o) => [o.key, isSecretOption(o.key) ? REDACTED : printable(o.value)]);
    const box = boxTable(['name', 'type', 'null', 'key', 'extras', 'watermark'], rows);
    const opts = boxTable(['option', 'value'], options);
    // Secrets known to this process are redacted wherever they show (a password inside a URL too).
    return redact(
      [...box, `${rows.length} row${rows.length === 1 ? '' : 's'} in set`, '', ...opts].join('\n'),
    );
  }

  private showJobs(): string {
    if (this.jobs.length === 0) return 'Empty set';
    const rows = this.jobs.map((j) => [
      j.id,
      j.name,
      j.status,
      j.started.toISOString().replace('T', ' ').slice(0, 23),
      j.status === 'FAILED' ? (j.error ?? '') : j.job.sinks.map((s) => s.writer.describe()).join('; '),
    ]);
    const lines = boxTable(['job id', 'job name', 'status', 'start time', 'written'], rows);
    return redact([...lines, `${rows.length} row${rows.length === 1 ? '' : 's'} in set`].join('\n'));
  }

  private submit(s: Statement & { kind: 'insert' }, origin: Origin): string {
    const plan = planJob([...this.declared(), s], origin.file, this.engineSettings());
    const job = buildJob(plan, { cwd: this.cwd, notify: (m) => this.io.err(redact(m) + '\n') });
    const controller = new AbortController();
    const id = randomBytes(16).toString('hex');
    const name = this.settings.get('pipeline.name') ?? `insert-into_${s.sink}`;
    const entry: ShellJob = {
      id,
      name,
      status: 'RUNNING',
      started: new Date(),
      job,
      controller,
      done: runJob(job, { signal: controller.signal }).then(
        (r) => {
          entry.status = r.stopped ? 'CANCELED' : 'FINISHED';
        },
        (e: unknown) => {
          entry.status = 'FAILED';
          entry.error = redact(e instanceof Error ? e.message.split('\n')[0]! : String(e));
        },
      ),
    };
    this.jobs.push(entry);
    return `[INFO] Submitted the INSERT as a background job (SHOW JOBS; lists it, STOP JOB stops it):\nJob ID: ${id}`;
  }

  private async stopJob(idText: string, rest: string): Promise<string> {
    if (rest !== '')
      throw new SqlError(
        undefined,
        `STOP JOB ... ${rest} is not supported: jobs of the shell have no checkpoints to keep a savepoint of`,
        `write STOP JOB '${idText}'; (for savepoints, run the job with 'fintrans-sql run' and stop it with 'fintrans-sql stop --savepoint')`,
      );
    const matches = this.jobs.filter((j) => idText.length >= 4 && j.id.startsWith(idText.toLowerCase()));
    if (matches.length !== 1)
      throw new SqlError(
        undefined,
        matches.length === 0
          ? `there is no job '${idText}' in this session`
          : `'${idText}' names ${matches.length} jobs`,
        'SHOW JOBS; lists the jobs with their ids (a unique prefix of 4 or more characters will do)',
      );
    const j = matches[0]!;
    if (j.status !== 'RUNNING') return `[INFO] Job ${j.id} is already ${j.status}.`;
    j.controller.abort();
    await j.done;
    return `[INFO] Stopped job ${j.id}: ${j.job.sinks.map((s) => s.writer.describe()).join('; ')}.`;
  }

  private async select(s: Statement & { kind: 'select' }, origin: Origin): Promise<void> {
    const plan = planJob([...this.declared(), s], origin.file, this.engineSettings());
    const names = plan.pipelines[0]!.root.schema.map((f) => f.name);
    const types = plan.pipelines[0]!.root.schema.map((f) => f.type);
    const screen = this.io.screen;
    const mode = this.resultMode();
    const view: ResultView =
      screen.isTTY && mode !== 'tableau'
        ? new LiveView(names, mode, screen)
        : new TableauView(names, types, screen);
    const job = buildJob(plan, {
      cwd: this.cwd,
      selectSink: (ctx) => new ResultSink(ctx.physical, view),
      notify: (m) => this.io.err(redact(m) + '\n'),
    });
    // A query only looks: it leaves the consumer groups' committed offsets where the jobs put
    // them (as Flink's client does without checkpoints), so `-i jobs/x.sql` and a SELECT over its
    // topic do not move job x's group on.
    for (const src of job.sources) (src.reader as { commit?: unknown }).commit = undefined;
    const controller = new AbortController();
    const release = this.io.onQuery(() => controller.abort());
    try {
      const r = await runJob(job, { signal: controller.signal });
      view.end(r.stopped ? 'stopped' : 'finished');
    } catch (e) {
      view.end('failed');
      throw e;
    } finally {
      release();
    }
  }

  /** Stops every running job (quit, end of input with Ctrl-C): flush and close their sinks. */
  async stopAll(): Promise<void> {
    for (const j of this.jobs) if (j.status === 'RUNNING') j.controller.abort();
    await Promise.all(this.jobs.map((j) => j.done));
  }

  /** Waits for the background jobs (end of a script): bounded ones finish, others until stopAll. */
  async waitForJobs(): Promise<ShellJob[]> {
    await Promise.all(this.jobs.map((j) => j.done));
    return this.jobs;
  }

  get running(): number {
    return this.jobs.filter((j) => j.status === 'RUNNING').length;
  }
}

function listing(header: string, names: readonly string[]): string {
  if (names.length === 0) return 'Empty set';
  return [
    ...boxTable(
      [header],
      names.map((n) => [n]),
    ),
    `${names.length} row${names.length === 1 ? '' : 's'} in set`,
  ].join('\n');
}

/** A watermark as Flink's DESCRIBE shows it: `ts - INTERVAL '5' SECOND`. */
function watermarkText(e: Expr, names: readonly string[]): string {
  if (
    e.kind === 'call' &&
    e.fn === '-' &&
    e.args[1]?.kind === 'literal' &&
    e.args[1].type.name === 'INTERVAL'
  ) {
    const ms = e.args[1].value as number;
    const amount = ms % 1000 === 0 ? `'${ms / 1000}' SECOND` : `'${ms}' MILLISECOND`;
    return `${exprText(e.args[0]!, names)} - INTERVAL ${amount}`;
  }
  return exprText(e, names);
}

function unquote(name: string): string {
  return name.startsWith('`') ? name.slice(1, -1) : name;
}

/**
 * The message for a failed statement: `line:col: problem` (with the file's name when it came from
 * a file), the line itself with a caret under the column at the prompt, and the hint.
 */
export function describeError(e: unknown, text: string, origin: Origin): string {
  if (e instanceof SqlError) {
    if (!e.pos) return redact(`${e.problem}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
    const where = `${e.pos.file ? e.pos.file + ':' : ''}${e.pos.line}:${e.pos.col}`;
    let caret = '';
    if (!origin.file && e.pos.file === '') {
      const lineText = text.split('\n')[e.pos.line - 1 - origin.line];
      if (lineText !== undefined && lineText.length < 200)
        caret = `\n  ${printable(lineText)}\n  ${' '.repeat(Math.max(0, e.pos.col - 1))}^`;
    }
    return redact(`${where}: ${e.problem}${caret}${e.hint ? `\n  hint: ${e.hint}` : ''}`);
  }
  if (e instanceof FintransError && e.userError) return redact(e.message);
  const resource = resourceErrorOf(e);
  if (resource) return resource.message;
  return redact(
    `internal error (a bug in fintrans-sql): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
  );
}
