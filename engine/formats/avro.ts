// The 'avro' and 'avro-confluent' formats (Flink's), on the avsc library (a well-kept Avro
// implementation: schema parsing, binary encoding, schema resolution), not a codec of our own.
//
// - 'avro': each record value is one Avro datum in binary encoding (no header), of the schema
//   Flink derives from the table (AvroSchemaConverter): a record 'record' in namespace
//   'org.apache.flink.avro.generated', one field per physical column in order; a nullable column
//   is the union ["null", T] with default null. STRING → string, BOOLEAN, INT/SMALLINT/TINYINT →
//   int, BIGINT → long, FLOAT, DOUBLE, DECIMAL(p, s) → bytes (decimal p, s), TIMESTAMP(3) and
//   TIMESTAMP_LTZ(3) → long (timestamp-millis, Flink's legacy mapping, its default).
// - 'avro-confluent': the Confluent wire format, a 0 byte, the writer schema's id (4 bytes, big
//   endian), then the datum. Reading fetches each writer schema by id from the registry
//   ('avro-confluent.url', the Confluent API: Confluent's registry, or Apicurio's
//   /apis/ccompat/v7) and resolves it to the table's schema (Avro's rules: fields the table has
//   and the writer had not take their default, fields the writer had and the table has not are
//   skipped). Writing registers the table's schema under the subject ('avro-confluent.subject',
//   by default '<topic>-value', or '<topic>-key' for a key format) and writes its id.
//
// - On the filesystem connector, 'avro' files are Avro Object Container Files, as Flink reads and
//   writes them (its AvroFileFormatFactory): a header with the writer's schema and codec, then
//   blocks of records. Read with the file's writer schema resolved to the table's (as above, Avro's
//   rules); written with the table's schema, one block per flush, 'avro.codec' snappy (Flink's
//   default), deflate or null.
//
// A record that does not decode (truncated, an unknown schema id, a writer schema the table's
// cannot read, the registry unreachable) fails with the reason; with 'avro.ignore-parse-errors' /
// 'avro-confluent.ignore-parse-errors' it is skipped and counted. Never a wrong row: a datum must
// end exactly where the record does.

import { createHash } from 'node:crypto';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import snappy from 'snappyjs';
import { ConnectorError, OptionError } from '../errors.js';
import type { OptionBag } from '../options.js';
import type { Row, SqlType } from '../types.js';
import type {
  ContainerReader,
  DecodedColumn,
  FormatContext,
  FormatDefinition,
  RecordBytesView,
  RecordDecoder,
  RecordEncoder,
} from './api.js';

/** Avro longs as bigint (exact beyond 2^53), given to the engine as a number when safe. */
const LONG = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (n: number | string) => BigInt(n),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isInteger(n)),
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});

const NAMESPACE = 'org.apache.flink.avro.generated';

type AvroSchema = string | Record<string, unknown> | unknown[];

/** The Avro schema of one column's type, as Flink's AvroSchemaConverter makes it. */
function columnSchema(type: SqlType, column: string, format: string): AvroSchema {
  let base: AvroSchema;
  switch (type.name) {
    case 'STRING':
      base = 'string';
      break;
    case 'BOOLEAN':
      base = 'boolean';
      break;
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
      base = 'int';
      break;
    case 'BIGINT':
      base = 'long';
      break;
    case 'FLOAT':
      base = 'float';
      break;
    case 'DOUBLE':
      base = 'double';
      break;
    case 'DECIMAL':
      base = {
        type: 'bytes',
        logicalType: 'decimal',
        precision: type.precision ?? 10,
        scale: type.scale ?? 0,
      };
      break;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      base = { type: 'long', logicalType: 'timestamp-millis' };
      break;
    default:
      throw new OptionError(
        undefined,
        `'format' = '${format}': column '${column}' of type ${type.name} has no Avro mapping here`,
        `declare it as STRING, BOOLEAN, INT, BIGINT, FLOAT, DOUBLE, DECIMAL or TIMESTAMP(3)`,
      );
  }
  return type.nullable ? ['null', base] : base;
}

/** The union branch a nullable column's values are in (the underlying type's name). */
function branchOf(type: SqlType, column: string, format: string): string {
  const schema = columnSchema({ ...type, nullable: false }, column, format);
  return typeof schema === 'string' ? schema : (schema as { type: string }).type;
}

/** The table's Avro schema (Flink's derivation), for reading and for registering. */
export function tableSchema(
  fields: readonly { name: string; type: SqlType }[],
  format: string,
): Record<string, unknown> {
  return {
    type: 'record',
    name: 'record',
    namespace: NAMESPACE,
    fields: fields.map((f) => ({
      name: f.name,
      type: columnSchema(f.type, f.name, format),
      ...(f.type.nullable ? { default: null } : {}),
    })),
  };
}

export function avroType(schema: AvroSchema): avro.Type {
  // A registry of its own per schema: avsc adds the schema's named types to it.
  // Unions wrapped ({"long": 7}): an unwrapped union picks its branch by the JS type, and a bigint
  // has none there.
  return avro.Type.forSchema(schema as avro.Schema, {
    registry: { long: LONG },
    wrapUnions: true,
    // {"type": "long", "logicalType": ...} (timestamp-millis) is a long too: ours, as bigint.
    typeHook: (s) =>
      typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long' ? LONG : undefined,
  });
}

/** An Avro value of a column → the engine's value. */
type FromAvro = (v: unknown) => unknown;
/** An engine value → the Avro value of its column. */
type ToAvro = (v: unknown) => unknown;

function fromAvro(type: SqlType): FromAvro {
  switch (type.name) {
    case 'BIGINT':
      return (v) => {
        const n = v as bigint | number;
        if (typeof n === 'number') return n;
        return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
      };
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (v) => Number(v as bigint);
    case 'DECIMAL':
      return (v) => unscaledOf(v as Buffer);
    default:
      return (v) => v;
  }
}

function toAvro(type: SqlType): ToAvro {
  switch (type.name) {
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return (v) => BigInt(Math.trunc(v as number));
    case 'DECIMAL':
      return (v) => bytesOf(BigInt(v as bigint | number));
    default:
      return (v) => v;
  }
}

/** A decimal's bytes (big-endian two's complement) as its unscaled value. */
function unscaledOf(b: Buffer): bigint {
  if (b.length === 0) return 0n;
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  return b[0]! & 0x80 ? n - (1n << BigInt(8 * b.length)) : n;
}

/** An unscaled value as the shortest big-endian two's complement bytes (as Java's BigInteger.toByteArray). */
function bytesOf(n: bigint): Buffer {
  const out: number[] = [];
  let v = n;
  for (;;) {
    const byte = Number(v & 0xffn);
    out.unshift(byte);
    v >>= 8n;
    if ((v === 0n && !(byte & 0x80)) || (v === -1n && byte & 0x80)) break;
  }
  return Buffer.from(out);
}

/** Fills the row from a decoded record, by the table's field order. */
class RowFiller {
  private readonly names: string[];
  private readonly index: number[];
  private readonly convert: FromAvro[];
  private readonly nullable: boolean[];

  constructor(columns: readonly DecodedColumn[]) {
    this.names = columns.map((c) => c.name);
    this.index = columns.map((c) => c.rowIndex);
    this.convert = columns.map((c) => fromAvro(c.type));
    this.nullable = columns.map((c) => c.type.nullable);
  }

  fill(record: Record<string, unknown>, row: Row): string | null {
    for (let i = 0; i < this.names.length; i++) {
      let v = record[this.names[i]!];
      // A nullable column is a union: its value comes wrapped in its branch ({"long": 7}).
      if (this.nullable[i] && v !== null && v !== undefined) v = Object.values(v as object)[0];
      if (v === null || v === undefined) {
        if (!this.nullable[i]) return `field '${this.names[i]}' is null but the column is declared NOT NULL`;
        row[this.index[i]!] = null;
      } else row[this.index[i]!] = this.convert[i]!(v);
    }
    return null;
  }
}

/** Decodes the datum buf[start, end) with `type` (through `resolver`); it must end exactly at `end`. */
function decodeDatum(
  type: avro.Type,
  buf: Buffer,
  start: number,
  end: number,
  resolver?: avro.Resolver,
): { value: Record<string, unknown> } | string {
  let r: { value: unknown; offset: number };
  try {
    // A view ending where the record does: a truncated datum must not read the next record's bytes.
    r = type.decode(buf.subarray(0, end), start, resolver) as { value: unknown; offset: number };
  } catch (e) {
    return `not a valid Avro datum: ${(e as Error).message}`;
  }
  if (r.offset < 0) return `truncated Avro datum (${end - start} bytes)`;
  if (r.offset !== end) return `${end - r.offset} bytes left over after the Avro datum (not this schema?)`;
  return { value: r.value as Record<string, unknown> };
}

class AvroDecoder implements RecordDecoder {
  private readonly type: avro.Type;
  private readonly filler: RowFiller;

  constructor(columns: readonly DecodedColumn[]) {
    this.type = avroType(tableSchema(columns, 'avro'));
    this.filler = new RowFiller(columns);
  }

  decode(bytes: Buffer, start: number, end: number, row: Row): string | null {
    const r = decodeDatum(this.type, bytes, start, end);
    return typeof r === 'string' ? r : this.filler.fill(r.value, row);
  }
}

class AvroEncoder implements RecordEncoder {
  readonly header = null;
  private readonly type: avro.Type;
  private readonly names: string[];
  private readonly convert: ToAvro[];

  constructor(fields: readonly { name: string; type: SqlType }[], format: string) {
    this.type = avroType(tableSchema(fields, format));
    this.names = fields.map((f) => f.name);
    this.convert = fields.map((f) => toAvro(f.type));
    this.branch = fields.map((f) => (f.type.nullable ? branchOf(f.type, f.name, format) : null));
  }

  /** Nullable columns' union branch, their values are wrapped in; null for the others. */
  private readonly branch: (string | null)[];

  /** The datum of a row. */
  datum(row: Row): Buffer {
    const record: Record<string, unknown> = {};
    for (let i = 0; i < this.names.length; i++) {
      const v = row[i];
      const branch = this.branch[i] ?? null;
      record[this.names[i]!] =
        v === null || v === undefined
          ? null
          : branch === null
            ? this.convert[i]!(v)
            : { [branch]: this.convert[i]!(v) };
    }
    return this.type.toBuffer(record);
  }

  encodeValue(row: Row): Buffer {
    return this.datum(row);
  }

  encodeLines(): string {
    throw new Error('Avro records are binary: they are not written as lines');
  }
}

// ---------------------------------------------------------------------------------------------
// Object Container Files (the filesystem connector's 'avro' files)

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]); // 'Obj' 1
/** The container file header, as the Avro specification defines it. */
const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
/** A block's record count and byte size (plain numbers: far below 2^53). */
const BLOCK_LONG = avro.Type.forSchema('long');

/** Codecs this build reads and writes ('avro.codec'); Flink also knows bzip2, xz, zstandard. */
const CODECS: Record<string, { decode: (b: Buffer) => Buffer; encode: (b: Buffer) => Buffer }> = {
  null: { decode: (b) => b, encode: (b) => b },
  deflate: { decode: (b) => inflateRawSync(b), encode: (b) => deflateRawSync(b) },
  // Flink's default. Avro's snappy block: the compressed bytes, then the CRC-32 of the uncompressed ones.
  snappy: {
    decode: (b) => {
      const data = Buffer.from(snappy.uncompress(b.subarray(0, b.length - 4)));
      if (crc32(data) !== b.readUInt32BE(b.length - 4))
        throw new Error(`a snappy block's checksum does not match (a damaged file)`);
      return data;
    },
    encode: (b) => {
      const sum = Buffer.alloc(4);
      sum.writeUInt32BE(crc32(b));
      return Buffer.concat([Buffer.from(snappy.compress(b)), sum]);
    },
  },
};

function codecOf(name: string, doing: string): (typeof CODECS)[string] {
  const c = CODECS[name];
  if (!c)
    throw new Error(
      `${doing} codec '${name}', which this build does not have (it has ${Object.keys(CODECS).join(', ')})`,
    );
  return c;
}

class AvroFileReader implements ContainerReader {
  private readonly table: avro.Type;
  private readonly schema: Record<string, unknown>;
  private file?: {
    sync: Buffer;
    decompress: (b: Buffer) => Buffer;
    reader: avro.Type;
    resolver: avro.Resolver;
    /** The writer's schema is the table's: a record's bytes are read as they are. */
    same: boolean;
  };

  constructor(fields: readonly { name: string; type: SqlType }[]) {
    this.schema = tableSchema(fields, 'avro');
    this.table = avroType(this.schema);
  }

  next(buf: Buffer, at: number): { at: number; records: RecordBytesView; count: number } | null {
    if (buf.length === at) return null;
    if (!this.file) {
      if (buf.length - at < MAGIC.length) return null;
      if (!buf.subarray(at, at + MAGIC.length).equals(MAGIC))
        throw new Error(`not an Avro object container file (it does not start with 'Obj' 1)`);
      const h = HEADER.decode(buf, at) as {
        value: { meta: Record<string, Buffer>; sync: Buffer };
        offset: number;
      };
      if (h.offset < 0) return null;
      const meta = h.value.meta;
      const schemaText = meta['avro.schema']?.toString('utf8');
      if (schemaText === undefined) throw new Error(`the file's header has no 'avro.schema'`);
      const codec = meta['avro.codec']?.toString('utf8') ?? 'null';
      const writer = avroType(JSON.parse(schemaText) as AvroSchema);
      let reader: avro.Type;
      let resolver: avro.Resolver;
      try {
        reader = avroType({ ...this.schema, aliases: [writer.name ?? 'record'] });
        resolver = reader.createResolver(writer);
      } catch (e) {
        throw new Error(`the file's schema cannot be read as the table's: ${(e as Error).message}`);
      }
      this.file = {
        sync: Buffer.from(h.value.sync),
        decompress: codecOf(codec, 'the file is written with').decode,
        reader,
        resolver,
        same: writer.equals(this.table),
      };
      // The header is used up even when its first block is not read whole yet: no records then.
      return (
        this.block(buf, h.offset) ?? { at: h.offset, records: { bytes: buf, starts: [], ends: [] }, count: 0 }
      );
    }
    return this.block(buf, at);
  }

  /** The block at buf[at...], null when it is not read whole yet. */
  private block(buf: Buffer, at: number): { at: number; records: RecordBytesView; count: number } | null {
    const f = this.file!;
    const c = BLOCK_LONG.decode(buf, at) as { value: number; offset: number };
    if (c.offset < 0) return null;
    const z = BLOCK_LONG.decode(buf, c.offset) as { value: number; offset: number };
    if (z.offset < 0) return null;
    const end = z.offset + z.value;
    if (end + 16 > buf.length) return null;
    if (!buf.subarray(end, end + 16).equals(f.sync))
      throw new Error(`a block does not end with the file's sync marker (a damaged file)`);
    const data = f.decompress(buf.subarray(z.offset, end));
    const count = c.value;
    const starts = new Int32Array(count);
    const ends = new Int32Array(count);
    let bytes = data;
    // Each record is decoded here to find where it ends (and to resolve it when the writer's
    // schema is not the table's: then it is written again in the table's, for the decoder).
    const again: Buffer[] = [];
    let pos = 0;
    let out = 0;
    for (let i = 0; i < count; i++) {
      let r: { value: unknown; offset: number };
      try {
        r = f.reader.decode(data, pos, f.resolver) as { value: unknown; offset: number };
      } catch (e) {
        throw new Error(`record ${i + 1} of a block is not valid Avro: ${(e as Error).message}`);
      }
      if (r.offset < 0) throw new Error(`a block ends inside its record ${i + 1} (a damaged file)`);
      if (f.same) {
        starts[i] = pos;
        ends[i] = r.offset;
      } else {
        const b = this.table.toBuffer(r.value);
        again.push(b);
        starts[i] = out;
        out += b.length;
        ends[i] = out;
      }
      pos = r.offset;
    }
    if (pos !== data.length)
      throw new Error(`a block holds ${data.length - pos} bytes after its ${count} records`);
    if (!f.same) bytes = Buffer.concat(again);
    return { at: end + 16, records: { bytes, starts, ends }, count };
  }
}

/** Writes the table's rows as an Object Container File: the header, then one block per call. */
class AvroFileWriter {
  readonly header: Buffer;
  private readonly sync: Buffer;
  private readonly compress: (b: Buffer) => Buffer;

  constructor(
    private readonly encoder: AvroEncoder,
    schema: Record<string, unknown>,
    codec: string,
  ) {
    const schemaText = JSON.stringify(schema);
    // Flink draws the sync marker at random; derived from the schema here, so a job resumed from
    // a checkpoint appends blocks with the marker its file's header has (and a rerun is byte-identical).
    this.sync = createHash('sha256').update(schemaText).update(codec).digest().subarray(0, 16);
    this.compress = codecOf(codec, `'avro.codec' names the`).encode;
    this.header = HEADER.toBuffer({
      magic: MAGIC,
      meta: { 'avro.schema': Buffer.from(schemaText, 'utf8'), 'avro.codec': Buffer.from(codec, 'utf8') },
      sync: this.sync,
    });
  }

  block(rows: readonly Row[]): Buffer {
    if (rows.length === 0) return Buffer.alloc(0);
    const data = this.compress(Buffer.concat(rows.map((r) => this.encoder.datum(r))));
    return Buffer.concat([
      BLOCK_LONG.toBuffer(rows.length),
      BLOCK_LONG.toBuffer(data.length),
      data,
      this.sync,
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// avro-confluent

const CONFLUENT = 'avro-confluent';

/** The registry options of a table (Flink's names), and the subject its records are under. */
interface RegistryOptions {
  readonly url: string;
  readonly subject: string | undefined;
  readonly headers: Record<string, string>;
}

function readRegistryOptions(bag: OptionBag, context: FormatContext | undefined): RegistryOptions {
  // A key format's options may be written 'key.avro-confluent.*' (Flink's upsert-kafka), a value
  // format's 'value.avro-confluent.*'; plain 'avro-confluent.*' is the value format's.
  const prefixes = context?.isKey ? ['key.'] : ['', 'value.'];
  const read = (name: string): string | undefined => {
    let found: string | undefined;
    for (const p of prefixes) found = bag.optionalString(`${p}${CONFLUENT}.${name}`) ?? found;
    return found;
  };
  const url = read('url');
  if (url === undefined)
    throw new OptionError(
      undefined,
      `'format' = '${CONFLUENT}' needs '${CONFLUENT}.url', the schema registry`,
      `add '${CONFLUENT}.url' = 'http://localhost:8080/apis/ccompat/v7' (Apicurio) or your Confluent registry's URL`,
    );
  const headers: Record<string, string> = {};
  const userInfo = read('basic-auth.user-info');
  const basicSource = read('basic-auth.credentials-source');
  if (userInfo !== undefined) {
    if (basicSource !== undefined && basicSource !== 'USER_INFO')
      throw new OptionError(
        undefined,
        `'${CONFLUENT}.basic-auth.credentials-source' = '${basicSource}' is not supported`,
        `use 'USER_INFO' with '${CONFLUENT}.basic-auth.user-info' = 'user:password'`,
      );
    headers.authorization = `Basic ${Buffer.from(userInfo).toString('base64')}`;
  }
  const token = read('bearer-auth.token');
  const bearerSource = read('bearer-auth.credentials-source');
  if (token !== undefined) {
    if (bearerSource !== undefined && bearerSource !== 'STATIC_TOKEN')
      throw new OptionError(
        undefined,
        `'${CONFLUENT}.bearer-auth.credentials-source' = '${bearerSource}' is not supported`,
        `use 'STATIC_TOKEN' with '${CONFLUENT}.bearer-auth.token'`,
      );
    headers.authorization = `Bearer ${token}`;
  }
  read('schema');
  read('ignore-parse-errors');
  const topic = bag.optionalString('topic');
  const subject =
    read('subject') ?? (topic !== undefined ? `${topic}-${context?.isKey ? 'key' : 'value'}` : undefined);
  return { url: url.replace(/\/+$/, ''), subject, headers };
}

/** A Confluent-compatible schema registry: schemas by id, registration under a subject. */
export class RegistryClient {
  constructor(private readonly o: { url: string; headers: Record<string, string> }) {}

  async schemaById(id: number): Promise<string> {
    const body = (await this.call('GET', `/schemas/ids/${id}`)) as { schema?: string };
    if (typeof body.schema !== 'string') throw new Error(`the registry's answer for id ${id} has no schema`);
    return body.schema;
  }

  async register(subject: string, schema: unknown): Promise<number> {
    const body = (await this.call('POST', `/subjects/${encodeURIComponent(subject)}/versions`, {
      schema: JSON.stringify(schema),
    })) as { id?: number };
    if (typeof body.id !== 'number') throw new Error(`the registry's answer has no schema id`);
    return body.id;
  }

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.o.url + path, {
        method,
        headers: { ...this.o.headers, 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(
        `schema registry ${this.o.url} unreachable: ${cause?.code ?? cause?.message ?? (e as Error).message}`,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // not JSON: the text as it is
      }
      throw new Error(`schema registry ${this.o.url}${path}: HTTP ${res.status}: ${message.slice(0, 200)}`);
    }
    return JSON.parse(text) as unknown;
  }
}

/** A writer schema by id: the resolver to the table's schema, or why it cannot be had. */
type WriterEntry = { reader: avro.Type; resolver: avro.Resolver } | { problem: string };

class ConfluentDecoder implements RecordDecoder {
  private readonly reader: avro.Type;
  private readonly filler: RowFiller;
  private readonly writers = new Map<number, WriterEntry>();
  private readonly client: RegistryClient;

  private readonly schema: Record<string, unknown>;

  constructor(columns: readonly DecodedColumn[], o: RegistryOptions) {
    this.schema = tableSchema(columns, CONFLUENT);
    this.reader = avroType(this.schema);
    this.filler = new RowFiller(columns);
    this.client = new RegistryClient(o);
  }

  /** Fetches the writer schemas of the batch's records that are not known yet. */
  async prepare(records: RecordBytesView, count: number): Promise<void> {
    const wanted = new Set<number>();
    for (let i = 0; i < count; i++) {
      const s = records.starts[i]!;
      if (s < 0 || records.ends[i]! - s < 5 || records.bytes[s] !== 0) continue;
      const id = records.bytes.readInt32BE(s + 1);
      if (!this.writers.has(id)) wanted.add(id);
    }
    for (const id of wanted) {
      try {
        const writer = avroType(JSON.parse(await this.client.schemaById(id)) as AvroSchema);
        try {
          // Producers name their records as they like ('bank.Transaction'); the table's record is
          // 'record'. As in Flink, names do not have to agree: the writer's is taken as an alias.
          const reader = avroType({ ...this.schema, aliases: [writer.name ?? 'record'] });
          this.writers.set(id, { reader, resolver: reader.createResolver(writer) });
        } catch (e) {
          this.writers.set(id, {
            problem: `writer schema id ${id} cannot be read as the table's schema: ${(e as Error).message}`,
          });
        }
      } catch (e) {
        // Not cached when the registry could not be asked: the next batch asks again.
        const problem = `writer schema id ${id}: ${(e as Error).message}`;
        if (/unreachable|HTTP 5\d\d/.test(problem)) this.transient.set(id, problem);
        else this.writers.set(id, { problem });
      }
    }
  }

  /** Registry failures of the last prepare(), not cached. */
  private readonly transient = new Map<number, string>();

  decode(bytes: Buffer, start: number, end: number, row: Row): string | null {
    if (end - start < 5) return `too short for the Confluent wire format (${end - start} bytes)`;
    if (bytes[start] !== 0) return `not the Confluent wire format: first byte ${bytes[start]}, expected 0`;
    const id = bytes.readInt32BE(start + 1);
    const w = this.writers.get(id);
    if (!w) return this.transient.get(id) ?? `writer schema id ${id} was not fetched`;
    if ('problem' in w) return w.problem;
    const r = decodeDatum(w.reader, bytes, start + 5, end, w.resolver);
    return typeof r === 'string' ? `schema id ${id}: ${r}` : this.filler.fill(r.value, row);
  }
}

class ConfluentEncoder implements RecordEncoder {
  readonly header = null;
  private readonly inner: AvroEncoder;
  private readonly schema: Record<string, unknown>;
  private prefix: Buffer | null = null;
  private readonly client: RegistryClient;

  constructor(
    fields: readonly { name: string; type: SqlType }[],
    private readonly o: RegistryOptions,
  ) {
    this.inner = new AvroEncoder(fields, CONFLUENT);
    this.schema = tableSchema(fields, CONFLUENT);
    this.client = new RegistryClient(o);
  }

  /** Registers the table's schema under the subject (an existing identical one keeps its id). */
  async prepare(): Promise<void> {
    if (this.prefix) return;
    if (this.o.subject === undefined)
      throw new OptionError(
        undefined,
        `'format' = '${CONFLUENT}' outside a topic needs '${CONFLUENT}.subject'`,
        `add '${CONFLUENT}.subject' = '<subject>'`,
      );
    let id: number;
    try {
      id = await this.client.register(this.o.subject, this.schema);
    } catch (e) {
      throw new ConnectorError(
        `${CONFLUENT}: cannot register the table's schema under subject '${this.o.subject}': ${(e as Error).message}`,
      );
    }
    const prefix = Buffer.alloc(5);
    prefix.writeInt32BE(id, 1);
    this.prefix = prefix;
  }

  encodeValue(row: Row): Buffer {
    if (!this.prefix) throw new Error(`${CONFLUENT}: the schema was not registered before the first record`);
    return Buffer.concat([this.prefix, this.inner.datum(row)]);
  }

  encodeLines(): string {
    throw new Error('Avro records are binary: they are not written as lines');
  }
}

export const avroFormat: FormatDefinition = {
  name: 'avro',
  fileExtension: 'avro',
  binary: true,
  createDecoder(columns, options) {
    options.bool('avro.ignore-parse-errors', false);
    options.accept('avro.codec', 'avro.timestamp_mapping.legacy');
    return new AvroDecoder(columns);
  },
  ignoreParseErrors: (options) => options.bool('avro.ignore-parse-errors', false),
  createEncoder(fields, options) {
    options.accept('avro.timestamp_mapping.legacy', 'avro.ignore-parse-errors');
    // Flink's default codec for Avro files.
    const codec = options.optionalString('avro.codec') ?? 'snappy';
    const encoder = new AvroEncoder(fields, 'avro');
    // Kafka values are single datums (the codec is a file's: Flink ignores it there); a file sink
    // asks for `file` at plan time, and writes the container around them.
    let file: AvroFileWriter | undefined;
    return Object.defineProperty(encoder, 'file', {
      get: () => {
        if (!(codec in CODECS))
          throw new OptionError(
            undefined,
            `'avro.codec' = '${codec}' is not a codec this build writes`,
            `write 'avro.codec' = 'snappy' or 'deflate' (compressed), or 'null'`,
          );
        return (file ??= new AvroFileWriter(encoder, tableSchema(fields, 'avro'), codec));
      },
    }) as AvroEncoder & { readonly file: AvroFileWriter };
  },
  fileReader(fields, options) {
    options.bool('avro.ignore-parse-errors', false);
    options.accept('avro.codec', 'avro.timestamp_mapping.legacy');
    return new AvroFileReader(fields);
  },
};

export const avroConfluentFormat: FormatDefinition = {
  name: CONFLUENT,
  fileExtension: 'avro',
  binary: true,
  createDecoder(columns, options, context) {
    return new ConfluentDecoder(columns, readRegistryOptions(options, context));
  },
  ignoreParseErrors: (options) =>
    options.bool(`${CONFLUENT}.ignore-parse-errors`, false) ||
    options.bool(`value.${CONFLUENT}.ignore-parse-errors`, false),
  createEncoder(fields, options, context) {
    return new ConfluentEncoder(fields, readRegistryOptions(options, context));
  },
};
