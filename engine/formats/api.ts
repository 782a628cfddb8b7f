// What a format ('csv', 'json', 'avro', ...) is to the rest of the engine: something that turns one
// record's bytes into the physical columns of a table row, and a sink row into one record's bytes.
// Formats are shared by every connector (filesystem, kafka, embedded, upsert-kafka, ...).
//
// Records travel as bytes (a file's chunk, a fetch's values back to back). Text formats also take
// a record as text (decodeText): the source runner turns a whole batch of ASCII bytes into one
// string and hands out slices of it, so a text record costs no copy of its own.

import type { Row, RowKind, SqlType } from '../types.js';
import type { OptionBag } from '../options.js';

/** A physical column the decoder fills: its name in the record, its type, and where it goes in the row. */
export interface DecodedColumn {
  readonly name: string;
  readonly type: SqlType;
  readonly rowIndex: number;
}

/**
 * What RecordDecoder.decode returns for a line to skip silently (a blank line, a `#` comment with
 * 'csv.allow-comments', a Debezium tombstone): not a success (nothing was decoded), not an error
 * (nothing to count). Compare with ===; no real reason starts with a NUL character.
 */
export const SKIP_RECORD = '\u0000skip';

export interface RecordDecoder {
  /**
   * Decodes the record `bytes[start, end)` into `row[c.rowIndex]` for every physical column.
   * Returns null on success or a short reason ("field 'amount': 'abc' is not a BIGINT", "expected
   * 4 fields, found 3") on failure. Must not allocate per call beyond the values themselves: it
   * runs once per record.
   */
  decode(bytes: Buffer, start: number, end: number, row: Row): string | null;
  /**
   * Text formats: the same, from the record as text (UTF-8 decoded). When present the source
   * runner calls this one, with slices of one string per batch.
   */
  decodeText?(value: string, row: Row): string | null;
  /**
   * Changelog formats (debezium-json): after a successful decode, what the row is (+I, +U, -D),
   * and for an update the old row, which the runner sends first as -U. Insert-only formats leave
   * this undefined.
   */
  readonly change?: DecodedChange;
  /**
   * Formats that look things up before they can decode (avro-confluent fetches the writer schemas
   * a batch names from the registry): awaited once per batch, before its records are decoded. A
   * lookup that fails is not thrown here: the records that needed it fail to decode, with the reason.
   */
  prepare?(records: RecordBytesView, count: number): Promise<void>;
}

/** Records' bytes back to back, as sources hand them over (connectors/api.ts RecordBytes). */
export interface RecordBytesView {
  readonly bytes: Buffer;
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
}

/** Set by a changelog decoder on each successful decode: see RecordDecoder.change. */
export interface DecodedChange {
  kind: RowKind;
  /** The row's old value (filled at the same rowIndexes) when kind is +U; else null. */
  before: Row | null;
}

export interface RecordEncoder {
  /** The header line for file sinks (CSV), or null when the format has none (JSON lines). */
  readonly header: string | null;
  /**
   * For file sinks: a whole batch of sink rows as text, one record per line, each line ending in
   * '\n'. Binary formats (FormatDefinition.binary) cannot be written as lines: the filesystem
   * connector refuses them at plan time, and theirs throws.
   */
  encodeLines(rows: readonly Row[]): string;
  /**
   * Encodes one row as one record value's bytes (no trailing newline), for message-based sinks
   * (Kafka). `kind`: the row's change, for changelog formats (debezium-json writes a -D as a
   * delete event); others ignore it.
   */
  encodeValue(row: Row, kind?: RowKind): Buffer;
  /**
   * Formats that must prepare before the first encodeValue (avro-confluent registers its schema
   * in the registry): the sink awaits this once, before it writes.
   */
  prepare?(): Promise<void>;
  /**
   * Binary formats whose files are containers, not lines (Avro Object Container Files, as Flink's
   * filesystem connector writes them): the file's header, and a batch of rows as one block. The
   * filesystem sink writes these instead of encodeLines.
   */
  readonly file?: { readonly header: Buffer; block(rows: readonly Row[]): Buffer };
}

/**
 * Finds the records in a container file (FormatDefinition.fileReader), a piece at a time: the
 * filesystem source keeps the bytes it has read in one buffer and asks for the next block.
 */
export interface ContainerReader {
  /**
   * The next block at buf[at...]: where it ends and its records as bytes the format's decoder
   * reads; null when buf does not hold the whole block yet (read more, or the file is truncated).
   * Throws (with the reason) when the bytes are not such a file.
   */
  next(buf: Buffer, at: number): { at: number; records: RecordBytesView; count: number } | null;
}

export interface FormatDefinition {
  readonly name: string;
  /** The extension of files of this format ('csv', 'json', 'avro'): a sink path without one writes part-0-0.<ext>. */
  readonly fileExtension: string;
  /** Bytes that are not text (Avro): records shown in messages are shown in hex. */
  readonly binary?: boolean;
  /** A changelog format (debezium-json): its rows are +I/-U/+U/-D, so a table in it is updating. */
  readonly changelog?: boolean;
  /**
   * Option keys this format reads, without the `<format>.` prefix, e.g. 'field-delimiter'.
   * Read them from the bag with the prefix: bag.string('csv.field-delimiter').
   * `context`: where the records come from, for formats that look them up elsewhere (a schema
   * registry subject named after the topic).
   */
  createDecoder(
    columns: readonly DecodedColumn[],
    options: OptionBag,
    context?: FormatContext,
  ): RecordDecoder;
  /** `ignoreParseErrors`: whether the table asked to skip and count bad records. */
  ignoreParseErrors(options: OptionBag): boolean;
  createEncoder(
    fields: readonly { name: string; type: SqlType }[],
    options: OptionBag,
    context?: FormatContext,
  ): RecordEncoder;
  /**
   * Binary formats whose files are containers of records (Avro Object Container Files) rather
   * than lines: reads one file's records for the filesystem source.
   */
  fileReader?(fields: readonly { name: string; type: SqlType }[], options: OptionBag): ContainerReader;
  /**
   * For line-based sources (files): the quote character inside which a line break does not end
   * the record (CSV, as Flink's reader allows), if the format has one.
   */
  recordQuote?(options: OptionBag): string | undefined;
}

/** What a format is for, for formats whose behaviour depends on it (avro-confluent's subject). */
export interface FormatContext {
  /** A message key's format (subject `<topic>-key`, options 'key.<format>.*') rather than the value's. */
  readonly isKey?: boolean;
}

/** Record bytes as text for a decoder without its own byte path. */
export function utf8(bytes: Buffer, start: number, end: number): string {
  return bytes.toString('utf8', start, end);
}

/** Text as record bytes (UTF-8), for text formats' encodeValue. */
export function textBytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
