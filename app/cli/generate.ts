// `fintrans-sql generate`: writes generated transactions to stdout, a file or Kafka topics, and the
// planted cases' ground truth to a CSV file. The binary's entry point wires `io` to the process.

import { mkdir, open, writeFile, type FileHandle } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { CITIES, FORMAT_NAMES, isFormatName, type FormatName } from '../../generator/formats.js';
import { openAvroValueWriter } from '../../generator/avro.js';
import {
  DEFAULT_ACCOUNTS,
  DEFAULT_START_MS,
  DEFAULT_STEP_MS,
  DEFAULT_THRESHOLD,
  DEFAULT_WINDOW_MS,
  MAX_ACCOUNTS,
  TransactionGenerator,
  validateGeneratorOptions,
  writeTruthCsv,
  type GeneratedRecord,
  type GeneratorOptions,
} from '../../generator/generate.js';
import { UNIT_MS } from '../../engine/time/units.js';
import {
  BLOCKLIST_TRUTH_FILE,
  CASHOUT_TRUTH_FILE,
  LAYERING_TRUTH_FILE,
  blocklistTruthCsv,
  cashoutTruthCsv,
  layeringTruthCsv,
} from '../../generator/patterns.js';
import { accountVersionsCsv, accountsCsv, blocklistCsv } from '../../generator/reference.js';
import {
  CARD_TESTING_TRUTH_FILE,
  FIRST_CONTACT_TRUTH_FILE,
  STRUCTURING_TRUTH_FILE,
  cardTestingTruthCsv,
  firstContactTruthCsv,
  structuringTruthCsv,
} from '../../generator/event-patterns.js';
import { PLANT_KINDS, type PlantKind } from '../../generator/plant.js';
import { TOP_SENDERS_TRUTH_FILE, topSendersTruthCsv } from '../../generator/top-senders.js';

/** A generated record as it goes to a topic: text, or bytes (--format avro). */
export type TopicRecord = Omit<GeneratedRecord, 'value'> & { value: string | Buffer };

export interface TopicWriter {
  write(records: TopicRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface GenerateIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  /** A writer for `topic`, or for each record's own topic when null (fintrans cities). */
  openTopic(topic: string | null): Promise<TopicWriter>;
  /** Stops the run (like Ctrl-C). Without it, runGenerate listens for SIGINT/SIGTERM while it runs. */
  signal?: AbortSignal;
}

/** `--to cities`: each fintrans record goes to its own city topic. */
const CITIES_DESTINATION = 'cities';
const SEE_HELP = 'see fintrans-sql generate --help';
/**
 * Records per text chunk / per topic batch: big enough to amortise writes, small enough to stay
 * responsive. Text chunks aim at a few hundred KB: much bigger ones cost more in GC than they save.
 */
function textChunkRecords(format: FormatName): number {
  return format === 'json' ? 2048 : 32_768;
}
const TOPIC_BATCH = 10_000;

export const GENERATE_HELP = `Usage: fintrans-sql generate [options]

Generates financial transactions, optionally with planted money-laundering cases and their
ground truth, for the demo jobs and for tests.

What to generate:
  --format F        dcos          Sunday, 23-Jul-17 01:06:47 UTC;66;26;7810   (topic transactions)
                    dcos-rfc3339  2017-07-23T01:06:47Z;66;26;7810             (topic transactions)
                    fintrans      66 26 7810  to a city topic: ${CITIES.join(', ')}
                                  (event time = record timestamp; in a file: 2017-07-23T01:06:47Z;London;66;26;7810)
                    json          PyFlink banking records                     (topic transactions-data)
                    avro          the dcos transfers as Avro values (--to a topic only), for
                                  (tx_time TIMESTAMP(3), sender BIGINT, receiver BIGINT, amount BIGINT):
                                  'format' = 'avro' reads them; with --registry, 'avro-confluent'
                    default: dcos
  --registry URL    (--format avro) a Confluent-API schema registry: the producer schema
                    bank.Transaction is registered under <topic>-value and each value is in the
                    Confluent wire format (magic byte, schema id, datum)
  --count N         number of records (planted transfers included)
  --rate R          records per second in real time, stamped with the wall clock; runs until
                    --count is reached or Ctrl-C / SIGTERM. Give --count, --rate or both.
  --seed S          PRNG seed, same seed = same records (default 1)
  --accounts N      account ids 0..N-1 (default ${DEFAULT_ACCOUNTS})
  --start TIME      event time of the first record, ISO-8601 (default 2017-07-23T00:00:00Z)
  --step-ms N       event-time step between records in ms (default ${DEFAULT_STEP_MS}: 6000 per 10 minutes)

Planted cases (transfer formats only):
  --plant N         plant N cases on fresh account pairs, rotating: laundering (over the threshold in
                    one window), straddling (over it in two adjacent windows), decoy (at or just
                    under it). Background traffic never exceeds the threshold in any window, so the
                    truth file is exactly what a TUMBLE job should alert on. (default 0)
  --window D        tumble window the truth is for: 30s, 10m, 1h, ... (default 10m)
  --threshold N     alert when a pair's window sum is strictly greater (default ${DEFAULT_THRESHOLD})
  --truth FILE      write the planted cases as CSV:
                    id,kind,sender,receiver,window_start,window_end,total,transfers,expected_alert
                    (with the patterns below planted, their pairs' windows are listed too: a single
                    transfer over the threshold is a window over it)

Planted patterns for the join jobs (transfer formats only; each rotates a case with two decoys):
  --plant-cashout N    rapid cash-outs: a deposit over 10 000 into an account, then a transfer out
                       of ≥ 80 % of it within the hour (decoys: < 80 %, or after the hour)
  --plant-layering N   layering chains a→b→c: a transfer over 10 000, then one from b (not back to a)
                       within 10 minutes, within 10 % of the amount (decoys: slower, amount off)
  --plant-blocklist N  transfers to blocklisted accounts once listed (decoys: before the listing)
  --pattern-truth DIR  write their truth: ${CASHOUT_TRUTH_FILE}, ${LAYERING_TRUTH_FILE},
                       ${BLOCKLIST_TRUTH_FILE}; one row per candidate with expected_alert
                       (a layering hop is also a rapid cash-out, and its row there says so)

Planted patterns for the per-event jobs (background traffic is kept from making them):
  --plant-structuring N   three transfers of 9 000–9 999 from one account within 24 h
                          (decoys: the third at exactly 10 000, or at 8 999)
  --plant-card-testing N  three or more payments under 10 in a row, then one of 1 000 or more within
                          30 min of the first (decoys: 31–45 min after, or only 100–999)
  --plant-first-contact N the first transfer of a new pair, above 5 000 (decoys: a first transfer of
                          at most 5 000, then a large one)
                          Their truth (with --pattern-truth): ${STRUCTURING_TRUTH_FILE},
                          ${CARD_TESTING_TRUTH_FILE}, ${FIRST_CONTACT_TRUTH_FILE}: every match
                          of the job's definition over all transfers, and the decoys
  --plant-top-senders N   (--format fintrans) six transfers of 8 000–8 999 from one account in one
                          city within a 10-minute window: in its top three (decoys: five, one per
                          city). Truth: ${TOP_SENDERS_TRUTH_FILE}, top_senders.sql's whole output
                          (every city and window) and the decoys
  --reference DIR      write reference data (no header rows, as Flink's CSV format reads them):
                       accounts.csv          id,owner,country,risk_tier,opened
                       account_versions.csv  valid_from,id,owner,country,risk_tier,opened
                                             (risk tiers change during the run: a versioned table)
                       blocklist.csv         account_id,reason,listed_at
                       Background traffic then never touches a blocklisted account.

Where to (one of; default stdout):
  --out FILE        write lines to FILE (fast); - is stdout
  --to TOPIC        send to a Kafka topic; for fintrans write --to cities (each record's city topic)
  --brokers H:P,..  that topic on a Kafka cluster (or KAFKA_BROKERS); default: the embedded store
  --property K=V    a Kafka client property, repeatable (security.protocol=SASL_SSL, sasl.mechanism=...)

  -h, --help        show this help

Examples:
  fintrans-sql generate --count 1000000 --plant 30 --out tx.csv --truth truth.csv
  fintrans-sql generate --count 300000 --plant-cashout 30 --plant-layering 30 --plant-blocklist 30 \
      --reference data --pattern-truth output/truth --to transactions
  fintrans-sql generate --format fintrans --rate 10 --to cities
  fintrans-sql generate --format avro --count 1000 --to transactions --registry http://localhost:8081
`;

class UsageError extends Error {}

type Destination =
  { kind: 'stdout' } | { kind: 'file'; path: string } | { kind: 'topic'; topic: string | null };

interface GenerateRequest {
  options: GeneratorOptions;
  /** Records per second in real time, or null for as fast as possible in simulated time. */
  rate: number | null;
  destination: Destination;
  truthPath: string | null;
  patternTruthDir: string | null;
  referenceDir: string | null;
  /** --format avro: the transfers as Avro values, in the Confluent wire format with a registry. */
  avro: { registry: string | undefined } | null;
}

/** Runs the subcommand; returns the exit code (0 ok, 1 runtime failure, 2 bad usage). */
export async function runGenerate(argv: string[], io: GenerateIO): Promise<number> {
  let request: GenerateRequest | 'help';
  try {
    request = parseGenerateArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`fintrans-sql generate: ${err.message} (${SEE_HELP})\n`);
      return 2;
    }
    throw err;
  }
  if (request === 'help') {
    io.stdout.write(GENERATE_HELP);
    return 0;
  }
  try {
    return await generate(request, io);
  } catch (err) {
    io.stderr.write(`fintrans-sql generate: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Flags

const FLAGS = {
  format: { type: 'string' },
  registry: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  accounts: { type: 'string' },
  plant: { type: 'string' },
  'plant-cashout': { type: 'string' },
  'plant-layering': { type: 'string' },
  'plant-blocklist': { type: 'string' },
  'plant-structuring': { type: 'string' },
  'plant-card-testing': { type: 'string' },
  'plant-first-contact': { type: 'string' },
  'plant-top-senders': { type: 'string' },
  'pattern-truth': { type: 'string' },
  reference: { type: 'string' },
  window: { type: 'string' },
  threshold: { type: 'string' },
  start: { type: 'string' },
  'step-ms': { type: 'string' },
  truth: { type: 'string' },
  to: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function parseGenerateArgs(argv: string[]): GenerateRequest | 'help' {
  const values = (() => {
    try {
      return parseArgs({ args: argv, options: FLAGS, strict: true, allowPositionals: false }).values;
    } catch (err) {
      throw new UsageError(describeParseArgsError(err));
    }
  })();
  if (values.help) return 'help';

  // Avro values are the dcos transfers (planted cases and all), encoded on their way to the topic.
  const avroValues = values.format === 'avro';
  if (avroValues && values.to === undefined)
    throw new UsageError('--format avro writes Avro values to a topic: give --to <topic>');
  if (!avroValues && values.registry !== undefined) throw new UsageError('--registry is for --format avro');
  const formatText = avroValues ? 'dcos-rfc3339' : (values.format ?? 'dcos');
  if (!isFormatName(formatText)) {
    throw new UsageError(`unknown --format '${formatText}': use one of ${FORMAT_NAMES.join(', ')}`);
  }
  const format: FormatName = formatText;

  const count = values.count === undefined ? null : wholeNumber('--count', values.count);
  const rate = values.rate === undefined ? null : positiveNumber('--rate', values.rate);
  if (count === null && rate === null) {
    throw new UsageError('say how many records: --count N, or --rate R (per second, until Ctrl-C), or both');
  }
  if (rate !== null && (values.start !== undefined || values['step-ms'] !== undefined)) {
    throw new UsageError(
      '--start and --step-ms set simulated time; with --rate, records carry the wall clock',
    );
  }
  const plant = values.plant === undefined ? 0 : wholeNumber('--plant', values.plant);
  if (plant > 0 && format === 'json') {
    throw new UsageError('--plant works with the transfer formats (dcos, dcos-rfc3339, fintrans), not json');
  }
  if (plant > 0 && count === null) {
    throw new UsageError('--plant needs --count, to spread the cases over the run');
  }
  const patternCases = (
    flag:
      | 'plant-cashout'
      | 'plant-layering'
      | 'plant-blocklist'
      | 'plant-structuring'
      | 'plant-card-testing'
      | 'plant-first-contact'
      | 'plant-top-senders',
  ): number => {
    const text = values[flag];
    const n = text === undefined ? 0 : wholeNumber(`--${flag}`, text);
    if (n > 0 && format === 'json')
      throw new UsageError(
        `--${flag} works with the transfer formats (dcos, dcos-rfc3339, fintrans), not json`,
      );
    if (n > 0 && count === null)
      throw new UsageError(`--${flag} needs --count, to spread the cases over the run`);
    return n;
  };
  const plantCashout = patternCases('plant-cashout');
  const plantLayering = patternCases('plant-layering');
  const plantBlocklist = patternCases('plant-blocklist');
  const plantStructuring = patternCases('plant-structuring');
  const plantCardTesting = patternCases('plant-card-testing');
  const plantFirstContact = patternCases('plant-first-contact');
  const plantTopSenders = patternCases('plant-top-senders');
  if (plantTopSenders > 0 && format !== 'fintrans')
    throw new UsageError('--plant-top-senders plants per city: it needs --format fintrans (city topics)');
  const patternTruthDir =
    values['pattern-truth'] === undefined ? null : nonEmpty('--pattern-truth', values['pattern-truth']);
  const referenceDir = values.reference === undefined ? null : nonEmpty('--reference', values.reference);
  const accounts =
    values.accounts === undefined ? DEFAULT_ACCOUNTS : wholeNumber('--accounts', values.accounts);
  if (accounts < 2 || accounts > MAX_ACCOUNTS) {
    throw new UsageError(
      `--accounts must be from 2 to ${MAX_ACCOUNTS} (sender and receiver differ), got ${accounts}`,
    );
  }

  const destination = parseDestination(values.to, values.out, format);
  const truthPath = values.truth === undefined ? null : nonEmpty('--truth', values.truth);
  if (truthPath !== null && destination.kind === 'file' && truthPath === destination.path) {
    throw new UsageError('--truth and --out name the same file');
  }

  const options: GeneratorOptions = {
    format,
    count: count ?? Infinity,
    seed: values.seed === undefined ? 1 : integer('--seed', values.seed),
    accounts,
    plant,
    plantCashout,
    plantLayering,
    plantBlocklist,
    plantStructuring,
    plantCardTesting,
    plantFirstContact,
    plantTopSenders,
    reference: referenceDir !== null,
    startMs: values.start === undefined ? DEFAULT_START_MS : parseStartTime(values.start),
    stepMs:
      values['step-ms'] === undefined ? DEFAULT_STEP_MS : positiveNumber('--step-ms', values['step-ms']),
    windowMs: values.window === undefined ? DEFAULT_WINDOW_MS : parseDuration('--window', values.window),
    threshold:
      values.threshold === undefined ? DEFAULT_THRESHOLD : wholeNumber('--threshold', values.threshold),
  };
  if (plant > options.count)
    throw new UsageError(`cannot plant ${plant} cases in only ${options.count} records`);
  return {
    options,
    rate,
    destination,
    truthPath,
    patternTruthDir,
    referenceDir,
    avro: avroValues ? { registry: values.registry } : null,
  };
}

function describeParseArgsError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  const quoted = /'([^']*)'/.exec(msg)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted}': every value follows its flag, as in --count 1000`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = /--[\w-]+/.exec(msg)?.[0] ?? quoted;
      if (/does not take an argument/.test(msg)) return `${flag} takes no value`;
      return `${flag} needs a value, as in ${flag}=<value>`;
    }
    default:
      return msg.split('\n')[0]!;
  }
}

function nonEmpty(flag: string, text: string): string {
  if (text === '') throw new UsageError(`${flag} needs a value`);
  return text;
}

function wholeNumber(flag: string, text: string): number {
  const t = text.replaceAll('_', '');
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new UsageError(`${flag} must be a whole number ≥ 0, got '${text}'`);
  }
  return Number(t);
}

function integer(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`${flag} must be a whole number, got '${text}'`);
  }
  return Number(text);
}

function positiveNumber(flag: string, text: string): number {
  const n = /^\d+(\.\d+)?$|^\.\d+$/.test(text) ? Number(text) : NaN;
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number > 0, got '${text}'`);
  return n;
}

const DURATION_UNITS: Record<string, number> = {
  ms: UNIT_MS.MILLISECOND,
  s: UNIT_MS.SECOND,
  m: UNIT_MS.MINUTE,
  h: UNIT_MS.HOUR,
  d: UNIT_MS.DAY,
};

/** `10m`, `30s`, `1h`, `500ms`, `1d` as milliseconds. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  const ms = m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : NaN;
  if (!(ms > 0) || !Number.isSafeInteger(ms)) {
    throw new UsageError(`${flag} must be a duration such as 30s, 10m or 1h, got '${text}'`);
  }
  return ms;
}

/** ISO-8601 date or date-time; without a zone it is UTC. */
function parseStartTime(text: string): number {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?))?(Z|[+-]\d{2}:?\d{2})?$/.exec(
    text.trim(),
  );
  const ms = m ? Date.parse(`${m[1]}T${m[2] ?? '00:00:00'}${m[3] ?? 'Z'}`) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(`--start must be an ISO-8601 time such as 2017-07-23T00:00:00Z, got '${text}'`);
  }
  return ms;
}

function parseDestination(to: string | undefined, out: string | undefined, format: FormatName): Destination {
  if (to !== undefined && out !== undefined) {
    throw new UsageError('give one destination: --to <topic> or --out <file>, not both');
  }
  if (out !== undefined) {
    nonEmpty('--out', out);
    return out === '-' ? { kind: 'stdout' } : { kind: 'file', path: out };
  }
  if (to === undefined) return { kind: 'stdout' };
  nonEmpty('--to', to);
  if (format === 'fintrans') {
    if (to !== CITIES_DESTINATION) {
      throw new UsageError(
        `fintrans records go to their city topics (${CITIES.join(', ')}): write --to ${CITIES_DESTINATION}`,
      );
    }
    return { kind: 'topic', topic: null };
  }
  if (to === CITIES_DESTINATION) {
    throw new UsageError(
      `--to ${CITIES_DESTINATION} is for --format fintrans; name a topic, as in --to transactions`,
    );
  }
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(to)) {
    throw new UsageError(
      `'${to}' is not a valid Kafka topic name (letters, digits, '.', '_', '-'; at most 249)`,
    );
  }
  return { kind: 'topic', topic: to };
}

// ---------------------------------------------------------------------------------------------
// Running

interface Output {
  readonly description: string;
  /** Text sinks take nextText chunks; topic sinks take record batches. */
  readonly takesText: boolean;
  writeText(text: string): Promise<void>;
  writeRecords(records: GeneratedRecord[]): Promise<void>;
  close(): Promise<void>;
}

async function generate(request: GenerateRequest, io: GenerateIO): Promise<number> {
  const { rate, destination, truthPath, patternTruthDir, referenceDir } = request;
  const options = { ...request.options };
  const startedAt = performance.now();
  const wallStart = Date.now();
  if (rate !== null) {
    // Plan planted cases against the expected wall-clock times of the records.
    options.startMs = wallStart;
    options.stepMs = 1000 / rate;
  }
  let generator: TransactionGenerator;
  try {
    validateGeneratorOptions(options);
    generator = new TransactionGenerator(options);
  } catch (err) {
    io.stderr.write(`fintrans-sql generate: ${(err as Error).message} (${SEE_HELP})\n`);
    return 2;
  }

  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  const ownSignals = io.signal === undefined;
  if (ownSignals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  } else if (io.signal!.aborted) {
    stop.abort();
  } else {
    io.signal!.addEventListener('abort', onSignal, { once: true });
  }

  const output = await openOutput(destination, io, stop, request.avro);
  let closed = false;
  try {
    if (rate === null) {
      while (!generator.done && !stop.signal.aborted) {
        if (output.takesText) await output.writeText(generator.nextText(textChunkRecords(options.format)));
        else await output.writeRecords(generator.nextBatch(TOPIC_BATCH));
      }
    } else {
      await runRealTime(generator, rate, wallStart, output, stop.signal);
    }
    closed = true;
    await output.close();
  } finally {
    if (!closed) await output.close().catch(() => undefined);
    if (ownSignals) {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    } else {
      io.signal!.removeEventListener('abort', onSignal);
    }
  }

  const seconds = (performance.now() - startedAt) / 1000;
  let summary = `generated ${generator.emitted} records (${request.avro ? 'avro' : options.format}) → ${output.description} in ${seconds.toFixed(2)} s`;
  if (options.plant > 0 || truthPath !== null) {
    const truth = generator.truth();
    if (truthPath !== null) await writeTruthCsv(truth, resolvePath(io.cwd, truthPath));
    const alerts = truth.filter((c) => c.expectedAlert).length;
    // Laundering cases (fewer than --plant if stopped early); the alerts include the windows of pattern transfers over the threshold.
    const planted = new Set(truth.filter((c) => PLANT_KINDS.includes(c.kind as PlantKind)).map((c) => c.id))
      .size;
    summary += `; planted ${planted} cases (${alerts} expected alerts)`;
    if (truthPath !== null) summary += ` → ${truthPath}`;
  }
  const patterns = options.plantCashout + options.plantLayering + options.plantBlocklist;
  if (patterns > 0 || patternTruthDir !== null) {
    const truth = generator.patternTruth();
    const expected = [...truth.rapidCashout, ...truth.layering, ...truth.blocklist].filter(
      (r) => r.expectedAlert,
    ).length;
    summary += `; planted ${patterns} pattern cases (${options.plantCashout} rapid cash-out, ${options.plantLayering} layering, ${options.plantBlocklist} blocklist; ${expected} expected alerts)`;
    if (patternTruthDir !== null) {
      const dir = resolvePath(io.cwd, patternTruthDir);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, CASHOUT_TRUTH_FILE), cashoutTruthCsv(truth.rapidCashout));
      await writeFile(join(dir, LAYERING_TRUTH_FILE), layeringTruthCsv(truth.layering));
      await writeFile(join(dir, BLOCKLIST_TRUTH_FILE), blocklistTruthCsv(truth.blocklist));
      summary += ` → ${patternTruthDir}/`;
    }
  }
  const events = generator.eventTruth();
  if (events !== null) {
    const expected = (rows: readonly { expectedAlert: boolean }[]): number =>
      rows.filter((r) => r.expectedAlert).length;
    summary += `; planted ${options.plantStructuring} structuring, ${options.plantCardTesting} card-testing, ${options.plantFirstContact} first-contact cases (${expected(events.structuring)}, ${expected(events.cardTesting)}, ${expected(events.firstContact)} expected alerts)`;
    if (patternTruthDir !== null) {
      const dir = resolvePath(io.cwd, patternTruthDir);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, STRUCTURING_TRUTH_FILE), structuringTruthCsv(events.structuring));
      await writeFile(join(dir, CARD_TESTING_TRUTH_FILE), cardTestingTruthCsv(events.cardTesting));
      await writeFile(join(dir, FIRST_CONTACT_TRUTH_FILE), firstContactTruthCsv(events.firstContact));
      summary += ` → ${patternTruthDir}/`;
    }
  }
  const top = generator.topSendersTruth();
  if (top !== null) {
    const cases = new Set(top.rows.filter((r) => r.caseId !== 0).map((r) => r.caseId)).size;
    summary += `; planted ${cases} top-sender cases (top_senders.sql's output: ${top.rows.filter((r) => r.expectedAlert).length} rows)`;
    if (patternTruthDir !== null) {
      const dir = resolvePath(io.cwd, patternTruthDir);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, TOP_SENDERS_TRUTH_FILE), topSendersTruthCsv(top.rows));
      summary += ` → ${patternTruthDir}/`;
    }
  }
  if (referenceDir !== null && generator.reference !== null) {
    const dir = resolvePath(io.cwd, referenceDir);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'accounts.csv'), accountsCsv(generator.reference));
    await writeFile(join(dir, 'account_versions.csv'), accountVersionsCsv(generator.reference));
    await writeFile(join(dir, 'blocklist.csv'), blocklistCsv(generator.reference));
    summary += `; reference data (${options.accounts} accounts, ${generator.reference.versions.length} versions, ${generator.reference.blocklist.length} blocklisted) → ${referenceDir}/`;
  }
  const interrupted = stop.signal.aborted && !generator.done;
  if (interrupted) summary += ' (stopped early)';
  io.stderr.write(summary + '\n');
  // A real-time run normally ends by Ctrl-C; a counted run cut short did not do what was asked.
  return interrupted && rate === null ? 130 : 0;
}

async function runRealTime(
  generator: TransactionGenerator,
  rate: number,
  wallStart: number,
  output: Output,
  signal: AbortSignal,
): Promise<void> {
  const count = generator.options.count;
  const batchMax = output.takesText ? textChunkRecords(generator.options.format) : TOPIC_BATCH;
  while (!generator.done && !signal.aborted) {
    const now = Date.now();
    const due = Math.min(count, Math.floor(((now - wallStart) * rate) / 1000) + 1) - generator.emitted;
    if (due > 0) {
      const n = Math.min(due, batchMax);
      if (output.takesText) await output.writeText(generator.nextText(n, now));
      else await output.writeRecords(generator.nextBatch(n, now));
      continue;
    }
    const nextDue = wallStart + (generator.emitted * 1000) / rate;
    const wait = Math.min(200, Math.max(1, Math.ceil(nextDue - now)));
    await sleep(wait, undefined, { signal }).catch(() => undefined);
  }
}

function resolvePath(cwd: string, path: string): string {
  return isAbsolute(path) ? path : resolve(cwd, path);
}

async function openOutput(
  destination: Destination,
  io: GenerateIO,
  stop: AbortController,
  avro: GenerateRequest['avro'] = null,
): Promise<Output> {
  switch (destination.kind) {
    case 'stdout':
      return streamOutput(io.stdout, stop);
    case 'file': {
      const path = resolvePath(io.cwd, destination.path);
      let handle: FileHandle;
      try {
        handle = await open(path, 'w');
      } catch (err) {
        throw new Error(`cannot write ${destination.path}: ${(err as Error).message}`);
      }
      return {
        description: destination.path,
        takesText: true,
        writeText: async (text) => {
          await handle.write(text);
        },
        writeRecords: () => Promise.reject(new Error('file output takes text')),
        close: () => handle.close(),
      };
    }
    case 'topic': {
      // --format avro: registered (with --registry) before anything is written.
      const values = avro ? await openAvroValueWriter(destination.topic!, avro.registry) : null;
      const writer = await io.openTopic(destination.topic);
      return {
        description:
          (destination.topic === null ? `topics ${CITIES.join(', ')}` : `topic ${destination.topic}`) +
          (values ? ` (${values.description})` : ''),
        takesText: false,
        writeText: () => Promise.reject(new Error('topic output takes records')),
        writeRecords: (records) => writer.write(values ? values.encode(records) : records),
        close: () => writer.close(),
      };
    }
  }
}

/** Writes to a stream with backpressure; a closed pipe (`| head`) stops the run instead of failing it. */
function streamOutput(stream: NodeJS.WritableStream, stop: AbortController): Output {
  let failure: Error | null = null;
  const onError = (err: Error & { code?: string }): void => {
    if (err.code === 'EPIPE') stop.abort();
    else failure = err;
  };
  stream.on('error', onError);
  return {
    description: 'stdout',
    takesText: true,
    writeText: (text) =>
      new Promise<void>((resolveWrite, rejectWrite) => {
        if (failure) return rejectWrite(failure);
        if (stop.signal.aborted) return resolveWrite();
        const ok = stream.write(text, (err?: Error | null) => {
          if (err && (err as { code?: string }).code !== 'EPIPE') rejectWrite(err);
          else if (err) resolveWrite();
        });
        if (ok) resolveWrite();
        else {
          const done = (): void => {
            stream.removeListener('drain', done);
            stop.signal.removeEventListener('abort', done);
            resolveWrite();
          };
          stream.once('drain', done);
          stop.signal.addEventListener('abort', done, { once: true });
        }
      }),
    writeRecords: () => Promise.reject(new Error('stdout output takes text')),
    close: async () => {
      stream.removeListener('error', onError);
    },
  };
}
