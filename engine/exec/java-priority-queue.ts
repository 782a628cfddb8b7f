// java.util.PriorityQueue, step for step: the same binary heap, the same sift-up and sift-down,
// iteration in array order, bulk removal that compacts and re-heapifies. Flink's CEP keeps its
// partial and completed matches in such queues and iterates them in array order, and equal
// elements leave them in an order only the heap's layout decides: matching Flink's matches
// (which of two equal-start matches a skip strategy keeps) needs the same layout.

export class JavaPriorityQueue<T> {
  private queue: T[] = [];

  constructor(private readonly cmp: (a: T, b: T) => number) {}

  get size(): number {
    return this.queue.length;
  }

  /** The elements in array (iteration) order. */
  toArray(): T[] {
    return this.queue.slice();
  }

  /** A queue holding `items` in exactly this array order (a restored snapshot). */
  static fromArray<T>(cmp: (a: T, b: T) => number, items: readonly T[]): JavaPriorityQueue<T> {
    const q = new JavaPriorityQueue(cmp);
    q.queue = items.slice();
    return q;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.queue.slice()[Symbol.iterator]();
  }

  add(e: T): void {
    const k = this.queue.length;
    this.queue.push(e);
    this.siftUp(k, e);
  }

  /** AbstractQueue.addAll: each element in the collection's iteration order. */
  addAll(items: Iterable<T>): void {
    for (const e of items) this.add(e);
  }

  peek(): T | undefined {
    return this.queue[0];
  }

  poll(): T | undefined {
    const es = this.queue;
    if (es.length === 0) return undefined;
    const result = es[0]!;
    const x = es.pop()!;
    if (es.length > 0) this.siftDown(0, x, es.length);
    return result;
  }

  contains(e: T, equals: (a: T, b: T) => boolean): boolean {
    return this.queue.some((x) => equals(x, e));
  }

  /** PriorityQueue.removeIf / removeAll (bulkRemove): survivors keep their order, then heapify. */
  removeIf(filter: (e: T) => boolean): boolean {
    const survivors = this.queue.filter((e) => !filter(e));
    if (survivors.length === this.queue.length) return false;
    this.queue = survivors;
    for (let i = (survivors.length >>> 1) - 1; i >= 0; i--) this.siftDown(i, survivors[i]!, survivors.length);
    return true;
  }

  private siftUp(k: number, x: T): void {
    const es = this.queue;
    while (k > 0) {
      const parent = (k - 1) >>> 1;
      const e = es[parent]!;
      if (this.cmp(x, e) >= 0) break;
      es[k] = e;
      k = parent;
    }
    es[k] = x;
  }

  private siftDown(k: number, x: T, n: number): void {
    const es = this.queue;
    const half = n >>> 1;
    while (k < half) {
      let child = (k << 1) + 1;
      let c = es[child]!;
      const right = child + 1;
      if (right < n && this.cmp(c, es[right]!) > 0) c = es[(child = right)]!;
      if (this.cmp(x, c) <= 0) break;
      es[k] = c;
      k = child;
    }
    es[k] = x;
  }
}
