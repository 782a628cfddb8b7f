// Messages between the coordinator (main thread) and the workers of a parallel run. Every event of
// the run has a sequence number given by the coordinator: a chunk of source records (decoded by
// every worker, each keeping its keys' rows) or a control event (new splits, a split's end, a
// checkpoint barrier, the end of input), all sent to every worker. Each worker processes the events
// in sequence order, so every keyed operator sees its rows in the order one task reading the source
// would see them.

import type { Row, RowKind } from '../../types.js';
import type { SplitInfo } from '../../../connectors/api.js';
import type { PackedRows } from './pack.js';

/** What the coordinator tells a worker when it starts it. */
export interface WorkerInit {
  readonly index: number;
  readonly parallelism: number;
  /** The job file (absolute) and its name in messages; the worker plans it again. */
  readonly path: string;
  readonly file: string;
  readonly cwd: string;
  readonly settings: readonly (readonly [string, string])[];
  /** The plan's fingerprint the coordinator built: the worker checks it planned the same job. */
  readonly fingerprint: string;
  /** This worker's part of the checkpoint resumed from (WorkerState), as JSON. */
  readonly restore?: string;
}

/** A worker's part of a checkpoint. */
export interface WorkerState {
  /** job.stateful's snapshots, in order. */
  readonly operators: unknown[];
  /** The watermark of the source as one reader would have it: each split's largest watermark so far, by name. */
  readonly splits: Record<string, { readonly max: number | null; readonly ended: boolean }>;
}

export type ToWorker =
  | {
      readonly t: 'chunk';
      readonly seq: number;
      readonly split: number;
      readonly info: SplitInfo;
      /** The RawBatch, its byte arrays copied into buffers of its own (transferred). */
      readonly batch: unknown;
    }
  | { readonly t: 'splits'; readonly seq: number; readonly names: readonly string[] }
  | { readonly t: 'split-end'; readonly seq: number; readonly split: number }
  | { readonly t: 'barrier'; readonly seq: number }
  | { readonly t: 'end'; readonly seq: number }
  /** Stop now (a requested stop after its checkpoint, or a failure elsewhere). */
  | { readonly t: 'close' };

/** One chunk's rows for one keyed operator whose keys this worker owns. */
export interface EdgePart {
  readonly rows: Row[];
  readonly width: number;
  /** The chunk's watermark before each row (the largest WATERMARK value of the chunk's earlier records). */
  readonly wms: ArrayLike<number>;
  /** Each row's index among the chunk's records. */
  readonly idx: ArrayLike<number>;
}

/** A decoded chunk's rows for the worker's keys (possibly none), in every edge, waiting for its turn. */
export interface PartMessage {
  readonly t: 'part';
  readonly seq: number;
  readonly split: number;
  /** The chunk's largest watermark value (-Infinity: none). */
  readonly chunkMax: number;
  readonly edges: readonly EdgePart[];
}

/** Rows a worker's sinks received while it processed one event. */
export interface Segment {
  readonly seq: number;
  readonly sink: number;
  /** The rows, packed by column when they are all as wide (they are, but for a sink fed several widths). */
  readonly rows?: Row[];
  readonly packed?: PackedRows;
  readonly kinds?: RowKind[];
  /** The rows already encoded by the sink's format (SinkWriter.encode), and how many they are. */
  readonly bytes?: Uint8Array;
  readonly count?: number;
}

/** A message about one record, tagged with where the record was in the run (event, index in its chunk) so the coordinator shows the first ones of the run. */
export interface TaggedSample {
  readonly seq: number;
  readonly idx: number;
  readonly text: string;
}

export interface WorkerStats {
  recordsIn: number;
  badRecords: number;
  /** New since the last message. */
  badSamples: TaggedSample[];
  /** Late rows since the last message, as (event, index in chunk) pairs: a row late for two INSERTs' windows counts once, as at parallelism 1. */
  lateRows: number[];
  /** New since the last message. */
  lateSamples: TaggedSample[];
  openWindows: number;
  /** The source's watermark as the worker's keyed operators have it (one reader's). */
  watermark: number;
}

export type FromWorker =
  | { readonly t: 'ready' }
  | { readonly t: 'out'; readonly segments: Segment[]; readonly done: number; readonly stats: WorkerStats }
  | { readonly t: 'snapshot'; readonly seq: number; readonly state: string }
  | { readonly t: 'error'; readonly message: string; readonly userError: boolean };
