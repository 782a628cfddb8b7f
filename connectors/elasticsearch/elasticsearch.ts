// The Elasticsearch sink under Flink's connector names 'elasticsearch-7' and 'elasticsearch-8',
// and plain 'elasticsearch'. All three write through the _bulk API, which Elasticsearch 7, 8 and
// OpenSearch share. Sink only (as in Flink).

import { jsonFormat } from '../../engine/formats/json.js';
import type { ConnectorDefinition } from '../api.js';
import { documentIdBuilder } from './index-name.js';
import { readEsOptions } from './options.js';
import { ElasticsearchSink } from './sink.js';

function elasticsearch(name: string): ConnectorDefinition {
  return {
    name,
    // 'format' is optional here (Flink's default 'json'); the connector reads it itself.
    usesFormat: false,
    metadata: new Map(),
    createSink(ctx) {
      const o = readEsOptions(ctx, name);
      // Documents are encoded exactly like the 'json' format (and its json.* options).
      const encoder = jsonFormat.createEncoder(ctx.physical, ctx.options);
      const id = documentIdBuilder(ctx.physical, ctx.primaryKey, o.keyDelimiter);
      return new ElasticsearchSink(ctx.table, name, o, ctx.physical, encoder, id);
    },
  };
}

export const elasticsearchConnectors: readonly ConnectorDefinition[] = [
  'elasticsearch-7',
  'elasticsearch-8',
  'elasticsearch',
].map(elasticsearch);
