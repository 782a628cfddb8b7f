// What `validate` checks beyond the plan (issue 21): that each input the job reads is there, and
// that its TO_TIMESTAMP patterns (and its time attribute) read the first record of that input.
//
// Decided as a Flink or ksqlDB user expects it:
// - A file or directory a job reads ('filesystem' source or lookup table) that does not exist is an
//   error of that job, with the command that creates it: Flink fails the job at start for it too.
// - A topic with no records yet is not an error (a job may start before its producer, as with
//   Kafka's auto-created topics); validate says the patterns were not tried. A broker's topic is
//   not read: validate opens no connection.
// - A sink's path is never checked: the job creates it.
// - The first record is read as `run` reads it (the table's format, its computed columns): one
//   that does not decode is the error `run` would stop with; a TO_TIMESTAMP that gives NULL for a
//   non-NULL text names the column, the text, the pattern and, when one of the usual layouts reads
//   the text, that layout.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { SourceReader } from '../../connectors/api.js';
import { packRecords, type RawBatch } from '../../connectors/api.js';
import { EmbeddedTopicSource } from '../../connectors/embedded/source.js';
import { STORE_FILE, TopicStore } from '../../connectors/embedded/topic-store.js';
import { RecordError, SqlError } from '../../engine/errors.js';
import { compileScalar } from '../../engine/exec/compile.js';
import { SKIP_RECORD } from '../../engine/formats/registry.js';
import { defaultStoreDir } from '../../engine/home.js';
import { CITIES } from '../../generator/formats.js';
import type { Expr } from '../../engine/plan/expr.js';
import type { JobPlan, TableDef } from '../../engine/plan/logical.js';
import type { BuiltJob } from '../../engine/runtime/build.js';
import {
  sqlString,
  timestampCalls,
  timestampMiss,
  visitExpr,
  type TimestampCall,
} from '../../engine/runtime/time-pattern-hint.js';
import type { Row } from '../../engine/types.js';

/** Records looked at for a decodable one when the table skips bad records ('*.ignore-parse-errors'). */
const SKIPPING_LOOKS_AT = 100;

/** The reference files `npm run demo` (generate --reference) writes, by file name. */
const REFERENCE_FILES = new Set(['accounts.csv', 'account_versions.csv', 'blocklist.csv']);

/** The first records of an input, with where they are (`data/tx.csv:` + line, `transactions/0@` + offset). */
interface Sample {
  readonly where: string;
  readonly batch: RawBatch;
}

interface Sampled {
  /** null: the input has no records yet. */
  readonly records: Sample | null;
  /** The input in words, for a note ("topic 'transactions'"). */
  readonly input: string;
  /** What writes records there, for a note. */
  readonly writes: string;
}

/**
 * Checks the inputs of a built (not started) job. Throws the user error of the first problem;
 * returns notes on what could not be checked (an empty topic), one line each.
 */
export async function checkInputs(job: BuiltJob, cwd: string): Promise<string[]> {
  const notes: string[] = [];
  const lookupTables = job.lookups
    .map((l) => job.plan.tables.get(l.table))
    .filter((t): t is TableDef => t !== undefined);
  for (const t of [...job.sources.map((s) => s.table), ...lookupTables]) checkPath(t, cwd);
  for (const source of job.sources) {
    const table = source.table;
    const checks = timestampCalls(table);
    const wm = table.watermark;
    const rowtime = wm ? table.columns[wm.rowtimeIndex] : undefined;
    // A time attribute from the connector's metadata (a Kafka timestamp) cannot be wrong in the data.
    const rowtimeFromData =
      rowtime !== undefined &&
      rowtime.kind !== 'metadata' &&
      rowtime.kind !== 'proctime' &&
      !(rowtime.expr && readsMetadata(table, rowtime.expr));
    if (checks.length === 0 && !rowtimeFromData) continue;
    const samples = await firstRecords(table, source.reader, job.plan, cwd);
    if (samples === 'not read') continue;
    if (samples.records === null) {
      notes.push(
        `table '${table.name}': ${samples.input} has no records yet, so ` +
          `${checks.length > 0 ? 'its TO_TIMESTAMP patterns were' : `its time attribute '${rowtime!.name}' was`} ` +
          `not tried on one (${samples.writes} writes some)`,
      );
      continue;
    }
    checkFirstRecord(table, samples.records, checks);
  }
  return notes;
}

/** A 'filesystem' table's path must exist (a file, or a directory of files). */
function checkPath(table: TableDef, cwd: string): void {
  if (table.connectorName !== 'filesystem') return;
  const path = table.options.optionalString('path');
  if (path === undefined || existsSync(resolve(cwd, path))) return;
  throw table.options.bad(
    'path',
    `input '${path}' does not exist (a relative path starts at the directory fintrans-sql runs in)`,
    createHint(path),
  );
}

/** How the user gets the missing input: the demo's reference files, or generated transactions. */
function createHint(path: string): string {
  if (REFERENCE_FILES.has(basename(path)))
    return (
      `\`npm run demo\` writes it with the demo's other inputs, or \`fintrans-sql generate --count 1000 ` +
      `--reference ${dirname(path)}\` the reference files alone`
    );
  if (extname(path) === '' || path.endsWith('/'))
    return (
      `create the directory and put the input files in it (each file is read as a split), e.g. ` +
      `\`mkdir -p ${path.replace(/\/$/, '')} && fintrans-sql generate --count 100000 --out ${join(path, 'part-0.csv')}\``
    );
  return (
    `create it first, e.g. \`fintrans-sql generate --count 100000 --out ${path}\` writes transactions in ` +
    `the demo's format (see \`fintrans-sql generate --help\` for the others)`
  );
}

/**
 * The first records of the table's input, as its reader hands them to `run`; 'not read' for inputs
 * validate does not open (a broker's topic, connectors that decode records themselves).
 */
async function firstRecords(
  table: TableDef,
  reader: SourceReader,
  plan: JobPlan,
  cwd: string,
): Promise<Sampled | 'not read'> {
  if (!table.format) return 'not read';
  if (table.connectorName === 'filesystem') {
    const path = table.options.optionalString('path') ?? '';
    return {
      records: await fileRecords(reader),
      input: `'${path}'`,
      writes: `\`fintrans-sql generate --out ${path}\``,
    };
  }
  if (reader instanceof EmbeddedTopicSource) return topicRecords(table, plan, cwd);
  return 'not read';
}

async function fileRecords(reader: SourceReader): Promise<Sample | null> {
  await reader.open();
  try {
    // A directory's empty files end their split at once; the first batch is the first record.
    for (let i = 0; i < 1000; i++) {
      const r = await reader.poll(SKIPPING_LOOKS_AT);
      if (r.kind === 'end' || r.kind === 'idle') return null;
      if (r.kind !== 'batch') continue;
      const split = reader.splits[r.batch.split];
      const name = split?.name ?? `split ${r.batch.split}`;
      const sep = split?.positionSeparator ?? ':';
      return { where: `${name}${sep}`, batch: r.batch };
    }
    return null;
  } finally {
    await reader.close();
  }
}

/**
 * The first records of the table's topics in the embedded store, read without creating the store
 * or a topic (run creates them; validate changes nothing).
 */
function topicRecords(table: TableDef, plan: JobPlan, cwd: string): Sampled {
  const topicText = table.options.optionalString('topic');
  const patternText = table.options.optionalString('topic-pattern');
  const empty: Sampled = {
    records: null,
    input: topicText ? `topic '${topicText}'` : `topic-pattern '${patternText ?? ''}'`,
    writes: topicWriter(topicText),
  };
  const dirSetting = plan.settings.get('embedded.dir');
  const dir = dirSetting ? resolve(cwd, dirSetting) : defaultStoreDir(cwd);
  if (!existsSync(join(dir, STORE_FILE)) || !statSync(join(dir, STORE_FILE)).isFile()) return empty;
  const store = TopicStore.open(dir);
  try {
    const existing = store.topics();
    const topics = topicText
      ? topicText
          .split(';')
          .map((t) => t.trim())
          .filter((t) => existing.some((e) => e.name === t))
      : patternText
        ? existing.map((e) => e.name).filter((n) => new RegExp(`^(?:${patternText})$`).test(n))
        : [];
    for (const topic of topics) {
      const partitions = store.partitionCount(topic) ?? 0;
      for (let p = 0; p < partitions; p++) {
        const records = store.read(topic, p, 0, SKIPPING_LOOKS_AT);
        if (records.length === 0) continue;
        const batch: RawBatch = {
          split: 0,
          count: records.length,
          values: packRecords(records.map((r) => r.value)),
          positions: records.map((r) => r.offset),
        };
        return { ...empty, records: { where: `${topic}/${p}@`, batch } };
      }
    }
    return empty;
  } finally {
    store.close();
  }
}

/** The command that writes a topic: the demo's, the generator's other formats' topics, or any. */
function topicWriter(topic: string | undefined): string {
  if (topic === 'transactions') return '`npm run demo`';
  if (topic === 'transactions-data')
    return '`fintrans-sql generate --format json --count 1000 --to transactions-data`';
  if (topic !== undefined && topic.split(';').every((t) => CITIES.includes(t.trim())))
    return '`fintrans-sql generate --format fintrans --count 1000 --to cities`';
  return `\`fintrans-sql generate --count 1000 --to ${topic ?? '<topic>'}\``;
}

/**
 * Decodes the first record (the first decodable one when the table skips bad records) and checks
 * its TO_TIMESTAMP calls and time attribute.
 */
function checkFirstRecord(table: TableDef, sample: Sample, checks: readonly TimestampCall[]): void {
  const decoder = table.format!.createDecoder(
    table.columns
      .map((c, i) => ({ name: c.name, type: c.type, rowIndex: i, kind: c.kind }))
      .filter((c) => c.kind === 'physical'),
    table.options,
  );
  // Formats that must look something up first (a schema registry) are not sampled.
  if (decoder.prepare) return;
  const skipping = table.format!.ignoreParseErrors(table.options);
  const { where, batch } = sample;
  const values = batch.values!;
  for (let i = 0; i < batch.count; i++) {
    const start = values.starts[i]!;
    const end = values.ends[i]!;
    const raw = start < 0 ? '' : values.bytes.toString('utf8', start, end);
    const row: Row = new Array(table.columns.length).fill(null);
    let reason: string | null;
    if (start < 0) reason = decoder.change ? SKIP_RECORD : 'the record has no value';
    else if (decoder.decodeText) reason = decoder.decodeText(raw, row);
    else reason = decoder.decode(values.bytes, start, end, row);
    const at = `${where}${batch.positions[i]!}`;
    if (reason === SKIP_RECORD) continue;
    if (reason !== null) {
      if (skipping) continue;
      throw new RecordError(at, raw, reason, table.name);
    }
    checkRow(table, row, at, checks);
    return;
  }
}

function checkRow(table: TableDef, row: Row, at: string, checks: readonly TimestampCall[]): void {
  const now = Date.now();
  table.columns.forEach((c, i) => {
    if (c.kind === 'proctime') row[i] = now;
    if (c.kind === 'computed' && c.expr && !readsMetadata(table, c.expr)) row[i] = compileScalar(c.expr)(row);
  });
  const miss = timestampMiss(checks, row);
  if (miss) {
    const name = miss.call.column.name;
    throw new SqlError(
      miss.call.column.pos,
      `column '${name}': ${miss.problem} of the first record (table '${table.name}', ${at}): ${name} would be NULL` +
        (table.watermark?.rowtimeName === name ? ' and the job would stop at that record' : ''),
      miss.rewrite !== undefined
        ? `the pattern ${sqlString(miss.better!)} reads it: write ${miss.rewrite}`
        : `write the pattern the records use, in java.time's DateTimeFormatter letters (e.g. 'dd MMMM yyyy HH:mm' for '23 July 2017 01:06'), or fix the input`,
    );
  }
  const wm = table.watermark;
  if (!wm) return;
  const rowtime = table.columns[wm.rowtimeIndex]!;
  const value = row[wm.rowtimeIndex];
  if (value !== null && value !== undefined) return;
  if (rowtime.kind === 'metadata' || (rowtime.expr && readsMetadata(table, rowtime.expr))) return;
  throw new SqlError(
    rowtime.pos,
    `the time attribute '${rowtime.name}' of table '${table.name}' is NULL for the first record (${at}): ` +
      `the job would stop at that record`,
    rowtime.kind === 'physical'
      ? `check that the record has a value for '${rowtime.name}' in the table's format`
      : `check that its expression reads the record's columns`,
  );
}

/** Whether an expression reads a metadata column (not filled here: validate reads values only). */
function readsMetadata(table: TableDef, e: Expr): boolean {
  let found = false;
  visitExpr(e, (x) => {
    if (x.kind !== 'column') return;
    const c = table.columns[x.index];
    if (
      c?.kind === 'metadata' ||
      (c?.kind === 'computed' && c.expr && c.expr !== e && readsMetadata(table, c.expr))
    )
      found = true;
  });
  return found;
}
