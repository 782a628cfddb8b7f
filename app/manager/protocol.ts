// What a job's child process tells the manager over the IPC channel, and what the manager asks of it.

import type { TestHooks } from '../test-hooks.js';

/** A job's figures at one moment, as the child process sees them (this run of the job only). */
export interface JobStats {
  /** When these figures were taken (epoch ms). */
  readonly at: number;
  readonly recordsIn: number;
  /** Rows the job's queries produced (into all sinks, late-record sink included). */
  readonly recordsOut: number;
  readonly late: number;
  readonly bad: number;
  readonly openWindows: number;
  /** The job's watermark: the minimum over its sources; 'none' before any record, 'end' when input is complete. */
  readonly watermark: number | 'none' | 'end';
  readonly sources: readonly {
    readonly table: string;
    readonly recordsIn: number;
    readonly bad: number;
    readonly watermark: number | 'none' | 'end';
  }[];
  readonly sinks: readonly SinkStats[];
  /** Per-city series when a sink has `city`, `window_start` and a numeric column (jobs/city_volume.sql). */
  readonly chart?: ChartData;
}

export interface SinkStats {
  readonly name: string;
  /** Rows handed to the sink in this run. */
  readonly rows: number;
  /** Of those, rows the sink has written out (flushed; sinks flush at checkpoints and when rows pile up). */
  readonly rowsWritten: number;
  readonly columns: readonly string[];
  /** The last rows handed to the sink, oldest first, values as text (NULL as null). */
  readonly latest: readonly (readonly (string | null)[])[];
}

export interface ChartData {
  readonly sink: string;
  readonly seriesColumn: string;
  readonly valueColumn: string;
  /** One series per key (city): [window_start epoch ms, value] sorted by time. */
  readonly series: readonly {
    readonly name: string;
    readonly points: readonly (readonly [number, number])[];
  }[];
}

/**
 * What the manager gives a job's child process, as its first IPC message: never on the command
 * line, where every local user could read the job's text (passwords included) with `ps`.
 */
export interface WorkerConfig {
  /** Absolute path of the .sql file. */
  readonly file: string;
  /** Its text as the manager validated it: the child runs exactly this version. */
  readonly text: string;
  /** The file's name in messages (relative to the working directory). */
  readonly display: string;
  readonly cwd: string;
  readonly settings: readonly (readonly [string, string])[];
  /** Forget the job's checkpoint before starting (--fresh, first start only). */
  readonly fresh: boolean;
  /**
   * Without a checkpoint to resume from, read every source from its beginning: the job started
   * fresh after an edit and has not checkpointed since, so the consumer group's position is still
   * where the old version got to.
   */
  readonly recompute: boolean;
  /** Test hooks (`up` reads them from the environment: app/test-hooks.ts); absent in normal use. */
  readonly testHooks?: TestHooks;
}

export type ChildMessage =
  | {
      readonly type: 'started';
      readonly resumedFrom?: { readonly id: number; readonly takenAt: number };
      /** Why a job with a checkpoint started fresh (its state does not fit the edited version). */
      readonly freshReason?: string;
      /** Without a checkpoint to resume from: where each source starts reading, in words. */
      readonly startsAt?: readonly string[];
    }
  /** Something the user must know about their data, e.g. an earlier output file kept aside. */
  | { readonly type: 'notice'; readonly message: string }
  | { readonly type: 'stats'; readonly stats: JobStats }
  /** The run ended: input complete (finished) or stopped on request (checkpoint taken). */
  | { readonly type: 'done'; readonly stopped: boolean; readonly summary: string }
  | { readonly type: 'failed'; readonly message: string };

export type ParentMessage =
  { readonly type: 'config'; readonly config: WorkerConfig } | { readonly type: 'stop' };
