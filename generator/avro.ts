// `generate --format avro`: the generator's transfers (the dcos records, planted cases and all) as
// Avro record values, for a table in Flink's 'avro' or 'avro-confluent' format:
//
//   CREATE TABLE transactions (tx_time TIMESTAMP(3), sender BIGINT, receiver BIGINT, amount BIGINT,
//     WATERMARK FOR tx_time AS tx_time - INTERVAL '5' SECOND)
//   WITH ('connector' = 'kafka', 'topic' = 'transactions', 'format' = 'avro')
//
// - Without a registry ('avro'): each value is one datum of the schema Flink derives from that
//   table (Flink's plain 'avro' reads with the table's schema, so the writer must use it).
// - With a registry ('avro-confluent'): a producer's own schema (record bank.Transaction, fields
//   not nullable), registered under '<topic>-value'; each value is the Confluent wire format (a 0
//   byte, the schema id, the datum). Readers resolve it to their table's schema.

import { avroType, RegistryClient, tableSchema } from '../engine/formats/avro.js';
import { T } from '../engine/types.js';
import type { GeneratedRecord } from './generate.js';

/** The columns of the table the plain Avro values are written for (all nullable, as declared without NOT NULL). */
export const AVRO_TABLE_COLUMNS = [
  { name: 'tx_time', type: T.timestamp(3) },
  { name: 'sender', type: T.bigint() },
  { name: 'receiver', type: T.bigint() },
  { name: 'amount', type: T.bigint() },
];

/** The producer's schema registered with --registry. */
export const PRODUCER_SCHEMA = {
  type: 'record',
  name: 'Transaction',
  namespace: 'bank',
  doc: 'A transfer between two accounts, written by fintrans-sql generate',
  fields: [
    { name: 'tx_time', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'sender', type: 'long' },
    { name: 'receiver', type: 'long' },
    { name: 'amount', type: 'long' },
  ],
};

/** A generated record with an Avro value. */
export type AvroRecord = Omit<GeneratedRecord, 'value'> & { value: Buffer };

export interface AvroValueWriter {
  /** What the values are, for the run's summary. */
  readonly description: string;
  /** The records with their text values (dcos-rfc3339 lines) replaced by Avro values. */
  encode(records: GeneratedRecord[]): AvroRecord[];
}

/**
 * An encoder of generated transfers as Avro values for `topic`; with `registryUrl`, registers the
 * producer schema under '<topic>-value' first (the Confluent wire format).
 */
export async function openAvroValueWriter(
  topic: string,
  registryUrl: string | undefined,
): Promise<AvroValueWriter> {
  if (registryUrl === undefined) {
    const type = avroType(tableSchema(AVRO_TABLE_COLUMNS, 'avro'));
    // The table's columns are nullable: unions, their values wrapped in the branch.
    return {
      description:
        'Avro, the schema Flink derives for (tx_time TIMESTAMP(3), sender, receiver, amount BIGINT)',
      encode: (records) =>
        records.map((r) => {
          const [sender, receiver, amount] = fields(r.value);
          return {
            ...r,
            value: type.toBuffer({
              tx_time: { long: BigInt(r.timestamp) },
              sender: { long: sender },
              receiver: { long: receiver },
              amount: { long: amount },
            }),
          };
        }),
    };
  }
  const subject = `${topic}-value`;
  const client = new RegistryClient({ url: registryUrl.replace(/\/+$/, ''), headers: {} });
  const id = await client.register(subject, PRODUCER_SCHEMA);
  const type = avroType(PRODUCER_SCHEMA);
  const prefix = Buffer.alloc(5);
  prefix.writeInt32BE(id, 1);
  return {
    description: `Avro in the Confluent wire format, schema id ${id} under subject '${subject}'`,
    encode: (records) =>
      records.map((r) => {
        const [sender, receiver, amount] = fields(r.value);
        const datum = type.toBuffer({ tx_time: BigInt(r.timestamp), sender, receiver, amount });
        return { ...r, value: Buffer.concat([prefix, datum]) };
      }),
  };
}

/** sender, receiver, amount of a dcos-rfc3339 line (`2017-07-23T01:06:47Z;66;26;7810`). */
function fields(line: string): [bigint, bigint, bigint] {
  const p = line.split(';');
  return [BigInt(p[1]!), BigInt(p[2]!), BigInt(p[3]!)];
}
