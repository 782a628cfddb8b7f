// The 'jdbc' connector, PostgreSQL only (Flink's option names, see options.ts): a bounded scan
// source (source.ts), point lookups for lookup joins (lookup.ts) and an append or upsert sink
// (sink.ts). No format: rows travel as typed columns.

import type { ConnectorContext, ConnectorDefinition } from '../api.js';
import { JdbcLookupReader } from './lookup.js';
import { readJdbcOptions } from './options.js';
import { JdbcSink } from './sink.js';
import { JdbcScanSource } from './source.js';

const title = (ctx: ConnectorContext): string => `jdbc table '${ctx.table}'`;

export const jdbcConnector: ConnectorDefinition = {
  name: 'jdbc',
  usesFormat: false,
  metadata: new Map(),
  createSource(ctx) {
    return new JdbcScanSource(readJdbcOptions(ctx), title(ctx), ctx.physical);
  },
  createSink(ctx) {
    return new JdbcSink(readJdbcOptions(ctx), title(ctx), ctx.physical, ctx.primaryKey);
  },
  createLookup(ctx, keyColumns) {
    return new JdbcLookupReader(readJdbcOptions(ctx), title(ctx), ctx.physical, keyColumns);
  },
};
