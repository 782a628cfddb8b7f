// The 'kafka' connector's WITH options, with Flink's names, read once at plan time.

import { OptionError, type SourcePos } from '../../engine/errors.js';
import { parseDurationOrOffMs, type OptionBag } from '../../engine/options.js';
import { checkpointIntervalMs } from '../../engine/checkpointing.js';
import type { ConnectorContext } from '../api.js';

export type StartupMode =
  'earliest-offset' | 'latest-offset' | 'group-offsets' | 'timestamp' | 'specific-offsets';

export interface KafkaTableOptions {
  /** Explicit topics ('topic' = 'a;b;c'), or empty with a pattern. */
  readonly topics: readonly string[];
  readonly topicPattern?: RegExp;
  /** Bootstrap servers; undefined means the embedded topic store. */
  readonly brokers?: string;
  readonly groupId: string;
  readonly startupMode: StartupMode;
  readonly startupTimestampMs?: number;
  /** 'partition:0,offset:42;partition:1,offset:7' */
  readonly specificOffsets?: ReadonlyMap<number, number>;
  /** 'latest-offset': read up to the end offsets seen at start, then end (bounded). */
  readonly boundedLatest: boolean;
  /** Client properties ('properties.*' minus the ones above), passed to the client. */
  readonly properties: ReadonlyMap<string, string>;
  /** Columns whose values form the record key ('key.fields' or the PRIMARY KEY). */
  readonly keyFields?: readonly string[];
  /** Embedded store directory (settings 'embedded.dir', else FINTRANS_HOME, else .fintrans/). */
  readonly embeddedDir?: string;
  /**
   * Unbounded broker sources: how often to look for new partitions (and new topics matching
   * 'topic-pattern'), from 'scan.topic-partition-discovery.interval'; 0 = never.
   */
  readonly partitionDiscoveryMs: number;
  /** Sinks on a broker: 'sink.delivery-guarantee' (Flink's values; 'none' behaves as 'at-least-once'). */
  readonly deliveryGuarantee: 'exactly-once' | 'at-least-once' | 'none';
  /** Sinks, exactly-once: 'sink.transactional-id-prefix' (default: fintrans-sql-<table>). */
  readonly transactionalIdPrefix: string;
  /**
   * Sinks: Flink's 'sink.partitioner'. default: Kafka's (hash of the key; no key: spread), fixed:
   * every row to the first partition (Flink: subtask i to partition i; one subtask here),
   * round-robin: spread over the partitions, keys or not.
   */
  readonly sinkPartitioner: SinkPartitioner;
  /** The job's checkpoint interval (SET 'execution.checkpointing.interval'), null when off; sizes the transaction timeout. */
  readonly checkpointIntervalMs: number | null;
}

export type SinkPartitioner = 'default' | 'fixed' | 'round-robin';

/** Default of 'scan.topic-partition-discovery.interval' (Flink's KafkaSource: 5 min; a metadata request is cheap). */
export const DEFAULT_PARTITION_DISCOVERY_MS = 30_000;

const STARTUP_MODES: readonly StartupMode[] = [
  'earliest-offset',
  'latest-offset',
  'group-offsets',
  'timestamp',
  'specific-offsets',
];

export function readKafkaOptions(ctx: ConnectorContext, role: 'source' | 'sink'): KafkaTableOptions {
  const o: OptionBag = ctx.options;
  const topicText = o.optionalString('topic');
  const patternText = o.optionalString('topic-pattern');
  if (!topicText && !patternText) {
    throw new OptionError(
      ctx.tablePos,
      `kafka table '${ctx.table}' needs 'topic' (or 'topic-pattern')`,
      `add 'topic' = 'transactions' (several: 'London;NYC;SF')`,
    );
  }
  if (role === 'sink' && (patternText || (topicText ?? '').includes(';'))) {
    throw new OptionError(
      ctx.tablePos,
      `kafka sink '${ctx.table}' writes to exactly one topic`,
      `use 'topic' = 'fraud'`,
    );
  }
  let topicPattern: RegExp | undefined;
  if (patternText) {
    try {
      topicPattern = new RegExp(`^(?:${patternText})$`);
    } catch (e) {
      throw new OptionError(
        ctx.tablePos,
        `option 'topic-pattern' of table '${ctx.table}': not a valid regular expression (${(e as Error).message})`,
      );
    }
  }
  const props = o.withPrefix('properties.');
  const brokers = props.get('bootstrap.servers') ?? ctx.settings.get('kafka.brokers');
  props.delete('bootstrap.servers');
  const groupId = props.get('group.id') ?? `fintrans-sql-${ctx.table}`;
  props.delete('group.id');
  const fromBeginning = ctx.settings.get('kafka.from-beginning') === 'true';
  const startupMode = fromBeginning
    ? (o.accept('scan.startup.mode'), 'earliest-offset' as const)
    : o.oneOf('scan.startup.mode', STARTUP_MODES, 'group-offsets');
  let startupTimestampMs: number | undefined;
  if (startupMode === 'timestamp') {
    const t = Number(o.string('scan.startup.timestamp-millis'));
    if (!Number.isFinite(t))
      throw new OptionError(
        ctx.tablePos,
        `option 'scan.startup.timestamp-millis' of table '${ctx.table}' must be epoch milliseconds`,
      );
    startupTimestampMs = t;
  } else o.accept('scan.startup.timestamp-millis');
  let specificOffsets: Map<number, number> | undefined;
  if (startupMode === 'specific-offsets')
    specificOffsets = parseSpecificOffsets(
      o.string('scan.startup.specific-offsets'),
      ctx.tablePos,
      ctx.table,
    );
  else o.accept('scan.startup.specific-offsets');
  const bounded = o.oneOf('scan.bounded.mode', ['unbounded', 'latest-offset'] as const, 'unbounded');
  const keyFieldsText = o.optionalString('key.fields');
  const keyFields = keyFieldsText
    ? keyFieldsText.split(';').map((s) => s.trim())
    : ctx.primaryKey?.map((i) => ctx.physical[i]?.name ?? '');
  for (const k of keyFields ?? []) {
    if (!ctx.physical.some((f) => f.name === k))
      throw new OptionError(
        ctx.tablePos,
        `key field '${k}' of table '${ctx.table}' is not a physical column`,
      );
  }
  const keyFormat = o.optionalString('key.format');
  if (keyFormat && keyFormat !== 'raw' && keyFormat !== 'csv' && keyFormat !== 'json') {
    throw new OptionError(
      ctx.tablePos,
      `option 'key.format' of table '${ctx.table}': '${keyFormat}' is not supported`,
      `keys are written as the key fields' text joined by ';' (use 'raw', 'csv' or 'json')`,
    );
  }
  const deliveryGuarantee =
    role === 'sink'
      ? o.oneOf(
          'sink.delivery-guarantee',
          ['exactly-once', 'at-least-once', 'none'] as const,
          'at-least-once',
        )
      : (o.accept('sink.delivery-guarantee'), 'at-least-once' as const);
  const prefix = o.optionalString('sink.transactional-id-prefix');
  // As in Flink: two jobs sharing a prefix would fence each other's producers and read each
  // other's commit markers, so exactly-once needs one the user chose.
  if (deliveryGuarantee === 'exactly-once' && prefix === undefined) {
    throw new OptionError(
      ctx.tablePos,
      `table '${ctx.table}': 'sink.delivery-guarantee' = 'exactly-once' needs 'sink.transactional-id-prefix'`,
      `add e.g. 'sink.transactional-id-prefix' = '${ctx.table}-alerts', unique to this job and table`,
    );
  }
  const transactionalIdPrefix = prefix ?? `fintrans-sql-${ctx.table}`;
  const partitionDiscoveryMs = discoveryInterval(
    o.optionalString('scan.topic-partition-discovery.interval'),
    ctx,
  );
  // 'scan.watermark.idle-timeout' is read by the runtime for every source table; a sink ignores it.
  const sinkPartitioner =
    role === 'sink'
      ? o.oneOf('sink.partitioner', ['default', 'fixed', 'round-robin'] as const, 'default')
      : (o.accept('sink.partitioner'), 'default' as const);
  o.accept('value.fields-include', 'sink.parallelism', 'scan.watermark.idle-timeout');
  return {
    topics: topicText
      ? topicText
          .split(';')
          .map((t) => t.trim())
          .filter((t) => t.length > 0)
      : [],
    topicPattern,
    brokers,
    groupId,
    startupMode,
    startupTimestampMs,
    specificOffsets,
    boundedLatest: bounded === 'latest-offset',
    properties: props,
    keyFields,
    embeddedDir: ctx.settings.get('embedded.dir'),
    partitionDiscoveryMs,
    deliveryGuarantee,
    transactionalIdPrefix,
    sinkPartitioner,
    checkpointIntervalMs: checkpointIntervalMs(ctx.settings),
  };
}

function parseSpecificOffsets(text: string, pos: SourcePos, table: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const part of text.split(';')) {
    const m = /^\s*partition:(\d+),offset:(\d+)\s*$/.exec(part);
    if (!m)
      throw new OptionError(
        pos,
        `option 'scan.startup.specific-offsets' of table '${table}': cannot read '${part}'`,
        `write 'partition:0,offset:42;partition:1,offset:300'`,
      );
    out.set(Number(m[1]), Number(m[2]));
  }
  return out;
}

function discoveryInterval(text: string | undefined, ctx: ConnectorContext): number {
  if (text === undefined) return DEFAULT_PARTITION_DISCOVERY_MS;
  const ms = parseDurationOrOffMs(text);
  if (ms === null) {
    throw new OptionError(
      ctx.tablePos,
      `option 'scan.topic-partition-discovery.interval' of table '${ctx.table}': '${text}' is not a duration`,
      `write e.g. '30 s', '5 min', or '0' / 'off' to never look for new partitions`,
    );
  }
  return ms;
}

/** Where a table without a checkpoint starts reading, in words, for the 'starting fresh' notice. */
export function describeStartup(o: KafkaTableOptions): string {
  switch (o.startupMode) {
    case 'group-offsets':
      return `the committed offsets of consumer group '${o.groupId}' (the earliest where it has none; --from-beginning reads everything again)`;
    case 'earliest-offset':
      return 'the earliest offset';
    case 'latest-offset':
      return 'the latest offset (only records that arrive from now on)';
    case 'timestamp':
      return `the first record at or after ${new Date(o.startupTimestampMs!).toISOString()}`;
    case 'specific-offsets':
      return `the offsets in 'scan.startup.specific-offsets'`;
  }
}
