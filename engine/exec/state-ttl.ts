// State time-to-live (SET 'table.exec.state.ttl'), as Flink's StateTtlConfig for SQL operators:
// a state entry (a running group, a joined row) expires when it was not written for the TTL, in
// processing time; an expired entry is never read again (NeverReturnExpired) and is freed by a
// sweep at most twice per TTL. Expiry emits nothing: like Flink, later rows of that key start
// afresh (a group's next row is a new +I).

export class StateTtl {
  private lastSweep: number;

  constructor(
    readonly ms: number,
    /** The clock (Date.now; tests pass their own). */
    readonly now: () => number = Date.now,
  ) {
    this.lastSweep = now();
  }

  expired(writtenAt: number, now: number): boolean {
    return now - writtenAt >= this.ms;
  }

  /** Whether a sweep is due now (and remembers that one is done). */
  sweepDue(now: number): boolean {
    if (now - this.lastSweep < this.ms / 2) return false;
    this.lastSweep = now;
    return true;
  }
}
