// Event-time timers per key, as Flink's timer service keeps them for a keyed operator: at most one
// timer per key and time, fired in time order when the watermark reaches it. Operators that follow
// one of Flink's KeyedProcessFunctions closely (OVER aggregation) register the same timers it does,
// so they fire, and change state, at the same moments.

import { decodeValue, encodeValue } from './aggregates.js';

interface Timer<K> {
  readonly time: number;
  readonly key: K;
  /** Registration order: equal times fire in it. */
  readonly seq: number;
}

export class EventTimers<K> {
  private readonly heap: Timer<K>[] = [];
  private readonly byKey = new Map<K, Set<number>>();
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** A timer for `key` at `time`; nothing when it already has one then. */
  register(key: K, time: number): void {
    let times = this.byKey.get(key);
    if (!times) {
      times = new Set();
      this.byKey.set(key, times);
    }
    if (times.has(time)) return;
    times.add(time);
    this.push({ time, key, seq: this.seq++ });
  }

  /**
   * Fires every timer at or before `watermark`, earliest first; `fire` may register more (those at
   * or before the watermark fire in this same call, as in Flink).
   */
  advance(watermark: number, fire: (time: number, key: K) => void): void {
    while (this.heap.length > 0 && this.heap[0]!.time <= watermark) {
      const t = this.pop();
      const times = this.byKey.get(t.key)!;
      times.delete(t.time);
      if (times.size === 0) this.byKey.delete(t.key);
      fire(t.time, t.key);
    }
  }

  snapshot(): unknown {
    return [...this.heap]
      .sort((a, b) => a.time - b.time || a.seq - b.seq)
      .map((t) => [t.time, encodeValue(t.key)]);
  }

  restore(state: unknown): void {
    for (const [time, key] of (state as [number, unknown][]) ?? [])
      this.register(decodeValue(key) as K, time);
  }

  private before(a: Timer<K>, b: Timer<K>): boolean {
    return a.time < b.time || (a.time === b.time && a.seq < b.seq);
  }

  private push(t: Timer<K>): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Timer<K> {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}
