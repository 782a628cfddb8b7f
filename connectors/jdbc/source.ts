// A 'jdbc' table as a bounded scan source: the whole PostgreSQL table (the declared columns), read
// through server-side cursors in one read-only REPEATABLE READ transaction (one consistent
// snapshot, however long the read takes), 'scan.fetch-size' rows per round trip (0: as many as
// the runtime asks for at once). Rows arrive typed (RawBatch.rows), converted from PostgreSQL's
// text by pg-types.ts; a value the declared type cannot hold stops the job, naming the row.
//
// Splits: one, or with 'scan.partition.*' one per range of the partition column, computed as
// Flink's JdbcNumericBetweenParametersProvider does (rows outside lower..upper are not read, as in
// Flink). The splits' cursors are read in turn, a fetch from each.
//
// Checkpoints: a split's position is the number of its rows read. Each cursor reads in a fixed
// order (the PostgreSQL table's primary key, or its physical row order, ctid, when it has none),
// so a resumed job skips exactly the rows it had read (OFFSET) — provided the table did not
// change in between; if it did, a resumed scan is at-least-once at best. This is Flink's
// 'scan.auto-commit' = 'false' (what pgjdbc needs to stream a result); 'true' is refused at plan
// time (options.ts), since it would mean reading a split's whole result into memory at once.

import { ConnectorError } from '../../engine/errors.js';
import type { Row, Schema } from '../../engine/types.js';
import type { PollResult, SourceReader, SplitInfo } from '../api.js';
import { failure, loadTableInfo, matchColumns, PgSession, quoteIdent } from './connection.js';
import type { JdbcOptions, ScanPartitioning } from './options.js';
import { fromText, ValueProblem, type FromText } from './pg-types.js';

interface ScanSplit {
  readonly cursor: string;
  /** The partition column's range, inclusive; undefined: the whole table. */
  readonly range?: readonly [bigint, bigint];
  /** Rows of this split read so far (the checkpointed position). */
  read: number;
  ended: boolean;
}

export class JdbcScanSource implements SourceReader {
  readonly bounded = true;
  readonly splits: SplitInfo[];
  private readonly parts: ScanSplit[];
  private session: PgSession | null = null;
  private converters: FromText[] = [];
  private sqlName = '';
  private turn = 0;

  constructor(
    private readonly o: JdbcOptions,
    /** "jdbc table 'accounts'", for messages. */
    private readonly title: string,
    private readonly physical: Schema,
  ) {
    const ranges = o.scan.partitioning ? partitionRanges(o.scan.partitioning) : [undefined];
    this.parts = ranges.map((range, i) => ({ cursor: `fintrans_scan_${i}`, range, read: 0, ended: false }));
    this.splits = ranges.map((range) => ({
      name: range ? `${o.tableName}[${o.scan.partitioning!.column} ${range[0]}..${range[1]}]` : o.tableName,
      positionSeparator: '#',
    }));
  }

  startsAt(): string {
    return `the first row of PostgreSQL table '${this.o.tableName}'`;
  }

  seek(positions: Record<string, number>): void {
    this.splits.forEach((s, i) => {
      const p = positions[s.name];
      if (typeof p === 'number' && p >= 0) this.parts[i]!.read = p;
    });
  }

  positions(): Record<string, number> {
    const out: Record<string, number> = {};
    this.splits.forEach((s, i) => (out[s.name] = this.parts[i]!.read));
    return out;
  }

  async open(): Promise<void> {
    const s = await PgSession.connect(this.o, this.title);
    this.session = s;
    try {
      await this.startCursors(s);
    } catch (e) {
      // The runtime closes only what opened: an open connection would keep the process alive.
      await this.close();
      throw e;
    }
  }

  private async startCursors(s: PgSession): Promise<void> {
    const info = await loadTableInfo(s, this.o, this.title);
    const pgColumns = matchColumns(info, this.physical, 'read', this.title);
    this.sqlName = info.sqlName;
    this.converters = this.physical.map((f, i) => fromText(f.type, pgColumns[i]!));
    const select = pgColumns.map((c) => quoteIdent(c.name)).join(', ');
    // The table's physical order (a sequential scan's, what Flink's plain SELECT gets), not the
    // key's: rows arrive as they do on Flink, which matters where order does (the versions of a
    // temporal join's versioned table, first-row deduplication). ORDER BY makes it repeatable for
    // the OFFSET of a resumed scan.
    const order = 'ctid';
    let partitionColumn: string | undefined;
    const p = this.o.scan.partitioning;
    if (p) {
      const i = this.physical.findIndex((f) => f.name === p.column);
      const c = pgColumns[i]!;
      if (!['int2', 'int4', 'int8'].includes(c.type)) {
        throw new ConnectorError(
          `${this.title}: 'scan.partition.column' = '${p.column}' is ${c.display} in PostgreSQL: partitioned scans need an integer column\n` +
            `  hint: partition by an integer column (e.g. the id), or remove the 'scan.partition.*' options`,
        );
      }
      partitionColumn = quoteIdent(c.name);
    }
    try {
      await s.run('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      for (const part of this.parts) {
        const where = part.range
          ? ` WHERE ${partitionColumn} BETWEEN ${part.range[0]} AND ${part.range[1]}`
          : '';
        const offset = part.read > 0 ? ` OFFSET ${part.read}` : '';
        await s.run(
          `DECLARE ${part.cursor} NO SCROLL CURSOR FOR SELECT ${select} FROM ${info.sqlName}${where} ORDER BY ${order}${offset}`,
        );
      }
    } catch (e) {
      throw failure(this.o, this.title, `cannot start reading ${info.sqlName}`, e);
    }
  }

  async poll(maxRecords: number): Promise<PollResult> {
    const s = this.session!;
    const live = this.parts.filter((p) => !p.ended);
    if (live.length === 0) return { kind: 'end' };
    const split = this.parts.indexOf(live[this.turn++ % live.length]!);
    const part = this.parts[split]!;
    const count = this.o.scan.fetchSize > 0 ? Math.min(this.o.scan.fetchSize, maxRecords) : maxRecords;
    let raw: (string | null)[][];
    try {
      raw = await s.rows(`FETCH FORWARD ${Math.max(1, count)} FROM ${part.cursor}`);
    } catch (e) {
      throw failure(
        this.o,
        this.title,
        `cannot read ${this.sqlName} (after ${part.read} rows of ${this.splits[split]!.name})`,
        e,
      );
    }
    if (raw.length === 0) {
      part.ended = true;
      if (this.parts.every((p) => p.ended)) await s.run('COMMIT').catch(() => undefined);
      return { kind: 'split-end', split };
    }
    const rows: Row[] = new Array(raw.length);
    const positions = new Array<number>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      rows[i] = this.convert(raw[i]!, split, part.read + i + 1);
      positions[i] = part.read + i + 1;
    }
    part.read += raw.length;
    return { kind: 'batch', batch: { split, count: rows.length, positions, rows } };
  }

  async close(): Promise<void> {
    await this.session?.close();
    this.session = null;
  }

  private convert(raw: (string | null)[], split: number, position: number): Row {
    const row: Row = new Array(this.converters.length);
    for (let c = 0; c < this.converters.length; c++) {
      const text = raw[c];
      if (text === null || text === undefined) {
        row[c] = null;
        continue;
      }
      const v = this.converters[c]!(text);
      if (v instanceof ValueProblem) {
        throw new ConnectorError(
          `${this.title}: row ${position} of ${this.splits[split]!.name}: column '${this.physical[c]!.name}': ${v.reason}\n` +
            `  hint: declare the column with a type that holds the PostgreSQL values (a wider DECIMAL, BIGINT, STRING)`,
        );
      }
      row[c] = v;
    }
    return row;
  }
}

/**
 * The inclusive ranges of a partitioned scan, as Flink's JdbcNumericBetweenParametersProvider
 * computes them: `num` ranges over lower..upper (fewer when there are fewer values), the first
 * ones one value larger when the values do not divide evenly.
 */
export function partitionRanges(p: ScanPartitioning): [bigint, bigint][] {
  const count = p.upper - p.lower + 1n;
  const num = BigInt(p.num) > count ? count : BigInt(p.num);
  const size = (count + num - 1n) / num;
  const bigOnes = count - (size - 1n) * num;
  const out: [bigint, bigint][] = [];
  let start = p.lower;
  for (let i = 0n; i < num; i++) {
    const end = start + size - 1n - (i >= bigOnes ? 1n : 0n);
    out.push([start, end]);
    start = end + 1n;
  }
  return out;
}
