// A filesystem table as the right side of a lookup join (a reference CSV: accounts, a blocklist),
// as Flink's FileSystemLookupFunction: the whole file (or directory) is read into memory and
// indexed by the join's key columns; it is read again when 'lookup.join.cache.ttl' (Flink's
// option, default 60 min) has passed — and, beyond Flink, as soon as a file changes (size or
// modification time, checked at most once a second), so an edited reference file is seen at once.

import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConnectorError, printable } from '../../engine/errors.js';
import type { RecordDecoder } from '../../engine/formats/api.js';
import type { Row } from '../../engine/types.js';
import type { ConnectorContext, LookupReader, LookupStats } from '../api.js';
import { FileSource } from './source.js';

const CHANGE_CHECK_MS = 1000;

export class FileLookupReader implements LookupReader {
  readonly stats: LookupStats = {
    lookups: 0,
    cacheHits: 0,
    cacheMisses: 0,
    queries: 0,
    retries: 0,
    cachedKeys: 0,
  };
  private index = new Map<string, Row[]>();
  private loadedAt = 0;
  private checkedAt = 0;
  /** Size and modification time of each file when loaded: a change means reading again. */
  private signature = '';
  private readonly decoder: RecordDecoder;
  private readonly ignoreParseErrors: boolean;
  private readonly quote: string | undefined;
  loads = 0;
  skipped = 0;

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly path: string,
    private readonly keyColumns: readonly number[],
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    const format = ctx.format!;
    this.decoder = format.createDecoder(
      ctx.physical.map((f, i) => ({ name: f.name, type: f.type, rowIndex: i, kind: 'physical' as const })),
      ctx.options,
    );
    this.ignoreParseErrors = format.ignoreParseErrors(ctx.options);
    this.quote = format.recordQuote?.(ctx.options);
  }

  async open(): Promise<void> {
    await this.load();
  }

  async lookup(key: readonly unknown[]): Promise<readonly Row[]> {
    return (await this.lookupMany([key]))[0]!;
  }

  async lookupMany(keys: readonly (readonly unknown[])[]): Promise<readonly (readonly Row[])[]> {
    await this.reloadIfStale();
    this.stats.lookups += keys.length;
    this.stats.cacheHits += keys.length;
    return keys.map((k) =>
      k.some((v) => v === null || v === undefined) ? [] : (this.index.get(keyId(k)) ?? []),
    );
  }

  private async reloadIfStale(): Promise<void> {
    const now = this.now();
    if (now - this.loadedAt >= this.ttlMs) return this.load();
    if (now - this.checkedAt < CHANGE_CHECK_MS) return;
    this.checkedAt = now;
    if ((await this.fileSignature()) !== this.signature) await this.load();
  }

  private async fileSignature(): Promise<string> {
    try {
      const st = await stat(resolve(this.ctx.cwd, this.path));
      return `${st.size}:${st.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }

  private async load(): Promise<void> {
    const signature = await this.fileSignature();
    const source = new FileSource(this.path, this.ctx.cwd, this.ctx.table, this.quote);
    await source.open();
    const index = new Map<string, Row[]>();
    let skipped = 0;
    try {
      for (;;) {
        const r = await source.poll(4096);
        if (r.kind === 'end') break;
        if (r.kind !== 'batch') continue;
        const { values, positions, count } = r.batch;
        for (let i = 0; i < count; i++) {
          const start = values!.starts[i]!;
          if (start < 0) continue;
          const end = values!.ends[i]!;
          const row: Row = new Array(this.ctx.physical.length).fill(null);
          const problem = this.decoder.decode(values!.bytes, start, end, row);
          if (problem !== null) {
            if (this.ignoreParseErrors) {
              skipped++;
              continue;
            }
            throw new ConnectorError(
              `lookup table '${this.ctx.table}': ${source.splits[r.batch.split]?.name ?? this.path}:${positions[i]}: ${problem}: ${printable(values!.bytes.toString('utf8', start, Math.min(end, start + 120)))}`,
            );
          }
          const key = this.keyColumns.map((c) => row[c]);
          if (key.some((v) => v === null)) continue;
          const id = keyId(key);
          const list = index.get(id);
          if (list) list.push(row);
          else index.set(id, [row]);
        }
      }
    } finally {
      await source.close();
    }
    this.index = index;
    this.signature = signature;
    this.loadedAt = this.checkedAt = this.now();
    this.stats.queries++;
    this.stats.cachedKeys = index.size;
    this.skipped = skipped;
    this.loads++;
  }

  describe(): string {
    return `${this.stats.lookups} lookups in '${this.ctx.table}' (${this.index.size} keys in memory, read ${this.loads} time${this.loads === 1 ? '' : 's'}${this.skipped ? `, ${this.skipped} bad records skipped` : ''})`;
  }

  async close(): Promise<void> {
    this.index = new Map();
  }
}

/** The same string for equal key values of every type (BIGINT as number or bigint, DECIMAL bigint). */
function keyId(values: readonly unknown[]): string {
  return values
    .map((v) =>
      typeof v === 'string' ? 's' + v : typeof v === 'bigint' ? 'n' + v.toString() : 'n' + String(v),
    )
    .join('\u0000');
}
