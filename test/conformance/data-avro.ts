// Avro Object Container Files for the avro_* conformance cases (issue 20), written with avsc's
// own types (not fintrans-sql's format code), so both engines read a file neither of them wrote.
//
// - avro-transfers: transfers as a payment system's producer writes them: its own record name
//   and field order, fields the table does not declare (an array, an enum, a nested record: both
//   readers skip them), an int amount in cents the table reads as BIGINT (Avro's promotion), a
//   float fee read as DOUBLE, a decimal amount, a nullable memo, and a timestamp-millis event time;
//   deflate-compressed, in several blocks.
// - avro-accounts: the schema Flink derives from `accounts (id BIGINT, owner STRING, tier STRING,
//   credit_limit DECIMAL(10, 2), opened TIMESTAMP(3))` exactly, NULLs in every column but id,
//   uncompressed, one block.

import { createHash } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { mulberry32 } from '../prng.js';

const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});
const LONG = avro.Type.forSchema('long');

/** An Object Container File of `records` (in blocks of `perBlock`), as the Avro specification lays it out. */
function containerFile(
  schema: object,
  records: object[],
  codec: 'null' | 'deflate',
  perBlock: number,
): Buffer {
  const type = avro.Type.forSchema(schema as avro.Schema);
  const sync = createHash('md5').update(JSON.stringify(schema)).digest();
  const parts = [
    HEADER.toBuffer({
      magic: Buffer.from('Obj\x01', 'latin1'),
      meta: { 'avro.schema': Buffer.from(JSON.stringify(schema)), 'avro.codec': Buffer.from(codec) },
      sync,
    }),
  ];
  for (let i = 0; i < records.length; i += perBlock) {
    const block = records.slice(i, i + perBlock);
    const raw = Buffer.concat(block.map((r) => type.toBuffer(r)));
    const data = codec === 'deflate' ? deflateRawSync(raw) : raw;
    parts.push(LONG.toBuffer(block.length), LONG.toBuffer(data.length), data, sync);
  }
  return Buffer.concat(parts);
}

/** A decimal's unscaled value as Avro's bytes (big-endian two's complement, shortest). */
function decimalBytes(unscaled: number): Buffer {
  let n = BigInt(unscaled);
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0xffn);
    out.unshift(byte);
    n >>= 8n;
    if ((n === 0n && !(byte & 0x80)) || (n === -1n && byte & 0x80)) break;
  }
  return Buffer.from(out);
}

const START = Date.UTC(2017, 6, 23, 0, 55, 0);

export function avroTransfersFile(): Buffer {
  const schema = {
    type: 'record',
    name: 'Transaction',
    namespace: 'bank.payments',
    fields: [
      { name: 'tx_id', type: 'long' },
      { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'channel', type: { type: 'enum', name: 'Channel', symbols: ['CARD', 'WIRE', 'CASH'] } },
      { name: 'receiver', type: 'long' },
      { name: 'sender', type: 'long' },
      { name: 'amount_cents', type: 'int' },
      { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 12, scale: 2 } },
      { name: 'fee', type: 'float' },
      { name: 'memo', type: ['null', 'string'], default: null },
      { name: 'tags', type: { type: 'array', items: 'string' } },
      {
        name: 'origin',
        type: {
          type: 'record',
          name: 'Origin',
          fields: [
            { name: 'bank', type: 'string' },
            { name: 'branch', type: 'int' },
          ],
        },
      },
    ],
  };
  const rand = mulberry32(2020);
  const records: object[] = [];
  let t = START;
  let max = t;
  for (let i = 0; i < 300; i++) {
    t += Math.floor(rand() * 20) * 1000;
    // Some disorder, always less than the 5-second watermark delay behind the largest time.
    const ts = rand() < 0.25 ? Math.max(START, max - Math.floor(rand() * 4) * 1000) : t;
    max = Math.max(max, ts);
    const cents = 100 + Math.floor(rand() * 900_000);
    records.push({
      tx_id: 1_000_000_000_000 + i,
      event_time: ts,
      channel: ['CARD', 'WIRE', 'CASH'][Math.floor(rand() * 3)],
      receiver: 1 + Math.floor(rand() * 4),
      sender: 1 + Math.floor(rand() * 4),
      amount_cents: cents,
      amount: decimalBytes(cents),
      fee: Math.floor(rand() * 64) / 8, // exact in a float
      memo: rand() < 0.3 ? null : `memo ${i} é€`,
      tags: i % 3 === 0 ? [] : ['a', `t${i % 5}`],
      origin: { bank: `bank-${i % 7}`, branch: i % 11 },
    });
  }
  return containerFile(schema, records, 'deflate', 64);
}

export function avroAccountsFile(): Buffer {
  const opt = (t: unknown) => ['null', t];
  const schema = {
    type: 'record',
    name: 'record',
    namespace: 'org.apache.flink.avro.generated',
    fields: [
      { name: 'id', type: 'long' },
      { name: 'owner', type: opt('string'), default: null },
      { name: 'tier', type: opt('string'), default: null },
      {
        name: 'credit_limit',
        type: opt({ type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }),
        default: null,
      },
      { name: 'opened', type: opt({ type: 'long', logicalType: 'timestamp-millis' }), default: null },
    ],
  };
  const rand = mulberry32(2021);
  const records: object[] = [];
  for (let id = 1; id <= 40; id++) {
    const has = () => rand() >= 0.2;
    records.push({
      id,
      owner: has() ? `owner-${id}` : null,
      tier: has() ? ['low', 'medium', 'high'][id % 3] : null,
      credit_limit: has() ? decimalBytes(Math.floor(rand() * 10_000_000) - 100_000) : null,
      opened: has() ? START - Math.floor(rand() * 1e10) : null,
    });
  }
  return containerFile(schema, records, 'null', 1000);
}
