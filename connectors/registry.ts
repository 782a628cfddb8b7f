// Every connector, by the name used in WITH ('connector' = '...').

import type { ConnectorDefinition } from './api.js';
import { blackholeConnector } from './blackhole/blackhole.js';
import { elasticsearchConnectors } from './elasticsearch/elasticsearch.js';
import { filesystemConnector } from './filesystem/filesystem.js';
import { jdbcConnector } from './jdbc/jdbc.js';
import { kafkaConnector } from './kafka/kafka.js';
import { printConnector } from './print/print.js';
import { upsertKafkaConnector } from './upsert-kafka/upsert-kafka.js';

const CONNECTORS: ReadonlyMap<string, ConnectorDefinition> = new Map(
  [
    filesystemConnector,
    kafkaConnector,
    upsertKafkaConnector,
    printConnector,
    blackholeConnector,
    ...elasticsearchConnectors,
    jdbcConnector,
  ].map((c) => [c.name, c]),
);

export const CONNECTOR_NAMES: readonly string[] = [...CONNECTORS.keys()];

export function getConnector(name: string): ConnectorDefinition | undefined {
  return CONNECTORS.get(name);
}
