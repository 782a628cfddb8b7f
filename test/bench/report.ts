// The bench's results as a table (pipe-separated and padded: readable in a terminal, a Markdown
// table in BENCHMARKS.md) and the BENCHMARKS.md document around it.

import type { Machine } from './machine.js';
import { machineLine } from './machine.js';
import type { SelfTime } from './profile.js';

export interface ResultRow {
  readonly label: string;
  /** Records read, or null when the case did not run. */
  readonly records: number | null;
  readonly inputBytes: number | null;
  readonly wallMs: number | null;
  readonly peakRssKb: number | null;
  readonly cpuMs: number | null;
  /** Whether records/s and MB/s mean anything (not for the startup case). */
  readonly throughput: boolean;
  readonly note: string;
}

const HEADERS = ['case', 'records', 'wall', 'records/s', 'MB/s', 'peak RSS', 'CPU', 'notes'];
const RIGHT = [false, true, true, true, true, true, true, false];

export function resultTable(rows: readonly ResultRow[]): string {
  const cells = rows.map((r) => {
    const ran = r.wallMs !== null;
    const secs = ran ? r.wallMs! / 1000 : NaN;
    return [
      r.label,
      r.records === null ? '—' : grouped(r.records),
      ran ? `${secs.toFixed(secs < 10 ? 3 : 2)} s` : '—',
      ran && r.throughput && r.records !== null ? grouped(Math.round(r.records / secs)) : '—',
      ran && r.throughput && r.inputBytes !== null ? (r.inputBytes / 1e6 / secs).toFixed(1) : '—',
      r.peakRssKb === null || Number.isNaN(r.peakRssKb) ? '—' : `${megabytes(r.peakRssKb * 1024)} MB`,
      r.cpuMs === null || Number.isNaN(r.cpuMs) ? '—' : `${(r.cpuMs / 1000).toFixed(2)} s`,
      r.note,
    ];
  });
  return table(HEADERS, cells, RIGHT);
}

export function profileTable(rows: readonly SelfTime[]): string {
  return table(
    ['#', 'self %', 'self ms', 'function (compiled file:line)'],
    rows.map((r, i) => [
      String(i + 1),
      r.percent.toFixed(1),
      r.selfMs.toFixed(0),
      r.function.replaceAll('|', '\\|'),
    ]),
    [true, true, true, false],
  );
}

function table(headers: string[], rows: string[][], right: boolean[]): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((x, c) => (right[c] ? x.padStart(widths[c]!) : x.padEnd(widths[c]!))).join(' | ') + ' |';
  const rule =
    '|' + widths.map((w, c) => (right[c] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') + '|';
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

/** 5000000 -> "5 000 000" (as the README writes numbers). */
export function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

/** Bytes as MB (10^6 bytes), the unit of the targets. */
export function megabytes(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

export interface BenchDocument {
  readonly command: string;
  readonly date: Date;
  readonly machine: Machine;
  readonly rssMethod: string;
  readonly table: string;
  /** Lines below the table: the floor comparison, output checks, targets. */
  readonly findings: readonly string[];
  /** The profile section's body (without its heading), or null to keep the previous one. */
  readonly profile: string | null;
}

const CASES_TEXT = `What each case runs (\`test/bench/run.ts\`; inputs are generated deterministically, seed 1, and
cached in \`$FINTRANS_BENCH_DIR\`, default \`$TMPDIR/fintrans-sql-bench\`):

- **(a)** \`test/bench/jobs/laundering_file.sql\`: \`jobs/laundering.sql\`'s query and CSV sink on semicolon
  dcos records (RFC 850 times) read from a file, made by \`fintrans-sql generate --count N --plant N/10000\`.
  **(a) floor** is \`test/bench/floor-laundering.ts\`, the same job written by hand as one plain Node
  program; the engine's output must be identical to the floor's (sorted rows).
- **(b)** \`test/bench/jobs/spending_pattern_file.sql\`: \`jobs/spending_pattern.sql\` (the PyFlink JSON job)
  on \`fintrans-sql generate --format json\` records read from a file.
- **(c)** \`test/bench/jobs/hop_open_keys.sql\`: HOP 10 min / 2 min per (sender, receiver) over records that
  are all distinct pairs inside one 10-minute span (\`test/bench/hop-input.ts\`), so one window holds every
  key until the end of input (and, at the end, the 4 later overlapping windows hold 80 %, 60 %, 40 %,
  20 % of them). Measures memory.
- **(d)** Kafka → CSV: laundering.sql's query on a 3-partition topic of the test rig's broker (or
  \`KAFKA_BROKERS\`), 2 M generated records, next to the raw consume rate of the same topic by the same
  kafkajs client doing nothing (\`test/bench/kafka-raw.ts\`); the engine's rate as a fraction of the raw
  one. Also Kafka → Kafka, at-least-once and exactly-once (transactions committed per checkpoint).
- **(e)** startup: \`test/bench/jobs/startup_print.sql\` (source → print) on a 1-record file, median of 5
  runs. *wall* is process spawn to exit; *first output* (in notes) is spawn to the moment the printed
  row reaches the bench through the pipe: plan, build, open, read, process, write. A bare \`node -e 0\`
  is shown for scale.
- **(f)** checkpoint overhead: (a) with \`execution.checkpointing.interval\` off, 10 s (the default), 1 s
  and 100 ms; then case (c)'s input with (c)'s HOP job and with a running \`GROUP BY sender, receiver\`
  (1 M groups, job written by the bench), off, 10 s, 1 s, 100 ms. Each run's output must equal the run
  without checkpoints; notes show the checkpoints taken (count, avg/max ms, size of the last, from the
  run's summary) and the checkpoint database's size on disk.
- **(g)** \`test/bench/jobs/rapid_cashout_file.sql\`: \`jobs/rapid_cashout.sql\`'s interval join (a deposit over
  10 000, then ≥ 80 % out of that account within the hour) on 2 M dcos records read from a file, made by
  \`fintrans-sql generate --count N --accounts 10000 --plant-cashout 300 --plant-layering 300 --pattern-truth …\`; the alerts
  must be exactly the truth's (the planted cash-outs and the layering links, which are cash-outs too).
- **(h)** \`test/bench/jobs/velocity_file.sql\`: \`jobs/velocity.sql\`'s two OVER RANGE windows (an hour and a
  day per sender) on 2 M dcos records read from a file: records/s, peak RSS, alerts.
- **(i)** high cardinality: \`test/bench/jobs/laundering_hour_file.sql\`, (a)'s query with a 1-hour TUMBLE, on
  2 M dcos records over 500 accounts, one every 17 ms (\`fintrans-sql generate --count 2000000 --accounts 500
  --step-ms 17\`): each window holds ~145 000 distinct pairs and ~260 000 rows pass HAVING, so group
  lookup, the window's emit and the CSV sink carry the load. **(i) floor** is the same
  \`floor-laundering.ts\` with 60-minute windows; the output must be identical. Engine and floor runs
  alternate, and the fraction is the median of the pairs' ratios (so is (a)'s).
- **(j)** \`test/bench/jobs/structuring_file.sql\`: \`jobs/structuring.sql\`'s MATCH_RECOGNIZE (three transfers of
  9 000–9 999 from one account within 24 h) on 2 M background dcos records (a tenth of them near the
  threshold); the alerts must be the same definition computed by the bench.
- **Flink side by side** (\`--flink\`, off by default: each Flink run takes minutes): (h) and (j) at
  parallelism 1 and (i) at parallelism 1 and 2 also run on Apache Flink in one JVM (\`test/bench/flink.ts\`,
  \`test/bench/FlinkBenchMain.java\`: a MiniCluster from the conformance rig's Maven jars), the job file
  translated only where it names files; Flink's rows must equal fintrans-sql's. \`npm run bench -- --only
  h,i,j --flink --write\` writes its own section, "Flink side by side", and leaves "Latest run" as it was.

Every case runs \`node dist/app/cli/main.js run <job> --quiet\` in a child process. *wall* is spawn to
exit as seen by the bench (Node start-up included); *records/s* and *MB/s* are input records and bytes
over that wall time; *peak RSS* is the child's maximum resident set; *CPU* is user + system time
(more than wall when GC and I/O threads work in parallel). MB = 10^6 bytes.`;

export function benchmarksMarkdown(doc: BenchDocument, previous: string | null): string {
  const profile =
    doc.profile ??
    previousSection(previous, 'Profile') ??
    '_Not profiled yet: run `npm run bench -- --only a --profile --write`._\n';
  // Hand-written analysis lives under "## Notes" and survives rewrites; so does the last Flink run's
  // section (--flink runs are taken apart from the others).
  const notes = previousSection(previous, 'Notes');
  const flink = previousSection(previous, FLINK_SECTION);
  return `# Benchmarks

Measured with \`npm run bench\` (\`--quick\` for 10x smaller inputs, \`--only a,c\` for some cases,
\`--repeat N\` for medians, \`--profile\` to CPU-profile case (a) (and (i) when run), \`--write\` to update this file).
Everything below up to "Notes" is written by the bench; "Notes" is kept as written by hand.

## Latest run

- Command: \`${doc.command}\`
- Date: ${doc.date.toISOString().slice(0, 16).replace('T', ' ')} UTC
- Machine: ${machineLine(doc.machine)}
- Peak RSS measured with: ${doc.rssMethod}

${doc.table}

${doc.findings.map((f) => `- ${f}`).join('\n')}
${flink === null ? '' : `\n## ${FLINK_SECTION}\n\n${flink.trimEnd()}\n`}
## Cases

${CASES_TEXT}

## Profile

${profile.trimEnd()}
${notes === null ? '' : `\n## Notes\n\n${notes.trimEnd()}\n`}`;
}

/** The body of `## <title>` in the previous file, up to the next `## ` heading. */
function previousSection(previous: string | null, title: string): string | null {
  if (previous === null) return null;
  const heading = `\n## ${title}\n`;
  const at = previous.indexOf(heading);
  if (at < 0) return null;
  const body = previous.slice(at + heading.length);
  const next = body.indexOf('\n## ');
  return (next < 0 ? body : body.slice(0, next)).trim() + '\n';
}

export const FLINK_SECTION = 'Flink side by side';

export interface FlinkDocument {
  readonly command: string;
  readonly date: Date;
  readonly machine: Machine;
  /** How Flink was run (java flags, main, version). */
  readonly flink: string;
  readonly table: string;
  readonly findings: readonly string[];
}

/** The body of the "Flink side by side" section (without its heading). */
export function flinkSection(doc: FlinkDocument): string {
  return `Written by \`npm run bench -- --only h,i,j --flink --write\` (case letters as in "Cases"): fintrans-sql's
runs and the same job files on Apache Flink, translated only where they name files (the source's
path made absolute, the sink's a directory of part files), in one JVM each: ${doc.flink}, one
TaskManager with a slot per parallel task, started before the job. Flink's *wall* is the whole
process (JVM start to exit, as the bench measures every run); its notes also give the job alone
(executeSql to finished, in the JVM). Ratios are Flink's time over fintrans-sql's, from the same
bench run; rows are compared as multisets, cells by value.

- Command: \`${doc.command}\`
- Date: ${doc.date.toISOString().slice(0, 16).replace('T', ' ')} UTC
- Machine: ${machineLine(doc.machine)}

${doc.table}

${doc.findings.map((f) => `- ${f}`).join('\n')}
`;
}

/**
 * `document` with its "Flink side by side" section replaced by `body` (or added before "Cases"),
 * and "Cases" brought up to date (it describes the bench, not a run).
 */
export function withFlinkSection(previous: string, body: string): string {
  const casesAt = previous.indexOf('\n## Cases\n');
  let document = previous;
  if (casesAt >= 0) {
    const rest = previous.slice(casesAt + '\n## Cases\n'.length);
    const next = rest.indexOf('\n## ');
    document = `${previous.slice(0, casesAt)}\n## Cases\n\n${CASES_TEXT}\n${next < 0 ? '' : rest.slice(next)}`;
  }
  const heading = `\n## ${FLINK_SECTION}\n`;
  const at = document.indexOf(heading);
  if (at >= 0) {
    const rest = document.slice(at + heading.length);
    const next = rest.indexOf('\n## ');
    return `${document.slice(0, at)}${heading}\n${body.trimEnd()}\n${next < 0 ? '' : rest.slice(next)}`;
  }
  const cases = document.indexOf('\n## Cases\n');
  if (cases < 0) return `${document.trimEnd()}\n${heading}\n${body.trimEnd()}\n`;
  return `${document.slice(0, cases)}${heading}\n${body.trimEnd()}\n${document.slice(cases)}`;
}
