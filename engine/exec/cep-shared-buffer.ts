// The shared buffer of Flink's CEP (SharedBuffer + SharedBufferAccessor): the rows of all partial
// matches of one partition, stored once, linked backwards by edges labelled with Dewey versions,
// reference counted so that a row is dropped as soon as no partial match can reach it. Paths are
// read back by the same depth-first walk as Flink's, so a match is made of the same rows.

import type { Row } from '../types.js';
import { decodeValue, encodeValue } from './aggregates.js';

/** A row of the buffer: its time and its number among the rows of that time (registration order). */
export interface EventId {
  readonly id: number;
  readonly ts: number;
}

/** A row as taken by one pattern variable (`page`). */
export interface NodeId {
  readonly event: EventId;
  readonly page: string;
}

/** A Dewey number: which run (and branch of it) a partial match belongs to. */
export type Version = readonly number[];

interface Edge {
  readonly target: NodeId | null;
  readonly version: Version;
  refs: number;
}

interface BufferNode {
  readonly edges: Edge[];
  refs: number;
}

interface BufferedEvent {
  readonly row: Row;
  refs: number;
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
  return a.length === b.length && a.every((x, i) => x === b[i]);
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
  const out = v.slice();
  out[out.length - 1]! += times;
  return out;
}

export function addStage(v: Version): Version {
  return [...v, 0];
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
export type MatchedIds = Map<string, EventId[]>;

export class SharedBuffer {
  private readonly events = new Map<string, BufferedEvent>();
  private readonly entries = new Map<string, BufferNode>();
  /** Per time, the number of the next row registered at it. */
  private readonly counts = new Map<number, number>();

  get isEmpty(): boolean {
    return this.events.size === 0 && this.entries.size === 0;
  }

  /** Rows held (for state-size tests). */
  get eventCount(): number {
    return this.events.size;
  }

  /** Forgets the row numbers of times before `ts`: no row of an earlier time can come any more. */
  advanceTime(ts: number): void {
    for (const t of [...this.counts.keys()]) if (t < ts) this.counts.delete(t);
  }

  registerEvent(row: Row, ts: number): EventId {
    const id = this.counts.get(ts) ?? 0;
    const e: EventId = { id, ts };
    this.counts.set(ts, id + 1);
    this.events.set(eventKey(e), { row, refs: 1 });
    return e;
  }

  /** The row `event` of variable `page` after `previous` (with `version`); returns its node. */
  put(page: string, event: EventId, previous: NodeId | null, version: Version): NodeId {
    if (previous !== null) this.lockNode(previous, version);
    const id: NodeId = { event, page };
    const key = nodeKey(id);
    let node = this.entries.get(key);
    if (!node) {
      node = { edges: [], refs: 0 };
      this.entries.set(key, node);
      this.events.get(eventKey(event))!.refs++;
    }
    node.edges.push({ target: previous, version, refs: 0 });
    return id;
  }

  lockNode(id: NodeId, version: Version): void {
    const node = this.entries.get(nodeKey(id));
    if (!node) return;
    node.refs++;
    for (const e of node.edges) if (isCompatible(version, e.version)) e.refs++;
  }

  releaseNode(id: NodeId, version: Version): void {
    const nodes: NodeId[] = [id];
    const versions: Version[] = [version];
    while (nodes.length > 0) {
      const cur = nodes.pop()!;
      const key = nodeKey(cur);
      const node = this.entries.get(key);
      if (!node) break;
      const v = versions.pop()!;
      for (let i = 0; i < node.edges.length;) {
        const e = node.edges[i]!;
        if (isCompatible(v, e.version) && release(e)) {
          node.edges.splice(i, 1);
          if (e.target !== null) {
            nodes.push(e.target);
            versions.push(e.version);
          }
          continue;
        }
        i++;
      }
      if (release(node)) {
        this.entries.delete(key);
        this.releaseEvent(cur.event);
      }
    }
  }

  releaseEvent(id: EventId): void {
    const key = eventKey(id);
    const e = this.events.get(key);
    if (e && release(e)) this.events.delete(key);
  }

  /** Every path back from `id` compatible with `version`, first found first (Flink's order). */
  extractPatterns(id: NodeId, version: Version): MatchedIds[] {
    const result: MatchedIds[] = [];
    const start = this.entries.get(nodeKey(id));
    if (!start) return result;
    const stack: { entry: { id: NodeId; node: BufferNode } | null; version: Version; path: NodeId[] }[] = [
      { entry: { id, node: start }, version, path: [] },
    ];
    while (stack.length > 0) {
      const { entry, version: v, path } = stack.pop()!;
      if (entry === null) {
        const complete: MatchedIds = new Map();
        for (let i = path.length - 1; i >= 0; i--) {
          const n = path[i]!;
          let list = complete.get(n.page);
          if (!list) complete.set(n.page, (list = []));
          list.push(n.event);
        }
        result.push(complete);
        continue;
      }
      path.push(entry.id);
      let first = true;
      for (const e of entry.node.edges) {
        if (!isCompatible(v, e.version)) continue;
        const next = first ? path : path.slice();
        first = false;
        const target = e.target;
        stack.push({
          entry: target !== null ? { id: target, node: this.entries.get(nodeKey(target))! } : null,
          version: e.version,
          path: next,
        });
      }
    }
    return result;
  }

  materialize(match: MatchedIds): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    for (const [page, ids] of match)
      out.set(
        page,
        ids.map((id) => this.events.get(eventKey(id))!.row),
      );
    return out;
  }

  toJSON(): unknown {
    return {
      events: [...this.events].map(([k, e]) => [k, e.row.map(encodeValue), e.refs]),
      entries: [...this.entries].map(([k, n]) => [
        k,
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
    for (const [k, row, refs] of s.events) b.events.set(k, { row: row.map(decodeValue), refs });
    for (const [k, refs, edges] of s.entries) {
      b.entries.set(k, {
        refs,
        edges: edges.map(([t, version, r]) => ({
          target: t ? { event: { ts: t[0], id: t[1] }, page: t[2] } : null,
          version,
          refs: r,
        })),
      });
    }
    for (const [t, n] of s.counts) b.counts.set(t, n);
    return b;
  }
}
