// How a sink row becomes a Kafka message, for connectors that decide the key and value themselves
// (upsert-kafka: the key in its own format, a -D as a tombstone).

import type { Row, RowKind } from '../../engine/types.js';

export interface OutMessage {
  readonly key: Buffer | null;
  /** null: a tombstone. */
  readonly value: Buffer | null;
}

export interface MessageMaker {
  /** A sink row (with its kind) as a message, or null when the row writes nothing (an upsert sink's -U). */
  make(row: Row, kind: RowKind): OutMessage | null;
  /** Before the first make(): what the formats must do first (avro-confluent registers its schemas). */
  prepare(): Promise<void>;
}
