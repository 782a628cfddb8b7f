// The avro and avro-confluent formats (issue 20): Flink's schema derived from the table, every type
// through bytes and back, bad bytes refused with the reason (never a wrong row), and the Confluent
// wire format against a minimal registry speaking the Confluent API (schemas by id, registration
// under '<topic>-value'), with a writer schema resolved to the table's (fields added with a
// default, fields removed). The real registry (Apicurio) is in the end-to-end tests when it runs.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordDecoder } from '../../engine/formats/api.js';
import { tableSchema } from '../../engine/formats/avro.js';
import { getFormat } from '../../engine/formats/registry.js';
import { OptionBag } from '../../engine/options.js';
import { T, type Row, type SqlType } from '../../engine/types.js';

const avroFormat = getFormat('avro')!;
const confluent = getFormat('avro-confluent')!;

const FIELDS: { name: string; type: SqlType }[] = [
  { name: 's', type: T.string() },
  { name: 'b', type: T.boolean() },
  { name: 'i', type: T.int() },
  { name: 'n', type: T.bigint(false) },
  { name: 'd', type: T.double() },
  { name: 'm', type: T.decimal(12, 2) },
  { name: 'ts', type: T.timestamp(3) },
];
const COLUMNS = FIELDS.map((f, rowIndex) => ({ ...f, rowIndex }));
const ROWS: Row[] = [
  ['Zoë ✓', true, -7, 1234567890123456789n, 1.5, -12345n, Date.UTC(2017, 6, 23, 1, 6, 47, 123)],
  [null, null, null, 42, null, null, null],
  ['', false, 2147483647, -9223372036854775808n, -0.0, 99999999999n, 0],
];

function decodeAll(d: RecordDecoder, bytes: Buffer): Row | string {
  const row: Row = [];
  return d.decode(bytes, 0, bytes.length, row) ?? row;
}

describe('avro', () => {
  it("derives the table's schema as Flink's AvroSchemaConverter does", () => {
    expect(tableSchema(FIELDS.slice(0, 4).concat(FIELDS.slice(5)), 'avro')).toEqual({
      type: 'record',
      name: 'record',
      namespace: 'org.apache.flink.avro.generated',
      fields: [
        { name: 's', type: ['null', 'string'], default: null },
        { name: 'b', type: ['null', 'boolean'], default: null },
        { name: 'i', type: ['null', 'int'], default: null },
        { name: 'n', type: 'long' },
        {
          name: 'm',
          type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 }],
          default: null,
        },
        { name: 'ts', type: ['null', { type: 'long', logicalType: 'timestamp-millis' }], default: null },
      ],
    });
  });

  it('writes every type as bytes and reads it back exactly (BIGINT beyond 2^53, negative DECIMAL, NULLs)', () => {
    const e = avroFormat.createEncoder(FIELDS, OptionBag.of({}));
    const d = avroFormat.createDecoder(COLUMNS, OptionBag.of({}));
    for (const row of ROWS) expect(decodeAll(d, e.encodeValue(row))).toEqual(row);
    // The bytes are plain Avro binary of that schema: another Avro reader reads them.
    const other = avro.Type.forSchema(tableSchema(FIELDS, 'avro') as avro.Schema);
    expect(other.fromBuffer(e.encodeValue(ROWS[1]!))).toMatchObject({ s: null, n: 42 });
  });

  it('refuses a truncated datum, bytes left over and garbage, with the reason', () => {
    const e = avroFormat.createEncoder(FIELDS, OptionBag.of({}));
    const d = avroFormat.createDecoder(COLUMNS, OptionBag.of({}));
    const good = e.encodeValue(ROWS[0]!);
    expect(decodeAll(d, good.subarray(0, good.length - 3))).toMatch(/^truncated Avro datum/);
    expect(decodeAll(d, Buffer.concat([good, Buffer.from([0])]))).toBe(
      '1 bytes left over after the Avro datum (not this schema?)',
    );
    expect(decodeAll(d, Buffer.from([0x07, 0xff, 0xff]))).toMatch(/^(not a valid Avro datum|truncated)/);
  });

  it('refuses a file sink: Avro is not written as lines', () => {
    expect(avroFormat.binary).toBe(true);
    expect(() => avroFormat.createEncoder(FIELDS, OptionBag.of({})).encodeLines([])).toThrow(/binary/);
  });
});

/** A minimal Confluent-API registry: enough to test the client side; the real one is Apicurio. */
class MiniRegistry {
  readonly schemas: string[] = [];
  readonly subjects = new Map<string, number[]>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const byId = /^\/schemas\/ids\/(\d+)$/.exec(req.url ?? '');
        const register = /^\/subjects\/([^/]+)\/versions$/.exec(req.url ?? '');
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && byId) {
          const s = this.schemas[Number(byId[1]) - 1];
          res.statusCode = s ? 200 : 404;
          res.end(JSON.stringify(s ? { schema: s } : { error_code: 40403, message: 'Schema not found' }));
        } else if (req.method === 'POST' && register) {
          const schema = (JSON.parse(body) as { schema: string }).schema;
          let id = this.schemas.indexOf(schema) + 1;
          if (id === 0) id = this.schemas.push(schema);
          const subject = decodeURIComponent(register[1]!);
          this.subjects.set(subject, [...(this.subjects.get(subject) ?? []), id]);
          res.end(JSON.stringify({ id }));
        } else {
          res.statusCode = 404;
          res.end('{}');
        }
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('avro-confluent', () => {
  const registry = new MiniRegistry();
  beforeAll(() => registry.start());
  afterAll(() => registry.stop());

  const options = (extra: Record<string, string> = {}) =>
    OptionBag.of({ topic: 'payments', 'avro-confluent.url': registry.url, ...extra });

  async function decodeRecords(d: RecordDecoder, records: Buffer[]): Promise<(Row | string)[]> {
    const starts: number[] = [];
    const ends: number[] = [];
    let at = 0;
    for (const r of records) {
      starts.push(at);
      at += r.length;
      ends.push(at);
    }
    const bytes = Buffer.concat(records);
    await d.prepare!({ bytes, starts, ends }, records.length);
    return records.map((_, i) => {
      const row: Row = [];
      return d.decode(bytes, starts[i]!, ends[i]!, row) ?? row;
    });
  }

  it("registers the table's schema under '<topic>-value' and writes magic byte + id + datum", async () => {
    const e = confluent.createEncoder(FIELDS, options());
    await e.prepare!();
    const bytes = e.encodeValue(ROWS[0]!);
    expect(registry.subjects.get('payments-value')).toEqual([1]);
    expect([...bytes.subarray(0, 5)]).toEqual([0, 0, 0, 0, 1]);
    const d = confluent.createDecoder(COLUMNS, options());
    expect(await decodeRecords(d, [bytes])).toEqual([ROWS[0]]);
  });

  it("reads with the writer's schema resolved to the table's: removed fields skipped, added ones defaulted", async () => {
    // The producer's schema has a field the table dropped ('channel') and lacks one it added ('m').
    const writer = {
      type: 'record',
      name: 'record',
      namespace: 'org.apache.flink.avro.generated',
      fields: [
        { name: 'channel', type: 'string' },
        { name: 'n', type: 'long' },
        { name: 's', type: ['null', 'string'], default: null },
      ],
    };
    const id = registry.schemas.push(JSON.stringify(writer));
    const datum = avro.Type.forSchema(writer as avro.Schema).toBuffer({ channel: 'web', n: 7, s: 'x' });
    const prefix = Buffer.alloc(5);
    prefix.writeInt32BE(id, 1);
    const d = confluent.createDecoder(COLUMNS, options());
    expect(await decodeRecords(d, [Buffer.concat([prefix, datum])])).toEqual([
      ['x', null, null, 7, null, null, null],
    ]);
  });

  it('refuses an unknown schema id, a truncated datum, a wrong magic byte and a writer schema the table cannot read', async () => {
    const e = confluent.createEncoder(FIELDS, options());
    await e.prepare!();
    const good = e.encodeValue(ROWS[0]!);
    const unknown = Buffer.from(good);
    unknown.writeInt32BE(999, 1);
    const incompatible = JSON.stringify({
      type: 'record',
      name: 'record',
      namespace: 'org.apache.flink.avro.generated',
      fields: [{ name: 'x', type: 'int' }],
    });
    const badId = registry.schemas.push(incompatible);
    const bad = Buffer.from([0, 0, 0, 0, badId, 2]);
    const d = confluent.createDecoder(COLUMNS, options());
    const out = await decodeRecords(d, [unknown, good.subarray(0, 9), Buffer.from([1, 2, 3, 4, 5, 6]), bad]);
    expect(out[0]).toMatch(
      /^writer schema id 999: schema registry http:\/\/127\.0\.0\.1:\d+\/schemas\/ids\/999: HTTP 404: Schema not found$/,
    );
    expect(out[1]).toMatch(/^schema id 1: truncated Avro datum/);
    expect(out[2]).toBe('not the Confluent wire format: first byte 1, expected 0');
    expect(out[3]).toMatch(new RegExp(`^writer schema id ${badId} cannot be read as the table's schema`));
  });

  it('says the registry is unreachable (and asks again with the next batch)', async () => {
    // A port nothing listens on any more.
    const gone = createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as AddressInfo).port;
    await new Promise<void>((r) => gone.close(() => r()));
    const down = OptionBag.of({ topic: 'payments', 'avro-confluent.url': `http://127.0.0.1:${port}` });
    const d = confluent.createDecoder(COLUMNS, down);
    const rec = Buffer.from([0, 0, 0, 0, 1, 0]);
    expect((await decodeRecords(d, [rec]))[0]).toMatch(
      /^writer schema id 1: schema registry http:\/\/127\.0\.0\.1:\d+ unreachable: ECONNREFUSED$/,
    );
    const e = confluent.createEncoder(FIELDS, down);
    await expect(e.prepare!()).rejects.toThrow(/unreachable: ECONNREFUSED/);
  });

  it("needs 'avro-confluent.url'", () => {
    expect(() => confluent.createDecoder(COLUMNS, OptionBag.of({ topic: 't' }))).toThrow(
      "'format' = 'avro-confluent' needs 'avro-confluent.url', the schema registry",
    );
  });
});
