// The 'filesystem' connector (Flink's options: 'path', 'format'; source and sink).

import type { ConnectorDefinition } from '../api.js';
import { T } from '../../engine/types.js';
import { OptionError } from '../../engine/errors.js';
import { FileSource } from './source.js';
import { ContainerFileSource } from './container-source.js';
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
    // Container files (Avro's) are read block by block, not as lines.
    const fileReader = ctx.format?.fileReader;
    if (fileReader)
      return new ContainerFileSource(path, ctx.cwd, ctx.table, () => fileReader(ctx.physical, ctx.options));
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
    const encoder = ctx.format!.createEncoder(ctx.physical, ctx.options);
    // A binary format is written to a file only as a container of its own (Avro's), appended to.
    if (ctx.format!.binary && (!encoder.file || (ctx.primaryKey && ctx.primaryKey.length > 0)))
      throw new OptionError(
        ctx.tablePos,
        `table '${ctx.table}': the filesystem sink writes ${encoder.file ? 'a file with a PRIMARY KEY as text lines' : 'text lines'}, and format '${ctx.format!.name}' is binary`,
        encoder.file
          ? `drop the PRIMARY KEY (the 'avro' file is then appended to), or use 'format' = 'csv' / 'json'`
          : `write '${ctx.format!.name}' records to a 'kafka' or 'upsert-kafka' table, or use 'format' = 'csv' / 'json' / 'avro' for a file`,
      );
    const extension = ctx.format!.fileExtension;
    // With a PRIMARY KEY the file holds the latest row per key (updates applied); without, rows are appended.
    if (ctx.primaryKey && ctx.primaryKey.length > 0)
      return new UpsertFileSink(path, ctx.cwd, encoder, extension, ctx.primaryKey, ctx.notify);
    return new FileSink(path, ctx.cwd, encoder, extension, ctx.notify);
  },
};
