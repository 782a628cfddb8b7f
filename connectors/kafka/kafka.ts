// The 'kafka' connector. With brokers ('properties.bootstrap.servers', --brokers or KAFKA_BROKERS)
// it talks to Kafka; without, it uses the embedded topic store, so the same .sql file runs on a
// laptop and against a cluster.

import { ConnectorError } from '../../engine/errors.js';
import { T } from '../../engine/types.js';
import type { ConnectorDefinition } from '../api.js';
import { EmbeddedTopicSink } from '../embedded/sink.js';
import { EmbeddedTopicSource } from '../embedded/source.js';
import { readKafkaOptions, type KafkaTableOptions } from './options.js';

function requireEmbedded(opts: KafkaTableOptions, table: string): void {
  if (opts.brokers !== undefined) {
    throw new ConnectorError(
      `table '${table}': Kafka brokers are configured (${opts.brokers}) but this build talks only to the embedded topic store so far`,
    );
  }
}

export const kafkaConnector: ConnectorDefinition = {
  name: 'kafka',
  usesFormat: true,
  metadata: new Map([
    ['topic', T.string(false)],
    ['partition', T.int(false)],
    ['offset', T.bigint(false)],
    ['timestamp', T.timestampLtz(3, false)],
    ['key', T.string()],
  ]),
  createSource(ctx) {
    const opts = readKafkaOptions(ctx, 'source');
    requireEmbedded(opts, ctx.table);
    return new EmbeddedTopicSource(opts, ctx.cwd);
  },
  createSink(ctx) {
    const opts = readKafkaOptions(ctx, 'sink');
    requireEmbedded(opts, ctx.table);
    return new EmbeddedTopicSink(opts, ctx.cwd, ctx.physical, ctx.format!.createEncoder(ctx.physical, ctx.options));
  },
};
