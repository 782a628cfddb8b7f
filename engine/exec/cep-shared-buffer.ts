// The shared buffer of Flink's CEP (SharedBuffer + SharedBufferAccessor): the rows of all partial
// matches of one partition, stored once, linked backwards by edges labelled with Dewey versions,
// reference counted so that a row is dropped as soon as no partial match can reach it. Paths are
// read back by the same depth-first walk as Flink's, so a match is made of the same rows.
//
// Flink addresses rows and nodes by keys (time, number, page) in keyed state; here a node and a
// row are objects that partial matches point at directly, so the per-row path does no key
// building or hashing. A node or row dropped from the buffer is marked dead: a reference still
// held to it then behaves as a missing key does in Flink (locking it does nothing, releasing it
// stops), and the keys are only written and read in snapshots.

import type { Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';

/** A row of the buffer: its time and its number among the rows of that time (registration order). */
export interface EventId {
  readonly id: number;
  readonly ts: number;
}

/** A Dewey number: which run (and branch of it) a partial match belongs to. */
export type Version = readonly number[];

interface Edge {
  readonly target: NodeId | null;
  readonly version: Version;
  refs: number;
}

/** A row as held by the buffer. */
export class BufferedEvent implements EventId {
  /** Its nodes (one per variable that took it); a row is taken by few variables. */
  readonly nodes: NodeId[] = [];
  dead = false;
  constructor(
    readonly ts: number,
    readonly id: number,
    readonly row: Row,
    public refs: number,
  ) {}
}

/** Edges a node gathers before they are also listed by run (below that, a scan is cheaper). */
const RUN_INDEX_MIN = 8;
const NO_EDGES: Edge[] = [];

/** A row as taken by one pattern variable (`page`), with its edges back to the rows before it. */
export class NodeId {
  /** In the order they were added: the order paths are walked and snapshots list them. */
  readonly edges: Edge[] = [];
  /**
   * The edges by the first number of their version (their run), once there are many: a row taken
   * by many partial matches (A+ with a match started at every row) has an edge for each, and
   * every partial match locks and releases only its own run's edges. Same order as `edges`.
   */
  private runs: Map<number, Edge[]> | null = null;
  refs = 0;
  dead = false;
  constructor(
    readonly event: BufferedEvent,
    readonly page: string,
  ) {}

  addEdge(e: Edge): void {
    this.edges.push(e);
    if (this.runs !== null) this.runList(e.version[0]!).push(e);
    else if (this.edges.length >= RUN_INDEX_MIN) {
      this.runs = new Map();
      for (const x of this.edges) this.runList(x.version[0]!).push(x);
    }
  }

  /**
   * The edges `version` can be compatible with, in `edges` order. A version of two or more
   * numbers is only compatible with versions of its own run (isCompatible): only those.
   */
  candidates(version: Version): Edge[] {
    if (this.runs === null || version.length < 2) return this.edges;
    return this.runs.get(version[0]!) ?? NO_EDGES;
  }

  /** Removes the edge at `index` of `list` (`edges` or one run's list) from both. */
  removeEdge(list: Edge[], index: number): void {
    const e = list[index]!;
    list.splice(index, 1);
    if (this.runs === null) return;
    const other = list === this.edges ? this.runs.get(e.version[0]!)! : this.edges;
    other.splice(other.indexOf(e), 1);
  }

  private runList(run: number): Edge[] {
    let list = this.runs!.get(run);
    if (!list) this.runs!.set(run, (list = []));
    return list;
  }
}

export function compareEventIds(a: EventId, b: EventId): number {
  return a.ts !== b.ts ? (a.ts < b.ts ? -1 : 1) : a.id - b.id;
}

export function sameEvent(a: EventId | null, b: EventId | null): boolean {
  return a === b || (a !== null && b !== null && a.ts === b.ts && a.id === b.id);
}

export function sameNode(a: NodeId | null, b: NodeId | null): boolean {
  return a === b || (a !== null && b !== null && a.page === b.page && sameEvent(a.event, b.event));
}

export function sameVersion(a: Version, b: Version): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** DeweyNumber.isCompatibleWith: `v` continues `other` (same run, a later or equal branch). */
export function isCompatible(v: Version, other: Version): boolean {
  if (v.length > other.length) {
    for (let i = 0; i < other.length; i++) if (other[i] !== v[i]) return false;
    return true;
  }
  if (v.length === other.length) {
    const last = v.length - 1;
    for (let i = 0; i < last; i++) if (other[i] !== v[i]) return false;
    return v[last]! >= other[last]!;
  }
  return false;
}

export function increaseVersion(v: Version, times: number): Version {
  if (times === 0) return v; // versions are never changed in place: the same one can be shared
  const out = v.slice();
  out[out.length - 1]! += times;
  return out;
}

export function addStage(v: Version): Version {
  const out = new Array<number>(v.length + 1);
  for (let i = 0; i < v.length; i++) out[i] = v[i]!;
  out[v.length] = 0;
  return out;
}

/** Lockable.release: true when nothing holds it any more. */
function release(x: { refs: number }): boolean {
  if (x.refs <= 0) return true;
  x.refs -= 1;
  return x.refs === 0;
}

const eventKey = (e: EventId): string => `${e.ts}#${e.id}`;
const nodeKey = (n: NodeId): string => `${eventKey(n.event)}#${n.page}`;

/** A match as paths give it: each variable's rows in order, variables in the order they first appear. */
export type MatchedIds = Map<string, BufferedEvent[]>;

// Shared by every buffer that has held no row yet; never written to.
const EMPTY_EVENTS: Set<BufferedEvent> = new Set();
const EMPTY_NODES: Set<NodeId> = new Set();
const EMPTY_COUNTS: Map<number, number> = new Map();

/** One step of the depth-first walk back through the buffer. */
interface PathStep {
  readonly node: NodeId | null;
  readonly version: Version;
  readonly path: NodeId[];
}

export class SharedBuffer {
  // Most partitions' buffers never hold a row (no row of theirs starts a match): their
  // collections are made when the first row comes.
  /** Live rows and nodes, in the order they were added (their order in a snapshot). */
  private events: Set<BufferedEvent> = EMPTY_EVENTS;
  private entries: Set<NodeId> = EMPTY_NODES;
  /** Per time, the number of the next row registered at it. */
  private counts: Map<number, number> = EMPTY_COUNTS;

  get isEmpty(): boolean {
    return this.events.size === 0 && this.entries.size === 0;
  }

  /** Rows held (for state-size tests). */
  get eventCount(): number {
    return this.events.size;
  }

  /** Forgets the row numbers of times before `ts`: no row of an earlier time can come any more. */
  advanceTime(ts: number): void {
    if (this.counts.size === 0) return;
    for (const t of this.counts.keys()) if (t < ts) this.counts.delete(t);
  }

  registerEvent(row: Row, ts: number): BufferedEvent {
    if (this.counts === EMPTY_COUNTS) {
      this.counts = new Map();
      this.events = new Set();
      this.entries = new Set();
    }
    const id = this.counts.get(ts) ?? 0;
    this.counts.set(ts, id + 1);
    const e = new BufferedEvent(ts, id, row, 1);
    this.events.add(e);
    return e;
  }

  /** The row `event` of variable `page` after `previous` (with `version`); returns its node. */
  put(page: string, event: BufferedEvent, previous: NodeId | null, version: Version): NodeId {
    if (previous !== null) this.lockNode(previous, version);
    let node: NodeId | undefined;
    for (const n of event.nodes) if (n.page === page && !n.dead) node = n;
    if (!node) {
      node = new NodeId(event, page);
      event.nodes.push(node);
      this.entries.add(node);
      event.refs++;
    }
    node.addEdge({ target: previous, version, refs: 0 });
    return node;
  }

  lockNode(node: NodeId, version: Version): void {
    if (node.dead) return;
    node.refs++;
    for (const e of node.candidates(version)) if (isCompatible(version, e.version)) e.refs++;
  }

  releaseNode(id: NodeId, version: Version): void {
    let cur: NodeId | null = id;
    let v = version;
    // Flink's walk keeps a stack, but each node pushes at most the edges it drops; a pending
    // stack is only needed when a node drops several.
    const nodes: NodeId[] = [];
    const versions: Version[] = [];
    while (cur !== null) {
      if (cur.dead) break;
      const edges = cur.candidates(v);
      for (let i = 0; i < edges.length;) {
        const e = edges[i]!;
        if (isCompatible(v, e.version) && release(e)) {
          cur.removeEdge(edges, i);
          if (e.target !== null) {
            nodes.push(e.target);
            versions.push(e.version);
          }
          continue;
        }
        i++;
      }
      if (release(cur)) {
        cur.dead = true;
        this.entries.delete(cur);
        const own = cur.event.nodes;
        own.splice(own.indexOf(cur), 1);
        this.releaseEvent(cur.event);
      }
      cur = nodes.pop() ?? null;
      if (cur !== null) v = versions.pop()!;
    }
  }

  releaseEvent(e: BufferedEvent): void {
    if (!e.dead && release(e)) {
      e.dead = true;
      this.events.delete(e);
    }
  }

  /** Every path back from `id` compatible with `version`, first found first (Flink's order). */
  extractPatterns(id: NodeId, version: Version): MatchedIds[] {
    const result: MatchedIds[] = [];
    this.walk(id, version, (path) => {
      result.push(matchedIds(path));
      return false;
    });
    return result;
  }

  /** The first path extractPatterns gives, as each variable's rows; null when there is none. */
  firstMatchRows(id: NodeId, version: Version): Map<string, Row[]> | null {
    let out: Map<string, Row[]> | null = null;
    this.walk(id, version, (path) => {
      out = new Map();
      for (let i = path.length - 1; i >= 0; i--) {
        const n = path[i]!;
        const list = out.get(n.page);
        if (list) list.push(n.event.row);
        else out.set(n.page, [n.event.row]);
      }
      return true;
    });
    return out;
  }

  /** SharedBufferAccessor.extractPatterns' walk: each complete path (last node first) to `found`, until it returns true. */
  private walk(id: NodeId, version: Version, found: (path: readonly NodeId[]) => boolean): void {
    if (id.dead) return;
    const stack: PathStep[] = [{ node: id, version, path: [] }];
    while (stack.length > 0) {
      const { node, version: v, path } = stack.pop()!;
      if (node === null) {
        if (found(path)) return;
        continue;
      }
      path.push(node);
      let first = true;
      for (const e of node.candidates(v)) {
        if (!isCompatible(v, e.version)) continue;
        const next = first ? path : path.slice();
        first = false;
        stack.push({ node: e.target, version: e.version, path: next });
      }
    }
  }

  materialize(match: MatchedIds): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    for (const [page, events] of match)
      out.set(
        page,
        events.map((e) => e.row),
      );
    return out;
  }

  /** The node of `page` at row (ts, id) for a restored partial match; a dead one when the buffer has none. */
  nodeAt(ts: number, id: number, page: string): NodeId {
    for (const n of this.entries) if (n.event.ts === ts && n.event.id === id && n.page === page) return n;
    const dead = new NodeId(new BufferedEvent(ts, id, [], 0), page);
    dead.dead = true;
    return dead;
  }

  toJSON(): unknown {
    return {
      events: [...this.events].map((e) => [eventKey(e), e.row.map(encodeValue), e.refs]),
      entries: [...this.entries].map((n) => [
        nodeKey(n),
        n.refs,
        n.edges.map((e) => [
          e.target ? [e.target.event.ts, e.target.event.id, e.target.page] : null,
          e.version,
          e.refs,
        ]),
      ]),
      counts: [...this.counts],
    };
  }

  static fromJSON(state: unknown): SharedBuffer {
    const s = state as {
      events: [string, unknown[], number][];
      entries: [string, number, [[number, number, string] | null, number[], number][]][];
      counts: [number, number][];
    };
    const b = new SharedBuffer();
    b.counts = new Map();
    b.events = new Set();
    b.entries = new Set();
    const events = new Map<string, BufferedEvent>();
    for (const [k, row, refs] of s.events) {
      const [ts, id] = k.split('#').map(Number) as [number, number];
      const e = new BufferedEvent(ts, id, row.map(decodeValue), refs);
      events.set(k, e);
      b.events.add(e);
    }
    // A key whose row is gone (not possible in a consistent snapshot) gets a dead row of its own.
    const eventOf = (ts: number, id: number): BufferedEvent => {
      const e = events.get(`${ts}#${id}`);
      if (e) return e;
      const dead = new BufferedEvent(ts, id, [], 0);
      dead.dead = true;
      return dead;
    };
    const nodes = new Map<string, NodeId>();
    const nodeOf = (ts: number, id: number, page: string): NodeId => {
      const k = `${ts}#${id}#${page}`;
      let n = nodes.get(k);
      if (!n) {
        n = new NodeId(eventOf(ts, id), page);
        n.dead = true; // until the snapshot lists it
        nodes.set(k, n);
      }
      return n;
    };
    for (const [k, ,] of s.entries) {
      const i = k.indexOf('#', k.indexOf('#') + 1);
      const [ts, id] = k.slice(0, i).split('#').map(Number) as [number, number];
      const n = nodeOf(ts, id, k.slice(i + 1));
      n.dead = false;
      n.event.nodes.push(n);
      b.entries.add(n);
    }
    for (const [k, refs, edges] of s.entries) {
      const n = nodes.get(k)!;
      n.refs = refs;
      for (const [t, version, r] of edges)
        n.addEdge({ target: t ? nodeOf(t[0], t[1], t[2]) : null, version, refs: r });
    }
    for (const [t, n] of s.counts) b.counts.set(t, n);
    b.restoredNodes = nodes;
    return b;
  }

  /** fromJSON's nodes by key, for the partial matches restored with the buffer. */
  private restoredNodes: Map<string, NodeId> | null = null;

  /** The restored node of `page` at row (ts, id) (dead when the snapshot's buffer had none). */
  restoredNode(ts: number, id: number, page: string): NodeId {
    const n = this.restoredNodes?.get(`${ts}#${id}#${page}`);
    if (n) return n;
    return this.nodeAt(ts, id, page);
  }
}

function matchedIds(path: readonly NodeId[]): MatchedIds {
  const complete: MatchedIds = new Map();
  for (let i = path.length - 1; i >= 0; i--) {
    const n = path[i]!;
    const list = complete.get(n.page);
    if (list) list.push(n.event);
    else complete.set(n.page, [n.event]);
  }
  return complete;
}
