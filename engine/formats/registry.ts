// The record formats a table can name in 'format' = '...'.

import type { FormatDefinition } from './api.js';
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';
import { rawFormat } from './raw.js';
import { debeziumJsonFormat } from './debezium-json.js';
import { avroConfluentFormat, avroFormat } from './avro.js';

export { SKIP_RECORD } from './api.js';

/** Every format name, for "did you mean" hints. */
export const FORMAT_NAMES: readonly string[] = [
  'csv',
  'json',
  'raw',
  'debezium-json',
  'avro',
  'avro-confluent',
];

export function getFormat(name: string): FormatDefinition | undefined {
  switch (name) {
    case 'csv':
      return csvFormat;
    case 'json':
      return jsonFormat;
    case 'raw':
      return rawFormat;
    case 'debezium-json':
      return debeziumJsonFormat;
    case 'avro':
      return avroFormat;
    case 'avro-confluent':
      return avroConfluentFormat;
    default:
      return undefined;
  }
}
