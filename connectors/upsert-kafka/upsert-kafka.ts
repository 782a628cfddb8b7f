// The 'upsert-kafka' connector (Flink's): a topic read and written as a table keyed by its PRIMARY
// KEY. Reading, each record is the latest value of its key (its key decoded with 'key.format', its
// value with 'value.format'); a record without a value (a tombstone) deletes the key. The source
// hands on a full changelog, as Flink's ChangelogNormalize after its upsert source does: the first
// value of a key is +I, a later one -U (the previous value) and +U, a tombstone -D (the previous
// value; nothing for a key not seen). Writing, +I/+U become a record with the key and the new value,
// -D a tombstone of the key; -U is not written.
//
// Options as in Flink: 'topic', 'properties.bootstrap.servers' (else the embedded topic store),
// 'key.format', 'value.format', 'key.fields-prefix' (the key columns' names carry it, the key
// format sees them without it; needs 'value.fields-include' = 'EXCEPT_KEY'), 'value.fields-include'
// ('ALL': the value holds every column, 'EXCEPT_KEY': all but the key's).
//
// The key → value state lives in the source; a job resumed from a checkpoint rebuilds it by reading
// the topic again up to the checkpoint's offsets (the topic is the state), without emitting.

import { OptionError } from '../../engine/errors.js';
import type { DecodedColumn, RecordDecoder, RecordEncoder } from '../../engine/formats/api.js';
import { getFormat, SKIP_RECORD } from '../../engine/formats/registry.js';
import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';
import {
  packRecords,
  type ConnectorContext,
  type ConnectorDefinition,
  type PollResult,
  type RawBatch,
  type RecordBytes,
  type SourceReader,
} from '../api.js';
import { kafkaConnector, kafkaSink } from '../kafka/kafka.js';
import { KEY_BYTES } from '../kafka/reader.js';
import type { MessageMaker } from '../kafka/messages.js';

interface UpsertLayout {
  /** Physical column indexes of the key, in PRIMARY KEY order. */
  readonly key: readonly number[];
  /** Physical column indexes the value format holds. */
  readonly value: readonly number[];
  readonly keyColumns: DecodedColumn[];
  readonly valueColumns: DecodedColumn[];
}

/** Reads the key and value options and works out which columns each format holds. */
function layout(ctx: ConnectorContext): UpsertLayout {
  if (!ctx.primaryKey || ctx.primaryKey.length === 0)
    throw new OptionError(
      ctx.tablePos,
      `upsert-kafka table '${ctx.table}' needs a PRIMARY KEY: it is the message key`,
      `declare PRIMARY KEY (...) NOT ENFORCED in CREATE TABLE ${ctx.table}`,
    );
  const prefix = ctx.options.optionalString('key.fields-prefix') ?? '';
  const include = ctx.options.oneOf('value.fields-include', ['ALL', 'EXCEPT_KEY'] as const, 'ALL');
  if (prefix !== '' && include !== 'EXCEPT_KEY')
    throw new OptionError(
      ctx.tablePos,
      `table '${ctx.table}': 'key.fields-prefix' needs 'value.fields-include' = 'EXCEPT_KEY', as in Flink`,
      `add 'value.fields-include' = 'EXCEPT_KEY'`,
    );
  const key = [...ctx.primaryKey];
  const value = ctx.physical.map((_, i) => i).filter((i) => include === 'ALL' || !key.includes(i));
  const keyColumns = key.map((i) => {
    const name = ctx.physical[i]!.name;
    if (prefix !== '' && !name.startsWith(prefix))
      throw new OptionError(
        ctx.tablePos,
        `table '${ctx.table}': key column '${name}' does not start with 'key.fields-prefix' '${prefix}'`,
        `name the key columns ${prefix}<name>, or change 'key.fields-prefix'`,
      );
    return { name: name.slice(prefix.length), type: ctx.physical[i]!.type, rowIndex: i };
  });
  const valueColumns = value.map((i) => ({
    name: ctx.physical[i]!.name,
    type: ctx.physical[i]!.type,
    rowIndex: i,
  }));
  return { key, value, keyColumns, valueColumns };
}

function keyFormat(ctx: ConnectorContext) {
  const name = ctx.options.string('key.format');
  const format = getFormat(name);
  if (!format || format.changelog)
    throw new OptionError(
      ctx.tablePos,
      `table '${ctx.table}': 'key.format' = '${name}' is ${format ? 'a changelog format' : 'not a format'}`,
      `use 'json', 'csv', 'raw' or 'avro' for the key`,
    );
  return format;
}

function valueFormatChecked(ctx: ConnectorContext) {
  const format = ctx.format!;
  if (format.changelog)
    throw new OptionError(
      ctx.tablePos,
      `table '${ctx.table}': upsert-kafka's value format cannot be a changelog format ('${format.name}')`,
      `use 'json', 'csv' or 'avro': the key says which row a value replaces`,
    );
  return format;
}

/** The kafka connector's context for the same topic: read from the earliest offset, as Flink's upsert-kafka. */
function kafkaContext(ctx: ConnectorContext): ConnectorContext {
  ctx.options.accept('scan.startup.mode', 'properties.group.id');
  const entries = new Map<string, string>([['scan.startup.mode', 'earliest-offset']]);
  // The kafka connector reads its own options from the same bag; ours are taken out already.
  return { ...ctx, primaryKey: ctx.primaryKey, options: withDefaults(ctx, entries) };
}

/** The table's option bag, with defaults for keys the table does not set. */
function withDefaults(ctx: ConnectorContext, defaults: Map<string, string>): ConnectorContext['options'] {
  const bag = ctx.options;
  const original = bag.optionalString.bind(bag);
  // A thin view: reading a defaulted key gives the default when the table has none.
  return Object.assign(Object.create(bag) as typeof bag, {
    // 'key.format' is upsert-kafka's (read above): the kafka connector's own reading of it (its
    // key text) does not apply.
    optionalString: (k: string) => (k === 'key.format' ? undefined : (original(k) ?? defaults.get(k))),
  });
}

class UpsertKafkaSource implements SourceReader {
  /** Last value of each key seen, for -U/-D (Flink's ChangelogNormalize state). */
  private readonly latest = new Map<string, Row>();

  constructor(
    private readonly inner: SourceReader,
    private readonly keyDecoder: RecordDecoder,
    private readonly valueDecoder: RecordDecoder,
    private readonly layout: UpsertLayout,
    private readonly width: number,
    private readonly valueBinary: boolean,
    /** Another reader of the same topic from its earliest offset, to rebuild the key state on a resume. */
    private readonly replay: () => SourceReader,
  ) {}

  /** Positions of the checkpoint this run resumes from (seek()), if any. */
  private resumeAt?: Record<string, number>;

  get splits() {
    return this.inner.splits;
  }
  get bounded() {
    return this.inner.bounded;
  }
  async open(): Promise<void> {
    if (this.resumeAt) await this.rebuild(this.resumeAt);
    await this.inner.open();
  }

  /**
   * A resumed run: the latest value of each key before the checkpoint, read again from the topic
   * (which holds it: the state of an upsert topic is the topic), so the first value after the
   * checkpoint is -U/+U of the one before, as in an uninterrupted run. Nothing is emitted.
   */
  private async rebuild(until: Record<string, number>): Promise<void> {
    const targets = Object.entries(until).filter(([name, at]) => !name.startsWith('#') && at > 0);
    if (targets.length === 0) return;
    const reader = this.replay();
    await reader.open();
    try {
      let idle = 0;
      for (;;) {
        const at = reader.positions();
        if (targets.every(([name, target]) => (at[name] ?? 0) >= target)) return;
        const r = await reader.poll(4096);
        if (r.kind === 'end') return;
        if (r.kind !== 'batch') {
          // The topic holds less than the checkpoint says (deleted, compacted): what is there is the state.
          if (++idle > 200) return;
          await new Promise((res) => setTimeout(res, 50));
          continue;
        }
        idle = 0;
        const limit = until[reader.splits[r.batch.split]?.name ?? ''] ?? 0;
        await this.decodeBatch(r.batch, limit);
      }
    } finally {
      await reader.close();
    }
  }
  positions() {
    return this.inner.positions();
  }
  startsAt() {
    return this.inner.startsAt?.() ?? 'the earliest offset';
  }
  seek(positions: Record<string, number>): void {
    this.resumeAt = positions;
    this.inner.seek(positions);
  }
  commit(): Promise<void> {
    return this.inner.commit?.() ?? Promise.resolve();
  }
  close(): Promise<void> {
    return this.inner.close();
  }

  async poll(maxRecords: number): Promise<PollResult> {
    const r = await this.inner.poll(maxRecords);
    if (r.kind !== 'batch') return r;
    return { kind: 'batch', batch: await this.decodeBatch(r.batch) };
  }

  /** Decodes a batch into changelog rows against the key state; `upTo`: only records before that offset. */
  private async decodeBatch(b: RawBatch, upTo = Infinity): Promise<RawBatch> {
    const values = b.values!;
    const keys = b.keys ?? packRecords(Array.from(b.metadata?.get('key') ?? [], (k) => k as string | null));
    if (values.bytes.length > 0 && this.valueDecoder.prepare)
      await this.valueDecoder.prepare(values, b.count);
    if (keys.bytes.length > 0 && this.keyDecoder.prepare) await this.keyDecoder.prepare(keys, b.count);
    const rows: (Row | null)[] = [];
    const kinds: RowKind[] = [];
    const from: number[] = [];
    const problems: (string | null)[] = [];
    const raw: (string | null)[] = [];
    const out = (
      row: Row | null,
      kind: RowKind,
      i: number,
      problem: string | null = null,
      text: string | null = null,
    ) => {
      rows.push(row);
      kinds.push(kind);
      from.push(i);
      problems.push(problem);
      raw.push(text);
    };
    for (let i = 0; i < b.count; i++) {
      if (b.positions[i]! >= upTo) break;
      const row: Row = new Array(this.width).fill(null);
      const ks = keys.starts[i]!;
      const keyProblem =
        ks < 0
          ? 'the record has no key (upsert-kafka needs one)'
          : this.keyDecoder.decode(keys.bytes, ks, keys.ends[i]!, row);
      if (keyProblem !== null) {
        out(null, INSERT, i, `key: ${keyProblem}`, this.text(keys, i, false));
        continue;
      }
      const id = this.layout.keyColumns
        .map((c) => valueToText(row[c.rowIndex], c.type) ?? '\u0000')
        .join('\u0001');
      const previous = this.latest.get(id);
      const vs = values.starts[i]!;
      if (vs < 0) {
        // A tombstone: the key's row goes (nothing to take back for a key never seen).
        if (previous) {
          this.latest.delete(id);
          out(previous, DELETE, i);
        }
        continue;
      }
      const problem = this.valueDecoder.decode(values.bytes, vs, values.ends[i]!, row);
      if (problem === SKIP_RECORD) continue;
      if (problem !== null) {
        out(null, INSERT, i, problem, this.text(values, i, this.valueBinary));
        continue;
      }
      this.latest.set(id, row);
      if (previous) {
        out(previous, UPDATE_BEFORE, i);
        out(row, UPDATE_AFTER, i);
      } else out(row, INSERT, i);
    }
    return remap(b, rows, kinds, from, problems, raw);
  }

  private text(r: RecordBytes, i: number, binary: boolean): string {
    const s = r.starts[i]!;
    if (s < 0) return '';
    return binary
      ? `0x${r.bytes.toString('hex', s, Math.min(r.ends[i]!, s + 64))}`
      : r.bytes.toString('utf8', s, r.ends[i]!);
  }
}

/** The batch's rows, each with the position and metadata of the record it came from. */
function remap(
  b: RawBatch,
  rows: (Row | null)[],
  kinds: RowKind[],
  from: number[],
  problems: (string | null)[],
  raw: (string | null)[],
): RawBatch {
  const pick = (a: ArrayLike<unknown>) => from.map((i) => a[i]);
  const metadata = b.metadata ? new Map([...b.metadata].map(([k, a]) => [k, pick(a)])) : undefined;
  return {
    split: b.split,
    count: rows.length,
    rows,
    kinds,
    problems,
    raw,
    positions: from.map((i) => b.positions[i]!),
    metadata,
  };
}

function makeMessages(keyEncoder: RecordEncoder, valueEncoder: RecordEncoder, l: UpsertLayout): MessageMaker {
  return {
    make(row, kind) {
      // A -U reaches the sink only when a filter sits on the updates (build.ts): a tombstone, as
      // Flink's upsert-kafka writes for UPDATE_BEFORE; the +U that passed the filter follows it.
      const key = keyEncoder.encodeValue(l.key.map((i) => row[i]));
      if (kind === DELETE || kind === UPDATE_BEFORE) return { key, value: null };
      return { key, value: valueEncoder.encodeValue(l.value.map((i) => row[i])) };
    },
    async prepare() {
      await keyEncoder.prepare?.();
      await valueEncoder.prepare?.();
    },
  };
}

export const upsertKafkaConnector: ConnectorDefinition = {
  name: 'upsert-kafka',
  usesFormat: true,
  changelog: true,
  metadata: kafkaConnector.metadata,
  createSource(ctx) {
    const l = layout(ctx);
    const kf = keyFormat(ctx);
    const vf = valueFormatChecked(ctx);
    const keyDecoder = kf.createDecoder(l.keyColumns, ctx.options, { isKey: true });
    const valueDecoder = vf.createDecoder(l.valueColumns, ctx.options);
    const reader = () =>
      kafkaConnector.createSource!({
        ...kafkaContext(ctx),
        metadataKeys: [...(ctx.metadataKeys ?? []), KEY_BYTES],
      });
    return new UpsertKafkaSource(
      reader(),
      keyDecoder,
      valueDecoder,
      l,
      ctx.physical.length,
      vf.binary === true,
      reader,
    );
  },
  createSink(ctx) {
    const l = layout(ctx);
    const kf = keyFormat(ctx);
    const vf = valueFormatChecked(ctx);
    const fieldsOf = (cols: DecodedColumn[]) => cols.map((c) => ({ name: c.name, type: c.type }));
    const keyEncoder = kf.createEncoder(fieldsOf(l.keyColumns), ctx.options, { isKey: true });
    const valueEncoder = vf.createEncoder(fieldsOf(l.valueColumns), ctx.options);
    return kafkaSink(kafkaContext(ctx), makeMessages(keyEncoder, valueEncoder, l));
  },
};
