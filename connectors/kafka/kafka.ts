// The 'kafka' connector. With brokers ('properties.bootstrap.servers', --brokers or KAFKA_BROKERS)
// it talks to Kafka through kafkajs; without, it uses the embedded topic store, so the same .sql
// file runs on a laptop and against a cluster.

import { OptionError } from '../../engine/errors.js';
import { T } from '../../engine/types.js';
import type { ConnectorContext, ConnectorDefinition, SinkWriter } from '../api.js';
import type { MessageMaker } from './messages.js';
import { EmbeddedTopicSink } from '../embedded/sink.js';
import { EmbeddedTopicSource } from '../embedded/source.js';
import { KafkaPropertyError, brokersText, kafkaClientSettings, type KafkaClientSettings } from './client.js';
import { readKafkaOptions } from './options.js';
import { createKafkaTopicSink } from './sink.js';
import { KafkaTopicSource } from './source.js';

/** Client settings for a table with brokers; property mistakes become plan-time errors at the table. */
function clientSettings(
  ctx: ConnectorContext,
  brokers: string,
  properties: ReadonlyMap<string, string>,
): KafkaClientSettings {
  try {
    return kafkaClientSettings(brokers, properties, ctx.cwd, clientIdOf(ctx));
  } catch (e) {
    if (e instanceof KafkaPropertyError)
      throw new OptionError(ctx.tablePos, `kafka table '${ctx.table}': ${e.message}`, e.hint);
    throw e;
  }
}

function clientIdOf(ctx: ConnectorContext): string {
  return `fintrans-sql-${ctx.table}`;
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
    if (opts.brokers === undefined) return new EmbeddedTopicSource(opts, ctx.cwd);
    const settings = clientSettings(ctx, opts.brokers, opts.properties);
    return new KafkaTopicSource({
      options: opts,
      brokers: opts.brokers,
      properties: opts.properties,
      cwd: ctx.cwd,
      clientId: clientIdOf(ctx),
      where: `table '${ctx.table}' (Kafka ${brokersText(settings)}, group '${opts.groupId}')`,
      metadataKeys: ctx.metadataKeys ?? [],
    });
  },
  createSink(ctx) {
    return kafkaSink(ctx);
  },
};

/**
 * A topic sink for the table (a broker's, or the embedded store's). `messages`: the connector makes
 * each message itself (upsert-kafka); the sink then applies updates.
 */
export function kafkaSink(ctx: ConnectorContext, messages?: MessageMaker): SinkWriter {
  const opts = readKafkaOptions(ctx, 'sink');
  const encoder = ctx.format!.createEncoder(ctx.physical, ctx.options);
  if (opts.brokers === undefined)
    return new EmbeddedTopicSink(opts, ctx.cwd, ctx.physical, encoder, ctx.format!.binary === true, messages);
  return createKafkaTopicSink(
    opts,
    clientSettings(ctx, opts.brokers, opts.properties),
    ctx.physical,
    encoder,
    messages,
  );
}
