// What a format ('csv', 'json') is to the rest of the engine: something that turns one record's
// value into the physical columns of a table row, and a sink row into one record's value.
// Formats are shared by every connector (filesystem, kafka, embedded, ...).

import type { Row, SqlType } from '../types.js';
import type { OptionBag } from '../options.js';

/** A physical column the decoder fills: its name in the record, its type, and where it goes in the row. */
export interface DecodedColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly rowIndex: number;
}

/**
 * What RecordDecoder.decode returns for a line to skip silently (a blank line, a `#` comment with
 * 'csv.allow-comments'): not a success (nothing was decoded), not an error (nothing to count).
 * Compare with ===; no real reason starts with a NUL character.
 */
export const SKIP_RECORD = '\u0000skip';

export interface RecordDecoder {
  /**
   * Decodes `value` into `row[c.rowIndex]` for every physical column. Returns null on success or a
   * short reason ("field 'amount': 'abc' is not a BIGINT", "expected 4 fields, found 3") on failure.
   * Must not allocate per call beyond the values themselves: it runs once per record.
   */
  decode(value: string, row: Row): string | null;
}

export interface RecordEncoder {
  /** The header line for file sinks (CSV), or null when the format has none (JSON lines). */
  readonly header: string | null;
  /** Encodes a whole batch of sink rows into text, one record per line, each line ending in '\n'. */
  encodeLines(rows: readonly Row[]): string;
  /** Encodes one row as one record value (no trailing newline), for message-based sinks (Kafka). */
  encodeValue(row: Row): string;
}

export interface FormatDefinition {
  readonly name: string;
  /**
   * Option keys this format reads, without the `<format>.` prefix, e.g. 'field-delimiter'.
   * Read them from the bag with the prefix: bag.string('csv.field-delimiter').
   */
  createDecoder(columns: readonly DecodedColumn[], options: OptionBag): RecordDecoder;
  /** `ignoreParseErrors`: whether the table asked to skip and count bad records. */
  ignoreParseErrors(options: OptionBag): boolean;
  createEncoder(fields: readonly { name: string; type: SqlType }[], options: OptionBag): RecordEncoder;
  /**
   * For line-based sources (files): the quote character inside which a line break does not end
   * the record (CSV, as Flink's reader allows), if the format has one.
   */
  recordQuote?(options: OptionBag): string | undefined;
}
