// The 'debezium-json' format (Flink's): each record is a Debezium change event, {"before": {...},
// "after": {...}, "op": "c" | "r" | "u" | "d"} (wrapped in {"schema": ..., "payload": ...} with
// 'debezium-json.schema-include' = 'true'). A table in it is a changelog, as in Flink:
//   c (create), r (snapshot read) → +I after;  u → -U before, +U after;  d → -D before.
// Tombstones (a Kafka record without a value, which Debezium sends after a delete) are skipped.
// Written as Flink writes it: +I/+U → {"before":null,"after":{...},"op":"c"}, -U/-D →
// {"before":{...},"after":null,"op":"d"}.

import { DELETE, INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row } from '../types.js';
import type { OptionBag } from '../options.js';
import {
  SKIP_RECORD,
  textBytes,
  utf8,
  type DecodedChange,
  type FormatDefinition,
  type RecordDecoder,
} from './api.js';
import { JsonDecoder, JsonEncoder, readJsonOptions, topLevelValueText } from './json.js';
import { isBlankLine } from './field-values.js';

const PREFIX = 'debezium-json';

function readOptions(bag: OptionBag) {
  const schemaInclude = bag.bool(`${PREFIX}.schema-include`, false);
  return { schemaInclude, json: readJsonOptions(bag, PREFIX) };
}

class DebeziumJsonDecoder implements RecordDecoder {
  readonly change: DecodedChange = { kind: INSERT, before: null };

  constructor(
    private readonly fields: JsonDecoder,
    private readonly width: number,
    private readonly schemaInclude: boolean,
  ) {}

  decode(bytes: Buffer, start: number, end: number, row: Row): string | null {
    return this.decodeText(utf8(bytes, start, end), row);
  }

  decodeText(value: string, row: Row): string | null {
    // Debezium's tombstone, or an empty message: nothing to apply (Flink skips them too).
    if (isBlankLine(value)) return SKIP_RECORD;
    let message: unknown;
    try {
      message = JSON.parse(value);
    } catch (e) {
      return `not valid JSON: ${(e as Error).message}`;
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message))
      return `expected a Debezium change event (a JSON object), found ${message === null ? 'null' : typeof message}`;
    let event = message as Record<string, unknown>;
    let envelopeText = (): string | undefined => value;
    if (this.schemaInclude) {
      const payload = event.payload;
      if (typeof payload !== 'object' || payload === null)
        return `no "payload" object, which 'debezium-json.schema-include' = 'true' expects (set it to 'false' for events without a schema)`;
      event = payload as Record<string, unknown>;
      envelopeText = () => topLevelValueText(value, 'payload');
    } else if ('schema' in event && 'payload' in event && !('op' in event)) {
      return `the event holds a "schema" and a "payload": set 'debezium-json.schema-include' = 'true'`;
    }
    const op = event.op;
    const part = (name: 'before' | 'after', into: Row): string | null => {
      const obj = event[name];
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
        return `"${name}" is ${obj === null || obj === undefined ? 'null' : 'not an object'}`;
      const problem = this.fields.decodeObject(obj as Record<string, unknown>, into, () => {
        const env = envelopeText();
        return env === undefined ? undefined : topLevelValueText(env, name);
      });
      return problem === null ? null : `"${name}": ${problem}`;
    };
    const change = this.change;
    change.before = null;
    switch (op) {
      case 'c':
      case 'r':
        change.kind = INSERT;
        return part('after', row);
      case 'u': {
        const before: Row = new Array(this.width);
        if (event.before === null || event.before === undefined)
          return `the "before" field of an UPDATE event is null: with Debezium's Postgres connector, set the table's REPLICA IDENTITY to FULL`;
        const problem = part('before', before) ?? part('after', row);
        if (problem !== null) return problem;
        change.kind = UPDATE_AFTER;
        change.before = before;
        return null;
      }
      case 'd':
        if (event.before === null || event.before === undefined)
          return `the "before" field of a DELETE event is null: with Debezium's Postgres connector, set the table's REPLICA IDENTITY to FULL`;
        change.kind = DELETE;
        return part('before', row);
      default:
        return `unknown "op" value ${JSON.stringify(op) ?? 'undefined'} (a Debezium event's op is "c", "r", "u" or "d")`;
    }
  }
}

export const debeziumJsonFormat: FormatDefinition = {
  name: PREFIX,
  fileExtension: 'json',
  changelog: true,
  createDecoder(columns, options) {
    const o = readOptions(options);
    const width = columns.reduce((m, c) => Math.max(m, c.rowIndex + 1), 0);
    return new DebeziumJsonDecoder(new JsonDecoder(columns, o.json), width, o.schemaInclude);
  },
  ignoreParseErrors(options) {
    return options.bool(`${PREFIX}.ignore-parse-errors`, false);
  },
  createEncoder(fields, options) {
    const o = readOptions(options);
    const inner = new JsonEncoder(fields, o.json);
    const event = (row: Row, kind: number): string => {
      const data = inner.encodeText(row);
      return kind === UPDATE_BEFORE || kind === DELETE
        ? `{"before":${data},"after":null,"op":"d"}`
        : `{"before":null,"after":${data},"op":"c"}`;
    };
    return {
      header: null,
      encodeValue: (row, kind = INSERT) => textBytes(event(row, kind)),
      encodeLines: (rows) => rows.map((r) => event(r, INSERT) + '\n').join(''),
    };
  },
};
