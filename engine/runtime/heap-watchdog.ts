// Stops a job with a clear message before V8 runs out of heap. When the heap is full V8 aborts
// the process ("FATAL ERROR: Reached heap limit ... JavaScript heap out of memory" and a native
// stack): no catch, no flush, no message saying which knob to turn. After every full garbage
// collection the watchdog looks at what survived; when that is most of the heap limit, the job is
// about to die, and the source runner stops it at its next batch with a ResourceError instead.
// Only what survives a full collection counts: garbage waiting to be collected is not a problem.

import { PerformanceObserver, constants as perf, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { ResourceError } from '../errors.js';

/** Share of the heap limit still in use after a full collection at which the job is stopped. */
export const HEAP_STOP_SHARE = 0.85;
/**
 * Share of the heap limit in use (garbage included) from which the job should give the event loop
 * a turn after every batch: the collections' reports arrive on the event loop, and near the limit
 * a few batches can be the difference between a message and an abort.
 */
const HEAP_WATCH_CLOSELY_SHARE = 0.6;

const MB = 1024 * 1024;

export class HeapWatchdog {
  private observer: PerformanceObserver | null = null;
  private full: { used: number; limit: number } | null = null;

  /** Starts watching (once per process; later calls do nothing). */
  start(): void {
    if (this.observer !== null) return;
    this.observer = new PerformanceObserver((list) => {
      if (list.getEntries().some(isFullCollection)) this.afterFullCollection();
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Throws when the last full collection left the heap nearly full. */
  check(): void {
    if (this.full !== null) throw heapExhausted(this.full.used, this.full.limit);
  }

  /** Whether the heap is full enough that collections' reports should be read after every batch. */
  get watchClosely(): boolean {
    return oldGenerationUsed() >= HEAP_WATCH_CLOSELY_SHARE * oldGenerationLimit();
  }

  private afterFullCollection(): void {
    const limit = oldGenerationLimit();
    const used = oldGenerationUsed();
    // The latest collection decides: once a stopped job's state is freed, the other jobs of the process go on.
    this.full = used >= HEAP_STOP_SHARE * limit ? { used, limit } : null;
  }
}

/**
 * V8's heap limit is the old generation's (--max-old-space-size) plus the young generation's
 * (three semi-spaces); the process dies when the old generation is full, so that is what counts.
 */
function oldGenerationLimit(): number {
  return getHeapStatistics().heap_size_limit - 3 * maxSemiSpaceBytes();
}

function oldGenerationUsed(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics())
    if (!space.space_name.startsWith('new_')) used += space.space_used_size;
  return used;
}

/** --max-semi-space-size (MB) from the command line or NODE_OPTIONS; V8's default on 64-bit is 16 MB. */
function maxSemiSpaceBytes(): number {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (const flag of flags) {
    const m = /^--max[-_]semi[-_]space[-_]size=(\d+)$/.exec(flag);
    if (m) return Number(m[1]) * MB;
  }
  return 16 * MB;
}

function isFullCollection(entry: PerformanceEntry): boolean {
  return (
    ((entry as { detail?: unknown }).detail as { kind?: number } | undefined)?.kind ===
    perf.NODE_PERFORMANCE_GC_MAJOR
  );
}

function heapExhausted(used: number, limit: number): ResourceError {
  const limitMb = Math.round(limit / MB);
  return new ResourceError(
    `out of memory: after garbage collection the JavaScript heap is still ${Math.round((used / limit) * 100)} % full (limit ${limitMb} MB); the job was stopped before Node.js would abort\n` +
      `  hint: give Node.js more heap, e.g. NODE_OPTIONS=--max-old-space-size=${suggestedLimitMb(limitMb)} (in MB), or keep less state: shorter windows, fewer groups`,
  );
}

/** Twice the current limit, in a round number. */
function suggestedLimitMb(limitMb: number): number {
  return Math.ceil((limitMb * 2) / 256) * 256;
}

/** One watchdog per process: the heap is shared by every job of it. */
export const heapWatchdog = new HeapWatchdog();
