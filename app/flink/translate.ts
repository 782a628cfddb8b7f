// `fintrans-sql deploy`: a job file → the statements a Flink session cluster runs. Only what exists
// solely here is translated, each change listed for the user before anything is submitted:
// - a 'kafka' table on the embedded topic store → the real Kafka given by --brokers (bootstrap
//   servers, a group id, and the startup position the local run would take);
// - a single-file CSV/JSON sink → Flink's filesystem sink, which writes part files into a directory;
// - relative file paths → absolute ones (the TaskManagers do not run in the user's directory);
// - fintrans-only SET keys ('fintrans.*') → dropped, with what that means on Flink.
// What cannot be translated (a bare SELECT printed to this terminal, an upsert CSV file, ...) is
// refused with the reason, all refusals at once. The statements are read with the engine's parser
// (statement kinds, table options) and tokenizer (statement and WITH-clause spans in the text).

import { readFileSync } from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { FintransError, formatPos, type SourcePos } from '../../engine/errors.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type { CreateTableStatement } from '../../engine/sql/ast.js';
import { isKeyword, isOp, LineIndex, tokenize, type Token } from '../../engine/sql/tokenize.js';
import { planJob, sourceTables } from '../../engine/plan/planner.js';
import type { JobPlan, PlanNode } from '../../engine/plan/logical.js';
import { displayPath } from '../job-files.js';

/** Without it Flink's file sink keeps part files in progress (invisible) for ever on a Kafka source. */
export const DEFAULT_CHECKPOINT_INTERVAL = '10s';

export interface DeployOptions {
  /** Kafka bootstrap servers the cluster reaches, for tables on the embedded topic store. */
  readonly brokers?: string;
  /** Read source topics from the earliest offset (as `run --from-beginning`). */
  readonly fromBeginning?: boolean;
  /** --set key=value: SET statements that win over the file's. */
  readonly settings?: ReadonlyMap<string, string>;
  readonly cwd: string;
}

/** One statement as it will be submitted, and where it came from. */
export interface DeployStatement {
  readonly sql: string;
  /** The statement's first character in the job file (Flink's "line 1, column 1"), if it has one. */
  readonly pos?: SourcePos;
  readonly kind: 'set' | 'create-table' | 'create-view' | 'insert';
}

export interface DeployPlan {
  readonly file: string;
  /** What was changed, one line each, in file order. */
  readonly translations: readonly string[];
  readonly statements: readonly DeployStatement[];
  /** The job's name on the cluster ('pipeline.name'). */
  readonly jobName: string;
  /** Directories the filesystem sinks write their part files into. */
  readonly sinkDirs: ReadonlyMap<string, string>;
}

/** The job cannot run on Flink as written; the message lists every reason with its position. */
export class DeployRefused extends FintransError {
  readonly userError = true;
  constructor(
    readonly file: string,
    readonly reasons: readonly { pos?: SourcePos; why: string; hint?: string }[],
  ) {
    super(
      `cannot deploy ${file} to Flink: ${reasons.length} thing${reasons.length === 1 ? '' : 's'} exist${reasons.length === 1 ? 's' : ''} only in fintrans-sql\n` +
        reasons
          .map(
            (r) =>
              `  ${r.pos ? formatPos(r.pos) + ': ' : ''}${r.why}${r.hint ? `\n    hint: ${r.hint}` : ''}`,
          )
          .join('\n'),
    );
  }
}

/** Reads, plans (so a mistake is reported here with file:line:col) and translates one job file. */
export function translateJobFile(abs: string, opts: DeployOptions): DeployPlan {
  const text = readFileSync(abs, 'utf8');
  return translateJob(text, displayPath(abs, opts.cwd), opts);
}

export function translateJob(text: string, file: string, opts: DeployOptions): DeployPlan {
  const statements = parseSqlFile(text, file);
  // Planning checks the job as `run` would (names, types, options), before anything is sent.
  const plan = planJob(statements, file, opts.settings ?? new Map());
  const sinks = new Set<string>();
  const sources = new Set<string>();
  for (const p of plan.pipelines) {
    if (p.sink) sinks.add(p.sink.name);
    for (const t of sourceTables(p.root)) sources.add(t.name);
  }
  if (plan.lateSink) sinks.add(plan.lateSink.name);

  const lines = new LineIndex(text, file);
  const tokens = tokenize(text, lines);
  const spans = statementSpans(tokens, lines);
  const spanOf = (pos: SourcePos): Span => {
    const span = spans.find((s) => !before(pos, s.startPos) && !before(s.endPos, pos));
    if (!span) throw new Error(`deploy: no statement span holds ${formatPos(pos)}`);
    return span;
  };

  const translations: string[] = [];
  const refusals: { pos?: SourcePos; why: string; hint?: string }[] = [];
  const out: DeployStatement[] = [];
  const inserts: DeployStatement[] = [];
  const sinkDirs = new Map<string, string>();
  const cliSettings = opts.settings ?? new Map<string, string>();
  const fileSettings = new Map<string, string>();
  let hasFileSink = false;

  for (const s of statements) {
    switch (s.kind) {
      case 'set': {
        if (s.key.startsWith('fintrans.')) {
          translations.push(
            `${formatPos(s.pos)}: SET '${s.key}' dropped: a fintrans-sql setting Flink does not have${fintransSettingNote(s.key)}`,
          );
          break;
        }
        if (cliSettings.has(s.key)) break; // --set wins, as in `run`
        fileSettings.set(s.key, s.value);
        break;
      }
      case 'create-table': {
        const span = spanOf(s.pos);
        const role = sinks.has(s.name) ? 'sink' : sources.has(s.name) ? 'source' : 'unused';
        const t = translateTable(s, role, opts);
        translations.push(...t.notes);
        refusals.push(...t.refusals);
        if (t.sinkDir) {
          sinkDirs.set(s.name, t.sinkDir);
          hasFileSink = true;
        }
        out.push({
          sql: t.options ? replaceWith(text, tokens, span, t.options) : text.slice(span.start, span.end),
          pos: s.pos,
          kind: 'create-table',
        });
        break;
      }
      case 'create-view': {
        const span = spanOf(s.pos);
        out.push({ sql: text.slice(span.start, span.end), pos: s.pos, kind: 'create-view' });
        break;
      }
      case 'insert': {
        const span = spanOf(s.pos);
        // From the INSERT keyword: `EXECUTE STATEMENT SET BEGIN INSERT ...` splits into its INSERTs.
        const first = tokens.findIndex((t) => t.start >= span.start && isKeyword(t, 'INSERT'));
        const start = first >= 0 && tokens[first]!.start < span.end ? tokens[first]!.start : span.start;
        inserts.push({ sql: text.slice(start, span.end), pos: lines.pos(start), kind: 'insert' });
        break;
      }
      case 'select':
        refusals.push({
          pos: s.pos,
          why: 'a bare SELECT prints its rows to this terminal; a job on a cluster has no terminal',
          hint: `write INSERT INTO a table (a 'kafka' topic, a 'filesystem' directory, or 'print' for the TaskManager's log)`,
        });
        break;
      case 'explain':
        refusals.push({
          pos: s.pos,
          why: 'EXPLAIN prints a plan here and runs nothing',
          hint: `remove it before deploying; 'fintrans-sql explain' shows the plan`,
        });
        break;
    }
  }
  refusals.push(...lookupRefusals(plan));
  if (refusals.length > 0) throw new DeployRefused(file, refusals);

  const settings = new Map(fileSettings);
  for (const [k, v] of cliSettings) {
    if (k.startsWith('fintrans.')) continue;
    settings.set(k, v);
  }
  const jobName = settings.get('pipeline.name') ?? basename(file, extname(file));
  if (!settings.has('pipeline.name')) {
    settings.set('pipeline.name', jobName);
    translations.push(
      `SET 'pipeline.name' = '${jobName}' added: the job's name in 'fintrans-sql flink jobs'`,
    );
  }
  if (
    hasFileSink &&
    !settings.has('execution.checkpointing.interval') &&
    [...sources].some((n) => plan.tables.get(n)?.connectorName === 'kafka')
  ) {
    settings.set('execution.checkpointing.interval', DEFAULT_CHECKPOINT_INTERVAL);
    translations.push(
      `SET 'execution.checkpointing.interval' = '${DEFAULT_CHECKPOINT_INTERVAL}' added: Flink's file sink makes part files visible only at checkpoints (here rows are written as they come)`,
    );
  }
  const setStatements: DeployStatement[] = [...settings].map(([k, v]) => ({
    sql: `SET ${quote(k)} = ${quote(v)}`,
    kind: 'set',
  }));
  let insertStatements = inserts;
  if (inserts.length > 1) {
    // Here every INSERT of a file runs in one job; Flink would start one job per INSERT.
    translations.push(
      `${inserts.length} INSERTs wrapped in EXECUTE STATEMENT SET: one Flink job, as they run together here`,
    );
    insertStatements = [
      {
        sql: `EXECUTE STATEMENT SET\nBEGIN\n${inserts.map((i) => i.sql + ';').join('\n')}\nEND`,
        pos: inserts[0]!.pos!,
        kind: 'insert',
      },
    ];
  }
  return {
    file,
    translations,
    statements: [...setStatements, ...out, ...insertStatements],
    jobName,
    sinkDirs,
  };
}

interface TableTranslation {
  /** The new WITH options, or undefined to keep the table as written. */
  options?: [string, string][];
  notes: string[];
  refusals: { pos?: SourcePos; why: string; hint?: string }[];
  sinkDir?: string;
}

function translateTable(
  s: CreateTableStatement,
  role: 'source' | 'sink' | 'unused',
  opts: DeployOptions,
): TableTranslation {
  const options = s.options.map((o) => [o.key, o.value] as [string, string]);
  const get = (k: string): string | undefined => options.find(([key]) => key === k)?.[1];
  const set = (k: string, v: string): void => {
    const i = options.findIndex(([key]) => key === k);
    if (i >= 0) options[i] = [k, v];
    else options.push([k, v]);
  };
  const where = `${formatPos(s.namePos)}: table '${s.name}'`;
  const notes: string[] = [];
  const refusals: TableTranslation['refusals'] = [];
  const connector = get('connector');
  if (connector === 'kafka' || connector === 'upsert-kafka') {
    let changed = false;
    if (get('properties.bootstrap.servers') === undefined) {
      if (opts.brokers === undefined) {
        refusals.push({
          pos: s.namePos,
          why: `table '${s.name}' uses the embedded topic store (no 'properties.bootstrap.servers'), which exists only in fintrans-sql`,
          hint: `give the Kafka the cluster reads and writes: deploy ... --brokers host:port`,
        });
        return { notes, refusals };
      }
      set('properties.bootstrap.servers', opts.brokers);
      notes.push(
        `${where}: embedded topic store → Kafka at ${opts.brokers} ('properties.bootstrap.servers')`,
      );
      changed = true;
    }
    // 'upsert-kafka' reads its topic from the beginning in both engines: no start position to carry over.
    if (role === 'source' && connector === 'kafka') {
      if (get('properties.group.id') === undefined) {
        // The group id fintrans-sql uses for the table (connectors/kafka/options.ts).
        set('properties.group.id', `fintrans-sql-${s.name}`);
        notes.push(
          `${where}: 'properties.group.id' = 'fintrans-sql-${s.name}' added, as fintrans-sql names it`,
        );
        changed = true;
      }
      const mode = get('scan.startup.mode') ?? 'group-offsets';
      if (opts.fromBeginning && mode !== 'earliest-offset') {
        set('scan.startup.mode', 'earliest-offset');
        notes.push(`${where}: 'scan.startup.mode' = 'earliest-offset' (--from-beginning)`);
        changed = true;
      } else if (mode === 'group-offsets' && get('properties.auto.offset.reset') === undefined) {
        // Here a group without committed offsets starts at the beginning; Flink's default is to fail.
        set('properties.auto.offset.reset', 'earliest');
        notes.push(
          `${where}: 'properties.auto.offset.reset' = 'earliest' added: with no committed offsets 'group-offsets' starts at the beginning, as here (Flink would fail)`,
        );
        changed = true;
      }
    }
    return changed ? { options, notes, refusals } : { notes, refusals };
  }
  if (connector === 'filesystem') {
    const path = get('path');
    if (path === undefined) return { notes, refusals };
    if (role === 'sink' && s.primaryKey && s.primaryKey.columns.length > 0) {
      refusals.push({
        pos: s.namePos,
        why: `table '${s.name}' is an upsert file (a PRIMARY KEY on a 'filesystem' sink), which exists only in fintrans-sql: Flink's file sink is append-only`,
        hint: `write the updating result to an 'upsert-kafka' or 'jdbc' table for the cluster`,
      });
      return { notes, refusals };
    }
    const abs = isAbsolute(path) ? path : resolve(opts.cwd, path);
    if (role === 'sink' && extname(abs) !== '') {
      // A path with an extension is one file here; Flink's sink always writes a directory of part files.
      const dir = join(dirname(abs), basename(abs, extname(abs)));
      set('path', dir);
      notes.push(
        `${where}: single file ${path} → Flink's filesystem sink writing part files (part-<uuid>-<subtask>-<n>) into ${dir}/`,
      );
      return { options, notes, refusals, sinkDir: dir };
    }
    if (abs !== path) {
      set('path', abs);
      notes.push(`${where}: relative path ${path} → ${abs} (the TaskManagers do not run in this directory)`);
      return { options, notes, refusals, ...(role === 'sink' ? { sinkDir: abs } : {}) };
    }
    return { notes, refusals, ...(role === 'sink' ? { sinkDir: abs } : {}) };
  }
  return { notes, refusals };
}

/**
 * A lookup join on a 'filesystem' table (a reference CSV read whole here) has no Flink
 * counterpart: Flink's filesystem source cannot be looked up, and it plans the join as a
 * processing-time temporal join, which it refuses ("not supported yet").
 */
function lookupRefusals(plan: JobPlan): { pos?: SourcePos; why: string; hint?: string }[] {
  const out: { pos?: SourcePos; why: string; hint?: string }[] = [];
  const seen = new Set<PlanNode>();
  const named = new Set<string>();
  const visit = (n: PlanNode): void => {
    if (seen.has(n)) return;
    seen.add(n);
    if (n.kind === 'lookup-join' && n.table.connectorName === 'filesystem' && !named.has(n.table.name)) {
      named.add(n.table.name);
      out.push({
        pos: n.table.pos,
        why: `table '${n.table.name}' is looked up (FOR SYSTEM_TIME AS OF a processing time) from a 'filesystem' file, which only fintrans-sql can do: Flink's filesystem connector cannot be looked up`,
        hint: `on Flink, look it up in a 'jdbc' table, or join a versioned table (PRIMARY KEY and WATERMARK) AS OF the rows' event time`,
      });
    }
    n.inputs.forEach(visit);
  };
  for (const p of plan.pipelines) visit(p.root);
  return out;
}

function fintransSettingNote(key: string): string {
  switch (key) {
    case 'fintrans.late-records.sink':
      return ' (Flink drops late records; nothing is written to that table)';
    case 'fintrans.sink.append-updates':
      return ' (Flink refuses an updating result into an append-only sink)';
    default:
      return '';
  }
}

interface Span {
  start: number;
  end: number;
  startPos: SourcePos;
  endPos: SourcePos;
  /** Index of the first and one past the last token. */
  from: number;
  to: number;
}

/** The file's statements as text spans, split on ';' as the engine's parser splits them. */
function statementSpans(tokens: readonly Token[], lines: LineIndex): Span[] {
  const spans: Span[] = [];
  let from = 0;
  for (let k = 0; k <= tokens.length; k++) {
    if (k === tokens.length || isOp(tokens[k], ';')) {
      if (k > from) {
        const start = tokens[from]!.start;
        const end = tokens[k - 1]!.end;
        spans.push({ start, end, startPos: lines.pos(start), endPos: lines.pos(end), from, to: k });
      }
      from = k + 1;
    }
  }
  return spans;
}

function before(a: SourcePos, b: SourcePos): boolean {
  return a.line < b.line || (a.line === b.line && a.col < b.col);
}

/** The CREATE TABLE's text with its WITH (...) clause written anew from `options`. */
function replaceWith(
  text: string,
  tokens: readonly Token[],
  span: Span,
  options: [string, string][],
): string {
  // The WITH of a CREATE TABLE is the last one at parenthesis depth 0 (a computed column cannot hold one).
  let depth = 0;
  let withAt = -1;
  for (let k = span.from; k < span.to; k++) {
    const t = tokens[k]!;
    if (isOp(t, '(')) depth++;
    else if (isOp(t, ')')) depth--;
    else if (depth === 0 && isKeyword(t, 'WITH') && isOp(tokens[k + 1], '(')) withAt = k;
  }
  const clause = `WITH (\n${options.map(([k, v]) => `  ${quote(k)} = ${quote(v)}`).join(',\n')}\n)`;
  if (withAt < 0) return `${text.slice(span.start, span.end)}\n${clause}`;
  let close = withAt + 1;
  for (depth = 0; close < span.to; close++) {
    if (isOp(tokens[close], '(')) depth++;
    else if (isOp(tokens[close], ')') && --depth === 0) break;
  }
  const end = close < span.to ? tokens[close]!.end : span.end;
  return text.slice(span.start, tokens[withAt]!.start) + clause + text.slice(end, span.end);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}
