// The 'filesystem' connector (Flink's options: 'path', 'format'; source and sink).

import type { ConnectorDefinition } from '../api.js';
import { T } from '../../engine/types.js';
import { OptionError } from '../../engine/errors.js';
import { FileSource } from './source.js';
import { FileSink } from './sink.js';
import { UpsertFileSink } from './upsert-sink.js';
import { FileLookupReader } from './lookup.js';

export const filesystemConnector: ConnectorDefinition = {
  name: 'filesystem',
  usesFormat: true,
  metadata: new Map([['file.path', T.string(false)]]),
  createSource(ctx) {
    const path = ctx.options.string('path');
    // Flink options we accept for compatibility but that change nothing for a local run.
    ctx.options.accept('source.monitor-interval', 'partition.default-name');
    return new FileSource(path, ctx.cwd, ctx.table, ctx.format?.recordQuote?.(ctx.options));
  },
  createLookup(ctx, keyColumns) {
    const path = ctx.options.string('path');
    const ttl = ctx.options.durationMs('lookup.join.cache.ttl', 60 * 60_000);
    ctx.options.accept('source.monitor-interval', 'partition.default-name');
    return new FileLookupReader(ctx, path, keyColumns, ttl);
  },
  createSink(ctx) {
    const path = ctx.options.string('path');
    ctx.options.accept(
      'sink.rolling-policy.file-size',
      'sink.rolling-policy.rollover-interval',
      'sink.rolling-policy.check-interval',
      'sink.parallelism',
      'partition.default-name',
    );
    if (ctx.format!.binary)
      throw new OptionError(
        ctx.tablePos,
        `table '${ctx.table}': the filesystem sink writes text lines, and format '${ctx.format!.name}' is binary`,
        `write '${ctx.format!.name}' records to a 'kafka' or 'upsert-kafka' table, or use 'format' = 'csv' / 'json' for a file`,
      );
    const encoder = ctx.format!.createEncoder(ctx.physical, ctx.options);
    const extension = ctx.format!.fileExtension;
    // With a PRIMARY KEY the file holds the latest row per key (updates applied); without, rows are appended.
    if (ctx.primaryKey && ctx.primaryKey.length > 0)
      return new UpsertFileSink(path, ctx.cwd, encoder, extension, ctx.primaryKey, ctx.notify);
    return new FileSink(path, ctx.cwd, encoder, extension, ctx.notify);
  },
};
