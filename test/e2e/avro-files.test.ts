// 'format' = 'avro' on the filesystem connector (issue 20): Avro Object Container Files, as
// Flink's flink-avro reads and writes them (Flink reading the same files is the avro_files
// conformance case). From the outside: the CLI writes a container file, avsc's own file reader
// (not fintrans-sql's code) reads it back with the schema Flink derives, the CLI reads it again
// into the same CSV, a directory of files is read as splits, and a damaged file stops the job
// with the file and the reason.
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import avro from 'avsc';
import snappy from 'snappyjs';
import { afterAll, describe, expect, it } from 'vitest';
import { getFormat } from '../../engine/formats/registry.js';
import { OptionBag } from '../../engine/options.js';
import { T } from '../../engine/types.js';
import { runCli } from './cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fintrans-avro-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLUMNS = 'id BIGINT, who STRING, amount DECIMAL(10, 2), rate DOUBLE, ts TIMESTAMP(3)';
const CSV = [
  '1,alice,12.50,0.25,2024-03-01 10:00:00.000',
  '2,,-3.10,,2024-03-01 10:00:01.500',
  '9007199254740993,Zoë ✓,99999999.99,1.0E-5,',
  '',
].join('\n');

function job(name: string, sql: string): string {
  const file = join(dir, name);
  writeFileSync(file, sql);
  return file;
}

/** Every record of a container file, read by avsc's own file decoder. */
function readContainer(file: string): Promise<{ schema: unknown; codec: string; records: unknown[] }> {
  return new Promise((resolve, reject) => {
    const records: unknown[] = [];
    let schema: unknown;
    let codec = '';
    // BIGINTs beyond 2^53 as strings, to compare exactly.
    const long = avro.types.LongType.__with({
      fromBuffer: (b: Buffer) => b.readBigInt64LE().toString(),
      toBuffer: () => Buffer.alloc(8),
      fromJSON: Number,
      toJSON: Number,
      isValid: () => true,
      compare: () => 0,
    });
    avro
      .createFileDecoder(file, {
        // avsc has no snappy of its own: Avro's snappy block is the compressed bytes and a CRC-32.
        codecs: {
          ...avro.streams.BlockDecoder.defaultCodecs(),
          snappy: (b: Buffer, cb: (e: Error | null, out?: Buffer) => void) =>
            cb(null, Buffer.from(snappy.uncompress(b.subarray(0, b.length - 4)))),
        },
        parseHook: (schema: avro.Schema) =>
          avro.Type.forSchema(schema, {
            registry: { long },
            wrapUnions: true,
            typeHook: (s) =>
              typeof s === 'object' && s !== null && (s as { type?: unknown }).type === 'long'
                ? long
                : undefined,
          }),
      } as never)
      .on('metadata', (t: avro.Type, c: string) => {
        schema = t.schema();
        codec = c;
      })
      .on('data', (r: Record<string, unknown>) =>
        // Union values come wrapped in their branch ({"long": "1"}).
        records.push(
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [k, v === null ? null : Object.values(v as object)[0]]),
          ),
        ),
      )
      .on('error', reject)
      .on('end', () => resolve({ schema, codec, records }));
  });
}

describe("'format' = 'avro' files", () => {
  writeFileSync(join(dir, 'in.csv'), CSV);

  it('writes an Avro container file that Avro reads, and reads it back into the same rows', async () => {
    const write = job(
      'write.sql',
      `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE dst (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'out.avro', 'format' = 'avro', 'avro.codec' = 'deflate');
INSERT INTO dst SELECT * FROM src;`,
    );
    const w = runCli(['run', write, '--quiet'], dir);
    expect(w.stderr).toMatch(/wrote 3 rows → out\.avro/);
    expect(w.code).toBe(0);

    const file = await readContainer(join(dir, 'out.avro'));
    expect(file.codec).toBe('deflate');
    expect(file.schema).toMatchObject({ name: 'org.apache.flink.avro.generated.record' });
    expect(file.records).toEqual([
      {
        id: '1',
        who: 'alice',
        amount: Buffer.from([0x04, 0xe2]),
        rate: 0.25,
        ts: String(Date.UTC(2024, 2, 1, 10)),
      },
      {
        id: '2',
        who: '',
        amount: Buffer.from([0xfe, 0xca]),
        rate: null,
        ts: String(Date.UTC(2024, 2, 1, 10, 0, 1, 500)),
      },
      {
        id: '9007199254740993',
        who: 'Zoë ✓',
        amount: Buffer.from([0x02, 0x54, 0x0b, 0xe3, 0xff]),
        rate: 1e-5,
        ts: null,
      },
    ]);

    const read = job(
      'read.sql',
      `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'out.avro', 'format' = 'avro');
CREATE TABLE dst (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'back.csv', 'format' = 'csv');
INSERT INTO dst SELECT * FROM src;`,
    );
    const r = runCli(['run', read, '--quiet'], dir);
    expect(r.stderr).toMatch(/read 3 records from 'src'/);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'back.csv'), 'utf8')).toBe(
      'id,who,amount,rate,ts\n' +
        '1,alice,12.50,0.25,2024-03-01 10:00:00.000\n' +
        '2,,-3.10,,2024-03-01 10:00:01.500\n' +
        '9007199254740993,Zoë ✓,99999999.99,1.0E-5,\n',
    );
  });

  it('reads a directory of container files, each a split', () => {
    mkdirSync(join(dir, 'parts'));
    const one = readFileSync(join(dir, 'out.avro'));
    writeFileSync(join(dir, 'parts', 'a.avro'), one);
    writeFileSync(join(dir, 'parts', 'b.avro'), one);
    const sql = job(
      'dir.sql',
      `CREATE TABLE src (${COLUMNS}, f STRING METADATA FROM 'file.path' VIRTUAL) WITH ('connector' = 'filesystem', 'path' = 'parts', 'format' = 'avro');
CREATE TABLE dst (n BIGINT, total DECIMAL(12, 2)) WITH ('connector' = 'filesystem', 'path' = 'sum.csv', 'format' = 'csv');
INSERT INTO dst SELECT COUNT(*), SUM(amount) FROM src WHERE f LIKE '%b.avro' OR id = 1;`,
    );
    const r = runCli(['run', sql, '--quiet', '--set', 'fintrans.sink.append-updates=true'], dir);
    expect(r.stderr).toMatch(/read 6 records from 'src'/);
    // a.avro's id 1 and b.avro's three rows: the last running total is 4 rows.
    expect(readFileSync(join(dir, 'sum.csv'), 'utf8').trim().split('\n').pop()).toBe('4,100000021.89');
  });

  it('stops at a truncated file and at a file that is not Avro, naming the file', () => {
    const bytes = readFileSync(join(dir, 'out.avro'));
    writeFileSync(join(dir, 'cut.avro'), bytes);
    truncateSync(join(dir, 'cut.avro'), statSync(join(dir, 'cut.avro')).size - 20);
    writeFileSync(join(dir, 'text.avro'), CSV);
    for (const [path, reason] of [
      ['cut.avro', /table 'src': cut\.avro: the file ends inside a block .*: a truncated file/],
      ['text.avro', /table 'src': text\.avro: not an Avro object container file/],
    ] as const) {
      const sql = job(
        'bad.sql',
        `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'avro');
CREATE TABLE dst (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'bad.csv', 'format' = 'csv');
INSERT INTO dst SELECT * FROM src;`,
      );
      const r = runCli(['run', sql, '--quiet'], dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(reason);
    }
  });

  it("refuses an 'avro' file with a PRIMARY KEY and a codec it cannot write, at plan time", () => {
    const pk = job(
      'pk.sql',
      `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE dst (${COLUMNS}, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'filesystem', 'path' = 'pk.avro', 'format' = 'avro');
INSERT INTO dst SELECT * FROM src;`,
    );
    const r = runCli(['run', pk, '--quiet'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pk\.sql:2:\d+: .*PRIMARY KEY.*\n  hint: drop the PRIMARY KEY/);
    const codec = job(
      'codec.sql',
      `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE dst (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'c.avro', 'format' = 'avro', 'avro.codec' = 'lz4');
INSERT INTO dst SELECT * FROM src;`,
    );
    const c = runCli(['run', codec, '--quiet'], dir);
    expect(c.code).toBe(1);
    expect(c.stderr).toMatch(/'avro.codec' = 'lz4' is not a codec this build writes/);
  });

  it("takes any 'avro.codec' on a topic (a file's option: Flink ignores it there), refuses one it cannot write for a file", () => {
    const encoder = getFormat('avro')!.createEncoder(
      [{ name: 'id', type: T.bigint() }],
      OptionBag.of({ 'avro.codec': 'bzip2' }),
    );
    expect(encoder.encodeValue([7n]).toString('hex')).toBe('020e');
    expect(() => encoder.file).toThrow(/'avro.codec' = 'bzip2' is not a codec this build writes/);
  });

  it("writes Flink's default codec, snappy, when 'avro.codec' is not given, and reads it back", async () => {
    const write = job(
      'snappy.sql',
      `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'in.csv', 'format' = 'csv');
CREATE TABLE dst (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'snappy.avro', 'format' = 'avro');
INSERT INTO dst SELECT * FROM src;`,
    );
    expect(runCli(['run', write, '--quiet'], dir).code).toBe(0);
    const file = await readContainer(join(dir, 'snappy.avro'));
    expect(file.codec).toBe('snappy');
    expect(file.records).toHaveLength(3);
    const read = job(
      'snappy-read.sql',
      `CREATE TABLE src (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'snappy.avro', 'format' = 'avro');
CREATE TABLE dst (${COLUMNS}) WITH ('connector' = 'filesystem', 'path' = 'snappy-back.csv', 'format' = 'csv');
INSERT INTO dst SELECT * FROM src;`,
    );
    expect(runCli(['run', read, '--quiet'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'snappy-back.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'back.csv'), 'utf8'),
    );
  });
});
