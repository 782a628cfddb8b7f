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
  SharedBuffer,
  type BufferedEvent,
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
  /** The condition compiled (once the states are built). */
  test?: Test;
}

/** A transition's condition: on the row, against the partial match so far. */
type Test = (row: Row, ctx: MatchContext) => boolean;

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
  readonly state: NfaState;
  readonly previous: NodeId | null;
  readonly version: Version;
  readonly startTs: number;
  readonly previousTs: number;
  readonly startEvent: EventId | null;
}

/** NFAState.COMPUTATION_STATE_COMPARATOR: by the first row (time, number); not started ones last. */
function byStart(a: ComputationState, b: ComputationState): number {
  const ae = a.startEvent;
  const be = b.startEvent;
  const at = ae ? ae.ts : Infinity;
  const bt = be ? be.ts : Infinity;
  if (at !== bt) return at < bt ? -1 : 1;
  const ai = ae ? ae.id : 2147483647;
  const bi = be ? be.id : 2147483647;
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
      c.state.name,
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
}

/** What a DEFINE condition can see: the rows of the partial match so far, per variable. */
export interface MatchContext {
  eventsFor(variable: string): readonly Row[];
}

/** A DEFINE condition tested on `row` against the partial match so far. */
export type DefineCondition = (row: Row, ctx: MatchContext) => boolean;

export type Match = Map<string, Row[]>;

const EMPTY_STATES: readonly ComputationState[] = [];
const NO_MATCHES: readonly Match[] = [];

export class Nfa {
  private readonly states = new Map<string, NfaState>();
  private readonly startState: NfaState;
  /** The condition context, reused for every partial match (it is only read during its step). */
  private readonly ctx = new PartialMatch();

  constructor(
    pattern: readonly MatchVariable[],
    /** WITHIN in ms; 0: none. */
    readonly windowMs: number,
    private readonly skip: MatchSkip,
    private readonly defines: readonly DefineCondition[],
    /** Where the MATCH_RECOGNIZE is, for the runtime failures Flink's job fails with too. */
    private readonly pos: SourcePos,
  ) {
    for (const s of compileStates(pattern)) {
      this.states.set(s.name, s);
      for (const t of s.transitions) t.test = this.compile(t.condition);
    }
    this.startState = [...this.states.values()].find((s) => s.type === 'start')!;
    this.initial = startState(this.startState, [1]);
  }

  /** Every fresh partition's start state (one object: states are never changed). */
  private readonly initial: ComputationState;

  /** A fresh automaton state (NFA.createInitialNFAState), over `buffer` when the partition keeps its own. */
  newPartition(buffer = new SharedBuffer()): NfaPartition {
    const partial = new JavaPriorityQueue(byStart);
    partial.add(this.initial);
    return new NfaPartition(partial, new JavaPriorityQueue(byStart), buffer);
  }

  /** A partition's state from its snapshot (NfaPartition.toJSON). */
  restorePartition(state: unknown): NfaPartition {
    type Enc = [string, [number, number, string] | null, number[], number, number, [number, number] | null];
    const s = state as { partial: Enc[]; completed: Enc[]; buffer: unknown };
    const buffer = SharedBuffer.fromJSON(s.buffer);
    const dec = ([st, p, version, startTs, previousTs, e]: Enc): ComputationState => {
      const state = this.states.get(st);
      if (!state) throw new InternalError(`state ${st} does not exist in the NFA`);
      return {
        state,
        previous: p ? buffer.restoredNode(p[0], p[1], p[2]) : null,
        version,
        startTs,
        previousTs,
        startEvent: e ? { ts: e[0], id: e[1] } : null,
      };
    };
    return new NfaPartition(
      JavaPriorityQueue.fromArray(byStart, s.partial.map(dec)),
      JavaPriorityQueue.fromArray(byStart, s.completed.map(dec)),
      buffer,
    );
  }

  /** NFA.process: one row through every partial match; the matches it completes, as the skip strategy lets them out. */
  process(p: NfaPartition, row: Row, ts: number): readonly Match[] {
    const event = new RowHandle(p.buffer, row, ts);
    try {
      return this.doProcess(p, event);
    } finally {
      event.close();
    }
  }

  /** NFA.advanceTime: partial matches older than WITHIN are dropped; completed ones they held back go out. */
  advanceTime(p: NfaPartition, ts: number): readonly Match[] {
    p.buffer.advanceTime(ts);
    // Nothing timed out: the queue stays as it is (rebuilding it would give the same array), and
    // the completed matches wait for the same partial match as after the last row.
    let timedOut = false;
    if (this.windowMs > 0) {
      for (const c of p.partial.toArray()) if (this.timedOut(c, ts)) timedOut = true;
    }
    if (!timedOut) return p.completed.size === 0 ? NO_MATCHES : this.drain(p, p.partial);
    const kept = new JavaPriorityQueue(byStart);
    for (const c of p.partial.toArray()) {
      if (this.timedOut(c, ts)) p.buffer.releaseNode(c.previous!, c.version);
      else kept.add(c);
    }
    p.partial = kept;
    return this.drain(p, kept);
  }

  private drain(p: NfaPartition, partial: JavaPriorityQueue<ComputationState>): Match[] {
    const result: Match[] = [];
    this.emitCompleted(p, EMPTY_STATES, partial, result);
    return result;
  }

  private timedOut(c: ComputationState, ts: number): boolean {
    return c.state.type !== 'start' && this.windowMs > 0 && ts - c.startTs >= this.windowMs;
  }

  private doProcess(p: NfaPartition, event: RowHandle): readonly Match[] {
    // A partition at rest (only the start state) that the row does not start a match in stays as
    // it is: the common case, done without building a new queue and start state.
    let startEdges: Transition[] | null | undefined;
    if (p.partial.size === 1 && p.completed.size === 0) {
      const c = p.partial.peek()!;
      if (c.state.type === 'start') {
        startEdges = this.decisionGraph(c.state, event.row, this.ctx.reset(p.buffer, c));
        if (startEdges === null) return NO_MATCHES;
      }
    }
    const next = new JavaPriorityQueue(byStart);
    let potential: ComputationState[] | null = null;
    for (const c of p.partial.toArray()) {
      const states = this.computeNextStates(p, c, event, startEdges);
      const fromStart = c.state.type === 'start';
      for (const n of states) {
        if (fromStart && n.startTs > 0) p.newStart = true;
        if (n.state.type === 'final') (potential ??= []).push(n);
      }
      for (const n of states) if (n.state.type !== 'final') next.add(n);
    }
    p.partial = next;
    if (potential === null && p.completed.size === 0) return NO_MATCHES;
    const result: Match[] = [];
    this.emitCompleted(p, potential ?? EMPTY_STATES, next, result);
    return result;
  }

  /** processMatchesAccordingToSkipStrategy: completed matches leave once no partial match started before them. */
  private emitCompleted(
    p: NfaPartition,
    potential: readonly ComputationState[],
    partial: JavaPriorityQueue<ComputationState>,
    result: Match[],
  ): void {
    // The potential matches come from a PriorityQueue in Flink too: its array order is the one
    // they join the completed queue in.
    if (potential.length > 0) {
      const q = new JavaPriorityQueue(byStart);
      for (const c of potential) q.add(c);
      p.completed.addAll(q);
    }
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
    // Flink removes every state equal to a discarded one; an equal one starts at the same row, so
    // it is discarded too: removing by identity removes the same states.
    let discard: Set<ComputationState> | null = null;
    for (const c of queue.toArray()) {
      if (c.startEvent === null) continue;
      const cmp = compareEventIds(c.startEvent, pruningId);
      if (strict ? cmp < 0 : cmp <= 0) {
        p.buffer.releaseNode(c.previous!, c.version);
        (discard ??= new Set()).add(c);
      }
    }
    if (discard !== null) queue.removeIf((c) => discard.has(c));
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
  private computeNextStates(
    p: NfaPartition,
    c: ComputationState,
    event: RowHandle,
    /** The TAKE edges when doProcess has found them already (for the partition's one start state). */
    known: Transition[] | null | undefined,
  ): readonly ComputationState[] {
    const ctx = this.ctx.reset(p.buffer, c);
    const row = event.row;
    const edges = known !== undefined ? known : this.decisionGraph(c.state, row, ctx);
    const start = c.state.type === 'start';
    if (edges === null) {
      // No TAKE: nothing is stored; only the start state stays (with its version as it was).
      if (c.previous !== null) p.buffer.releaseNode(c.previous, c.version);
      // The start state as it was (states are never changed, so the same object serves).
      return start ? [c] : EMPTY_STATES;
    }
    const takes = edges.length;
    let takeBranchesToVisit = Math.max(0, takes - 1);
    const out: ComputationState[] = [];
    for (const edge of edges) {
      const currentVersion = increaseVersion(c.version, takeBranchesToVisit);
      const nextVersion = addStage(currentVersion);
      takeBranchesToVisit--;
      const id = event.id();
      const node = p.buffer.put(edge.source.variable, id, c.previous, currentVersion);
      const startTs = start ? event.ts : c.startTs;
      const startEvent = start ? id : c.startEvent;
      this.addState(p, out, edge.target, node, nextVersion, startTs, event.ts, startEvent);
      const final = this.finalAfterProceed(edge.target, row, ctx);
      if (final !== null) this.addState(p, out, final, node, nextVersion, startTs, event.ts, startEvent);
    }
    if (start) out.push(startState(c.state, increaseVersion(c.version, Math.max(1, takes))));
    if (c.previous !== null) p.buffer.releaseNode(c.previous, c.version);
    return out;
  }

  private addState(
    p: NfaPartition,
    out: ComputationState[],
    state: NfaState,
    previous: NodeId,
    version: Version,
    startTs: number,
    previousTs: number,
    startEvent: EventId | null,
  ): void {
    out.push({ state, previous, version, startTs, previousTs, startEvent });
    p.buffer.lockNode(previous, version);
  }

  /** The TAKE transitions open for `row`, PROCEED transitions followed depth first (Flink's order); null: none. */
  private decisionGraph(state: NfaState, row: Row, ctx: PartialMatch): Transition[] | null {
    let edges: Transition[] | null = null;
    // Most states have no PROCEED transition to follow: no stack then.
    let stack: NfaState[] | null = null;
    for (let s: NfaState | undefined = state; s !== undefined; s = stack?.pop()) {
      for (const t of s.transitions) {
        if (!t.test!(row, ctx)) continue;
        if (t.action === 'proceed') (stack ??= []).push(t.target);
        else (edges ??= []).push(t);
      }
    }
    return edges;
  }

  private finalAfterProceed(state: NfaState, row: Row, ctx: PartialMatch): NfaState | null {
    let stack: NfaState[] | null = null;
    for (let s: NfaState | undefined = state; s !== undefined; s = stack?.pop()) {
      for (const t of s.transitions) {
        if (t.action !== 'proceed' || !t.test!(row, ctx)) continue;
        if (t.target.type === 'final') return t.target;
        (stack ??= []).push(t.target);
      }
    }
    return null;
  }

  /** A transition condition as one function, built once. */
  private compile(cond: Condition): Test {
    switch (cond.kind) {
      case 'true':
        return () => true;
      case 'define':
        return this.defines[cond.index]!;
      case 'and': {
        const left = this.compile(cond.left);
        const right = this.compile(cond.right);
        return (row, ctx) => left(row, ctx) && right(row, ctx);
      }
      case 'not': {
        const inner = this.compile(cond.inner);
        return (row, ctx) => !inner(row, ctx);
      }
    }
  }
}

function startState(state: NfaState, version: Version): ComputationState {
  return { state, previous: null, version, startTs: -1, previousTs: -1, startEvent: null };
}

/** NFA.EventWrapper: the row is registered in the buffer when first taken, and let go after its step. */
class RowHandle {
  private eventId: BufferedEvent | null = null;
  constructor(
    private readonly buffer: SharedBuffer,
    readonly row: Row,
    readonly ts: number,
  ) {}
  id(): BufferedEvent {
    return (this.eventId ??= this.buffer.registerEvent(this.row, this.ts));
  }
  close(): void {
    if (this.eventId !== null) this.buffer.releaseEvent(this.eventId);
  }
}

const NO_ROWS: readonly Row[] = [];

/** NFA.ConditionContext: the partial match's rows, read from the buffer once, when a condition first asks. */
class PartialMatch implements MatchContext {
  private matched: Map<string, Row[]> | null = null;
  private buffer: SharedBuffer | null = null;
  private c: ComputationState | null = null;

  reset(buffer: SharedBuffer, c: ComputationState): this {
    this.buffer = buffer;
    this.c = c;
    this.matched = null;
    return this;
  }

  eventsFor(variable: string): readonly Row[] {
    if (this.matched === null) {
      const c = this.c!;
      this.matched =
        (c.previous === null ? null : this.buffer!.firstMatchRows(c.previous, c.version)) ?? new Map();
    }
    return this.matched.get(variable) ?? NO_ROWS;
  }
}
