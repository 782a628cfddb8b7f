// `tail --registry URL` and `tail --table FILE.sql`: records that are not text (Avro) printed as
// one JSON object per line.
//
// - --registry: each value in the Confluent wire format is decoded with its writer's schema (by
//   id, from the registry) and printed in Avro's JSON encoding, as kafka-avro-console-consumer
//   prints it (a union's value wrapped in its branch: {"string": "x"}).
// - --table: the value is decoded as a job would read it, by the format of the CREATE TABLE in
//   FILE.sql whose 'topic' is the one tailed (or its only table), with that table's options
//   ('avro', 'avro-confluent' with its 'avro-confluent.url', 'json', 'csv', ...), and printed as
//   {"column": value, ...} with the values as Flink's CSV writes them.

import { readFileSync } from 'node:fs';
import type avro from 'avsc';
import { packRecords } from '../../connectors/api.js';
import { ConnectorError } from '../../engine/errors.js';
import { avroType, RegistryClient } from '../../engine/formats/avro.js';
import { buildTable } from '../../engine/plan/tables.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type { CreateTableStatement } from '../../engine/sql/ast.js';
import type { Row } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';
import { UsageError } from './args.js';

const NUMERIC = new Set(['TINYINT', 'SMALLINT', 'INT', 'BIGINT', 'FLOAT', 'DOUBLE', 'DECIMAL', 'BOOLEAN']);

/** Turns a batch of record values into the lines tail prints. */
export interface TailDecoder {
  decode(values: readonly (Buffer | null)[]): Promise<string[]>;
}

export function registryDecoder(url: string): TailDecoder {
  const client = new RegistryClient({ url: url.replace(/\/+$/, ''), headers: {} });
  const writers = new Map<number, avro.Type>();
  return {
    async decode(values) {
      const out: string[] = [];
      for (const v of values) {
        if (v === null || v.length === 0) {
          out.push('null'); // a tombstone
          continue;
        }
        if (v.length < 5 || v[0] !== 0) {
          out.push(JSON.stringify({ error: 'not the Confluent wire format', hex: v.toString('hex') }));
          continue;
        }
        const id = v.readInt32BE(1);
        let type = writers.get(id);
        if (!type) {
          try {
            type = avroType(JSON.parse(await client.schemaById(id)) as Record<string, unknown>);
          } catch (e) {
            throw new ConnectorError(`tail: writer schema id ${id}: ${(e as Error).message}`);
          }
          writers.set(id, type);
        }
        try {
          out.push(type.toString(type.fromBuffer(v.subarray(5))));
        } catch (e) {
          out.push(
            JSON.stringify({ error: `schema id ${id}: ${(e as Error).message}`, hex: v.toString('hex') }),
          );
        }
      }
      return out;
    },
  };
}

export function tableDecoder(file: string, topic: string): TailDecoder {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`tail --table: cannot read ${file}: ${(e as Error).message}`);
  }
  const tables = parseSqlFile(text, file).filter((s): s is CreateTableStatement => s.kind === 'create-table');
  const ofTopic = tables.filter((t) => t.options.some((o) => o.key === 'topic' && o.value === topic));
  const stmt = ofTopic.length === 1 ? ofTopic[0] : tables.length === 1 ? tables[0] : undefined;
  if (!stmt)
    throw new UsageError(
      `tail --table: ${file} has ${ofTopic.length === 0 ? 'no' : 'more than one'} CREATE TABLE with 'topic' = '${topic}'` +
        (tables.length > 0 ? ` (tables: ${tables.map((t) => t.name).join(', ')})` : ''),
    );
  const table = buildTable(stmt);
  if (!table.format) throw new UsageError(`tail --table: table '${table.name}' has no format`);
  const columns = table.columns
    .map((c, rowIndex) => ({ name: c.name, type: c.type, rowIndex, kind: c.kind }))
    .filter((c) => c.kind === 'physical');
  const decoder = table.format.createDecoder(columns, table.options);
  return {
    async decode(values) {
      const records = packRecords(values.map((v) => v ?? null));
      await decoder.prepare?.(records, values.length);
      const out: string[] = [];
      for (let i = 0; i < values.length; i++) {
        if (records.starts[i]! < 0) {
          out.push('null');
          continue;
        }
        const row: Row = [];
        const problem = decoder.decode(records.bytes, records.starts[i]!, records.ends[i]!, row);
        if (problem !== null) {
          out.push(JSON.stringify({ error: problem }));
          continue;
        }
        out.push(
          '{' +
            columns
              .map((c) => {
                const v = valueToText(row[c.rowIndex], c.type);
                // Numbers and booleans as JSON's (a BIGINT exactly, beyond 2^53 too), the rest as strings.
                const bare = v !== null && NUMERIC.has(c.type.name) && /^-?[\d.E+-]+$|^(true|false)$/.test(v);
                return `${JSON.stringify(c.name)}:${v === null ? 'null' : bare ? v : JSON.stringify(v)}`;
              })
              .join(',') +
            '}',
        );
      }
      return out;
    },
  };
}
