// The 'raw' format (as in Flink): the whole record value is one STRING column, untouched. For
// messages that are text already, like the original demo's fraud alerts.

import { OptionError } from '../errors.js';
import { textBytes, utf8, type FormatDefinition } from './api.js';

export const rawFormat: FormatDefinition = {
  name: 'raw',
  fileExtension: 'txt',
  createDecoder(columns) {
    if (columns.length !== 1 || columns[0]!.type.name !== 'STRING') {
      throw new OptionError(
        undefined,
        `'format' = 'raw' needs exactly one physical STRING column, got ${columns.length}`,
        `declare the table as (message STRING) or use 'csv' / 'json'`,
      );
    }
    const idx = columns[0]!.rowIndex;
    return {
      decode(bytes, start, end, row) {
        row[idx] = utf8(bytes, start, end);
        return null;
      },
      decodeText(value, row) {
        row[idx] = value;
        return null;
      },
    };
  },
  ignoreParseErrors: () => false,
  createEncoder(fields) {
    if (fields.length !== 1 || fields[0]!.type.name !== 'STRING') {
      throw new OptionError(
        undefined,
        `'format' = 'raw' needs exactly one physical STRING column, got ${fields.length}`,
        `declare the table as (message STRING) or use 'csv' / 'json'`,
      );
    }
    return {
      header: null,
      encodeValue: (row) => textBytes(row[0] === null || row[0] === undefined ? '' : String(row[0])),
      encodeLines: (rows) =>
        rows.map((r) => (r[0] === null || r[0] === undefined ? '' : String(r[0])) + '\n').join(''),
    };
  },
};
