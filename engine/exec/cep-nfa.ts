// Flink's CEP automaton (flink-cep NFACompiler and NFA) for the patterns MATCH_RECOGNIZE gives it:
// variables one strictly after the other, quantifiers consecutive, greedy or not. The states,
// their transitions (TAKE / PROCEED, greedy conditions ANDed with NOT the loop's condition), the
// Dewey versions of branches, the order partial matches are kept and tried in, and the after-match
// skip strategies' pruning all follow Flink's code, because together they decide which of the
// overlapping candidate matches are the ones Flink emits.

import type { MatchSkip, MatchVariable } from '../plan/logical.js';
import type { Row } from '../types.js';
import {
  addStage,
  compareEventIds,
  increaseVersion,
  sameEvent,
  sameNode,
  sameVersion,
  SharedBuffer,
  type EventId,
  type MatchedIds,
  type NodeId,
  type Version,
} from './cep-shared-buffer.js';
import { JavaPriorityQueue } from './java-priority-queue.js';
import { InternalError, SqlError, type SourcePos } from '../errors.js';

export type Condition =
  | { readonly kind: 'true' }
  | { readonly kind: 'define'; readonly index: number }
  | { readonly kind: 'and'; readonly left: Condition; readonly right: Condition }
  | { readonly kind: 'not'; readonly inner: Condition };

const TRUE: Condition = { kind: 'true' };

interface NfaState {
  readonly name: string;
  /** The variable it takes rows for (the state name up to ':'). */
  readonly variable: string;
  type: 'start' | 'final' | 'normal';
  readonly transitions: Transition[];
}

interface Transition {
  readonly action: 'take' | 'proceed';
  readonly source: NfaState;
  readonly target: NfaState;
  condition: Condition;
}

/** NFACompiler's states for a pattern, built from the last variable back to the first. */
function compileStates(pattern: readonly MatchVariable[]): NfaState[] {
  const states: NfaState[] = [];
  const used = new Set<string>();
  let current = pattern[pattern.length - 1]!;
  const createState = (base: string, type: NfaState['type']): NfaState => {
    let name = base;
    for (let counter = 0; used.has(name); counter++) name = `${base}:${counter}`;
    used.add(name);
    const s: NfaState = { name, variable: base, type, transitions: [] };
    states.push(s);
    return s;
  };
  const take = (): Condition =>
    current.condition === null ? TRUE : { kind: 'define', index: current.condition };
  const add = (
    source: NfaState,
    action: Transition['action'],
    target: NfaState,
    condition: Condition,
  ): void => {
    source.transitions.push({ action, source, target, condition });
  };
  const greedyCondition = (state: NfaState, takeCondition: Condition): void => {
    for (const t of state.transitions)
      t.condition = { kind: 'and', left: t.condition, right: { kind: 'not', inner: takeCondition } };
  };
  const singleton = (sink: NfaState, proceed: NfaState | null, optional: boolean): NfaState => {
    const s = createState(current.name, 'normal');
    add(s, 'take', sink, take());
    if (optional) add(s, 'proceed', proceed!, TRUE);
    return s;
  };
  const times = (sink: NfaState, proceed: NfaState, from: number, to: number): NfaState => {
    let last = sink;
    if (current.greedy && from !== to) greedyCondition(sink, take());
    for (let i = from; i < to; i++) last = singleton(last, proceed, true);
    for (let i = 0; i < from - 1; i++) last = singleton(last, null, false);
    return singleton(last, proceed, current.optional);
  };
  const looping = (sink: NfaState): NfaState => {
    const s = createState(current.name, 'normal');
    add(s, 'proceed', sink, TRUE);
    if (current.greedy) greedyCondition(sink, take());
    add(s, 'take', s, take());
    return s;
  };
  const convert = (sink: NfaState): NfaState => {
    if (current.quantifier === 'looping') return times(looping(sink), sink, current.from, current.to);
    if (current.quantifier === 'times') return times(sink, sink, current.from, current.to);
    return singleton(sink, sink, current.optional);
  };
  let sink = createState('$endState$', 'final');
  for (let i = pattern.length - 1; i >= 1; i--) {
    current = pattern[i]!;
    sink = convert(sink);
  }
  current = pattern[0]!;
  convert(sink).type = 'start';
  return states;
}

/** A partial (or completed) match: where it is, the last row it took, its run. */
export interface ComputationState {
  readonly state: string;
  readonly previous: NodeId | null;
  readonly version: Version;
  readonly startTs: number;
  readonly previousTs: number;
  readonly startEvent: EventId | null;
}

function sameComputation(a: ComputationState, b: ComputationState): boolean {
  return (
    a.state === b.state &&
    sameVersion(a.version, b.version) &&
    a.startTs === b.startTs &&
    a.previousTs === b.previousTs &&
    sameEvent(a.startEvent, b.startEvent) &&
    sameNode(a.previous, b.previous)
  );
}

/** NFAState.COMPUTATION_STATE_COMPARATOR: by the first row (time, number); not started ones last. */
function byStart(a: ComputationState, b: ComputationState): number {
  const at = a.startEvent ? a.startEvent.ts : Infinity;
  const bt = b.startEvent ? b.startEvent.ts : Infinity;
  if (at !== bt) return at < bt ? -1 : 1;
  const ai = a.startEvent ? a.startEvent.id : 2147483647;
  const bi = b.startEvent ? b.startEvent.id : 2147483647;
  return ai < bi ? -1 : ai > bi ? 1 : 0;
}

/** One partition's matching state (Flink's NFAState and SharedBuffer of one key). */
export class NfaPartition {
  constructor(
    public partial: JavaPriorityQueue<ComputationState>,
    public completed: JavaPriorityQueue<ComputationState>,
    readonly buffer: SharedBuffer,
  ) {}
  /** A partial match was started by the last row (CepOperator registers its WITHIN timer then). */
  newStart = false;

  /** Only the start state is left: nothing partial, nothing waiting (Flink then drops the NFA state). */
  get idle(): boolean {
    return this.partial.size === 1 && this.completed.size === 0;
  }

  toJSON(): unknown {
    const enc = (c: ComputationState) => [
      c.state,
      c.previous ? [c.previous.event.ts, c.previous.event.id, c.previous.page] : null,
      c.version,
      c.startTs,
      c.previousTs,
      c.startEvent ? [c.startEvent.ts, c.startEvent.id] : null,
    ];
    return {
      partial: this.partial.toArray().map(enc),
      completed: this.completed.toArray().map(enc),
      buffer: this.buffer.toJSON(),
    };
  }

  static fromJSON(state: unknown): NfaPartition {
    type Enc = [string, [number, number, string] | null, number[], number, number, [number, number] | null];
    const s = state as { partial: Enc[]; completed: Enc[]; buffer: unknown };
    const dec = ([st, p, version, startTs, previousTs, e]: Enc): ComputationState => ({
      state: st,
      previous: p ? { event: { ts: p[0], id: p[1] }, page: p[2] } : null,
      version,
      startTs,
      previousTs,
      startEvent: e ? { ts: e[0], id: e[1] } : null,
    });
    return new NfaPartition(
      JavaPriorityQueue.fromArray(byStart, s.partial.map(dec)),
      JavaPriorityQueue.fromArray(byStart, s.completed.map(dec)),
      SharedBuffer.fromJSON(s.buffer),
    );
  }
}

/** What a DEFINE condition can see: the rows of the partial match so far, per variable. */
export interface MatchContext {
  eventsFor(variable: string): readonly Row[];
}

/** A DEFINE condition tested on `row` against the partial match so far. */
export type DefineCondition = (row: Row, ctx: MatchContext) => boolean;

export type Match = Map<string, Row[]>;

export class Nfa {
  private readonly states = new Map<string, NfaState>();
  private readonly startName: string;

  constructor(
    pattern: readonly MatchVariable[],
    /** WITHIN in ms; 0: none. */
    readonly windowMs: number,
    private readonly skip: MatchSkip,
    private readonly defines: readonly DefineCondition[],
    /** Where the MATCH_RECOGNIZE is, for the runtime failures Flink's job fails with too. */
    private readonly pos: SourcePos,
  ) {
    for (const s of compileStates(pattern)) this.states.set(s.name, s);
    this.startName = [...this.states.values()].find((s) => s.type === 'start')!.name;
  }

  /** A fresh automaton state (NFA.createInitialNFAState), over `buffer` when the partition keeps its own. */
  newPartition(buffer = new SharedBuffer()): NfaPartition {
    const partial = new JavaPriorityQueue(byStart);
    partial.add(startState(this.startName, [1]));
    return new NfaPartition(partial, new JavaPriorityQueue(byStart), buffer);
  }

  private state(c: ComputationState): NfaState {
    const s = this.states.get(c.state);
    if (!s) throw new InternalError(`state ${c.state} does not exist in the NFA`);
    return s;
  }

  private isStart(c: ComputationState): boolean {
    return this.state(c).type === 'start';
  }

  /** NFA.process: one row through every partial match; the matches it completes, as the skip strategy lets them out. */
  process(p: NfaPartition, row: Row, ts: number): Match[] {
    const event = new RowHandle(p.buffer, row, ts);
    try {
      return this.doProcess(p, event);
    } finally {
      event.close();
    }
  }

  /** NFA.advanceTime: partial matches older than WITHIN are dropped; completed ones they held back go out. */
  advanceTime(p: NfaPartition, ts: number): Match[] {
    const result: Match[] = [];
    const kept = new JavaPriorityQueue(byStart);
    for (const c of p.partial) {
      if (this.timedOut(c, ts)) p.buffer.releaseNode(c.previous!, c.version);
      else kept.add(c);
    }
    this.emitCompleted(p, new JavaPriorityQueue(byStart), kept, result);
    p.partial = kept;
    p.buffer.advanceTime(ts);
    return result;
  }

  private timedOut(c: ComputationState, ts: number): boolean {
    return !this.isStart(c) && this.windowMs > 0 && ts - c.startTs >= this.windowMs;
  }

  private doProcess(p: NfaPartition, event: RowHandle): Match[] {
    const next = new JavaPriorityQueue(byStart);
    const potential = new JavaPriorityQueue(byStart);
    for (const c of p.partial) {
      const states = this.computeNextStates(p, c, event);
      for (const n of states) {
        if (this.isStart(c) && n.startTs > 0) p.newStart = true;
        if (this.state(n).type === 'final') potential.add(n);
      }
      next.addAll(states.filter((n) => this.state(n).type !== 'final'));
    }
    const result: Match[] = [];
    this.emitCompleted(p, potential, next, result);
    p.partial = next;
    return result;
  }

  /** processMatchesAccordingToSkipStrategy: completed matches leave once no partial match started before them. */
  private emitCompleted(
    p: NfaPartition,
    potential: JavaPriorityQueue<ComputationState>,
    partial: JavaPriorityQueue<ComputationState>,
    result: Match[],
  ): void {
    p.completed.addAll(potential);
    for (let earliest = p.completed.peek(); earliest !== undefined; earliest = p.completed.peek()) {
      const earliestPartial = partial.peek();
      if (earliestPartial !== undefined && byStart(earliest, earliestPartial) > 0) break;
      p.completed.poll();
      const matched = p.buffer.extractPatterns(earliest.previous!, earliest.version);
      this.prune(p, partial, matched);
      this.prune(p, p.completed, matched);
      result.push(p.buffer.materialize(matched[0]!));
      p.buffer.releaseNode(earliest.previous!, earliest.version);
    }
  }

  /** AfterMatchSkipStrategy.prune: drops the matches the skip strategy says may not start where they did. */
  private prune(
    p: NfaPartition,
    queue: JavaPriorityQueue<ComputationState>,
    matched: readonly MatchedIds[],
  ): void {
    const pruningId = this.pruningId(matched);
    if (pruningId === null) return;
    const strict = this.skip.kind === 'to-first' || this.skip.kind === 'to-last';
    const discard: ComputationState[] = [];
    for (const c of queue) {
      if (c.startEvent === null) continue;
      const cmp = compareEventIds(c.startEvent, pruningId);
      if (strict ? cmp < 0 : cmp <= 0) {
        p.buffer.releaseNode(c.previous!, c.version);
        discard.push(c);
      }
    }
    if (discard.length > 0) queue.removeIf((c) => discard.some((d) => sameComputation(c, d)));
  }

  private pruningId(matched: readonly MatchedIds[]): EventId | null {
    let pruning: EventId | null = null;
    const max = (a: EventId | null, b: EventId): EventId => (a === null || compareEventIds(a, b) < 0 ? b : a);
    const min = (a: EventId | null, b: EventId): EventId => (a === null || compareEventIds(a, b) > 0 ? b : a);
    for (const m of matched) {
      switch (this.skip.kind) {
        case 'past-last-row':
          for (const ids of m.values()) pruning = max(pruning, ids[ids.length - 1]!);
          break;
        case 'to-next-row':
          for (const ids of m.values()) pruning = min(pruning, ids[0]!);
          break;
        case 'to-first':
        case 'to-last': {
          const ids = m.get(this.skip.variable);
          if (!ids || ids.length === 0) {
            throw new SqlError(
              this.pos,
              `a match has no row of ${this.skip.variable} to skip to; the job stops (as in Flink: Could not skip to ${this.skip.variable}. No such element in the found match)`,
              `AFTER MATCH SKIP TO ${this.skip.kind === 'to-first' ? 'FIRST' : 'LAST'} ${this.skip.variable} needs a row of ${this.skip.variable} in every match`,
            );
          }
          const target = ids[this.skip.kind === 'to-first' ? 0 : ids.length - 1]!;
          pruning = max(pruning, target);
          let start: EventId | null = null;
          for (const list of m.values()) for (const id of list) start = min(start, id);
          if (start !== null && compareEventIds(pruning, start) === 0) {
            throw new SqlError(
              this.pos,
              `a match would start again at its own first row; the job stops (as in Flink: Could not skip to first element of a match.)`,
              `skipping to the match's own first row would find the same match forever: skip to a later variable, or PAST LAST ROW`,
            );
          }
          break;
        }
      }
    }
    return pruning;
  }

  /** NFA.computeNextStates for one partial match and one row. */
  private computeNextStates(p: NfaPartition, c: ComputationState, event: RowHandle): ComputationState[] {
    const ctx = new PartialMatch(p.buffer, c);
    const edges = this.decisionGraph(c, event.row, ctx);
    const takes = edges.length;
    let takeBranchesToVisit = Math.max(0, takes - 1);
    const out: ComputationState[] = [];
    const start = this.isStart(c);
    for (const edge of edges) {
      const currentVersion = increaseVersion(c.version, takeBranchesToVisit);
      const nextVersion = addStage(currentVersion);
      takeBranchesToVisit--;
      const node = p.buffer.put(edge.source.variable, event.id(), c.previous, currentVersion);
      const startTs = start ? event.ts : c.startTs;
      const startEvent = start ? event.id() : c.startEvent;
      this.addState(p, out, edge.target.name, node, nextVersion, startTs, event.ts, startEvent);
      const final = this.finalAfterProceed(edge.target, event.row, ctx);
      if (final !== null) this.addState(p, out, final.name, node, nextVersion, startTs, event.ts, startEvent);
    }
    if (start) {
      const branches = takes === 0 ? 0 : Math.max(1, takes);
      out.push(startState(c.state, increaseVersion(c.version, branches)));
    }
    if (c.previous !== null) p.buffer.releaseNode(c.previous, c.version);
    return out;
  }

  private addState(
    p: NfaPartition,
    out: ComputationState[],
    state: string,
    previous: NodeId,
    version: Version,
    startTs: number,
    previousTs: number,
    startEvent: EventId | null,
  ): void {
    out.push({ state, previous, version, startTs, previousTs, startEvent });
    p.buffer.lockNode(previous, version);
  }

  /** The TAKE transitions open for `row`, PROCEED transitions followed depth first (Flink's order). */
  private decisionGraph(c: ComputationState, row: Row, ctx: PartialMatch): Transition[] {
    const edges: Transition[] = [];
    const stack: NfaState[] = [this.state(c)];
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (const t of s.transitions) {
        if (!this.test(t.condition, row, ctx)) continue;
        if (t.action === 'proceed') stack.push(t.target);
        else edges.push(t);
      }
    }
    return edges;
  }

  private finalAfterProceed(state: NfaState, row: Row, ctx: PartialMatch): NfaState | null {
    const stack: NfaState[] = [state];
    while (stack.length > 0) {
      const s = stack.pop()!;
      for (const t of s.transitions) {
        if (t.action !== 'proceed' || !this.test(t.condition, row, ctx)) continue;
        if (t.target.type === 'final') return t.target;
        stack.push(t.target);
      }
    }
    return null;
  }

  private test(cond: Condition, row: Row, ctx: PartialMatch): boolean {
    switch (cond.kind) {
      case 'true':
        return true;
      case 'define':
        return this.defines[cond.index]!(row, ctx);
      case 'and':
        return this.test(cond.left, row, ctx) && this.test(cond.right, row, ctx);
      case 'not':
        return !this.test(cond.inner, row, ctx);
    }
  }
}

function startState(state: string, version: Version): ComputationState {
  return { state, previous: null, version, startTs: -1, previousTs: -1, startEvent: null };
}

/** NFA.EventWrapper: the row is registered in the buffer when first taken, and let go after its step. */
class RowHandle {
  private eventId: EventId | null = null;
  constructor(
    private readonly buffer: SharedBuffer,
    readonly row: Row,
    readonly ts: number,
  ) {}
  id(): EventId {
    return (this.eventId ??= this.buffer.registerEvent(this.row, this.ts));
  }
  close(): void {
    if (this.eventId !== null) this.buffer.releaseEvent(this.eventId);
  }
}

/** NFA.ConditionContext: the partial match's rows, read from the buffer once, when a condition first asks. */
class PartialMatch implements MatchContext {
  private matched: Match | null = null;
  constructor(
    private readonly buffer: SharedBuffer,
    private readonly c: ComputationState,
  ) {}
  eventsFor(variable: string): readonly Row[] {
    if (this.matched === null) {
      const paths =
        this.c.previous === null ? [] : this.buffer.extractPatterns(this.c.previous, this.c.version);
      this.matched = paths.length === 0 ? new Map() : this.buffer.materialize(paths[0]!);
    }
    return this.matched.get(variable) ?? [];
  }
}
