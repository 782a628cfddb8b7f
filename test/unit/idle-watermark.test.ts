// Idle splits and the all-idle advance of SourceRunner, driven by a fake clock and a scripted
// reader (no broker, no sleeping): which watermark the operators see after each step.
import { describe, expect, it } from 'vitest';
import {
  packRecords,
  type PollResult,
  type RawBatch,
  type SourceReader,
  type SplitInfo,
} from '../../connectors/api.js';
import type { Operator } from '../../engine/exec/operator.js';
import { parseSqlFile } from '../../engine/sql/parse.js';
import type { CreateTableStatement } from '../../engine/sql/ast.js';
import { buildTable } from '../../engine/plan/tables.js';
import type { Row } from '../../engine/types.js';
import { DEFAULT_IDLE_TIMEOUT_MS, SourceRunner } from '../../engine/runtime/source-runner.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const sec = (s: number) => T0 + s * 1000;
const text = (s: number) => new Date(sec(s)).toISOString().replace('T', ' ').replace('Z', '');

class ScriptedReader implements SourceReader {
  splits: SplitInfo[];
  readonly queue: PollResult[] = [];
  constructor(
    n: number,
    readonly bounded = false,
  ) {
    this.splits = Array.from({ length: n }, (_, i) => ({ name: `t/${i}`, positionSeparator: '@' }));
  }
  /** Records `id;ts` with event times in seconds after T0. */
  push(split: number, ...times: number[]): void {
    const batch: RawBatch = {
      split,
      count: times.length,
      values: packRecords(times.map((t, i) => `${i};${text(t)}`)),
      positions: times.map((_, i) => i),
    };
    this.queue.push({ kind: 'batch', batch });
  }
  pushIdle(waiting = false): void {
    this.queue.push({ kind: 'idle', waiting });
  }
  async open(): Promise<void> {}
  async poll(): Promise<PollResult> {
    return this.queue.shift() ?? { kind: 'idle' };
  }
  positions(): Record<string, number> {
    return {};
  }
  seek(): void {}
  async close(): Promise<void> {}
}

class Recorder implements Operator {
  readonly watermarks: number[] = [];
  rows = 0;
  process(_row: Row): void {
    this.rows++;
  }
  onWatermark(wm: number): void {
    this.watermarks.push(wm);
  }
  finish(): void {}
  snapshot(): unknown {
    return null;
  }
  restore(): void {}
  /** The last watermark, in seconds after T0 (null: none yet). */
  get last(): number | null {
    const w = this.watermarks.at(-1);
    return w === undefined ? null : (w - T0) / 1000;
  }
}

function setup(
  opts: { with?: string; splits?: number; bounded?: boolean; settings?: Record<string, string> } = {},
) {
  const sql = `CREATE TABLE t (id INT, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '1' SECOND)
    WITH ('connector' = 'kafka', 'topic' = 't', 'format' = 'csv', 'csv.field-delimiter' = ';'${opts.with ? `, ${opts.with}` : ''});`;
  const [stmt] = parseSqlFile(sql, 'idle.sql') as [CreateTableStatement];
  const table = buildTable(stmt);
  const reader = new ScriptedReader(opts.splits ?? 3, opts.bounded ?? false);
  const down = new Recorder();
  const decoder = table.format!.createDecoder(
    table.columns
      .map((c, i) => ({ name: c.name, type: c.type, rowIndex: i, kind: c.kind }))
      .filter((c) => c.kind === 'physical'),
    table.options,
  );
  const clock = { now: 0 };
  const runner = new SourceRunner(table, reader, down, decoder, false, {
    clock: () => clock.now,
    settings: new Map(Object.entries(opts.settings ?? {})),
  });
  return { runner, reader, down, clock };
}

describe('SourceRunner idle splits', () => {
  it('the watermark is the minimum over the splits until one is idle for the timeout; it counts again with its next record', async () => {
    const { runner, reader, down, clock } = setup({ with: `'scan.watermark.idle-timeout' = '5 s'` });
    expect(runner.idleTimeoutMs).toBe(5000);
    reader.push(0, 10);
    reader.push(1, 5);
    reader.push(2, 8);
    for (let i = 0; i < 3; i++) await runner.step(100);
    expect(down.last).toBe(4); // min(10, 5, 8) - 1
    clock.now = 3000;
    reader.push(0, 20);
    reader.push(1, 20);
    await runner.step(100);
    await runner.step(100);
    expect(down.last).toBe(7); // split 2 (8 s) holds it back
    clock.now = 4999;
    expect(await runner.step(100)).toBe('idle');
    expect(down.last).toBe(7);
    clock.now = 5000; // split 2 has been silent for 5 s: left out
    expect(await runner.step(100)).toBe('idle');
    expect(down.last).toBe(19);
    // Split 2 comes back behind the others: counted again, the watermark holds (never moves back).
    reader.push(2, 12);
    reader.push(0, 30);
    reader.push(1, 30);
    for (let i = 0; i < 3; i++) await runner.step(100);
    expect(down.last).toBe(19);
    reader.push(2, 25);
    await runner.step(100);
    expect(down.last).toBe(24);
    expect(down.watermarks.every((w, i) => i === 0 || w > down.watermarks[i - 1]!)).toBe(true);
  });

  it('a split that never sent anything holds the watermark back only until the timeout', async () => {
    const { runner, reader, down, clock } = setup({ with: `'scan.watermark.idle-timeout' = '2 s'` });
    reader.push(0, 10);
    reader.push(1, 12);
    await runner.step(100);
    await runner.step(100);
    expect(down.last).toBe(null);
    clock.now = 1000;
    reader.push(0, 11); // split 0 and 1 active again at 1 s; split 2 silent since 0
    await runner.step(100);
    clock.now = 2000;
    await runner.step(100);
    expect(down.last).toBe(10); // min(11, 12) - 1
  });

  it('all splits idle: the watermark jumps to the largest event time, then follows processing time', async () => {
    const { runner, reader, down, clock } = setup({ with: `'scan.watermark.idle-timeout' = '1 s'` });
    reader.push(0, 10);
    reader.push(1, 14);
    reader.push(2, 12);
    for (let i = 0; i < 3; i++) await runner.step(100);
    expect(down.last).toBe(9);
    clock.now = 999;
    await runner.step(100);
    expect(down.last).toBe(9);
    clock.now = 1000;
    await runner.step(100);
    expect(down.last).toBe(14); // largest event time seen, delay waived
    clock.now = 2500;
    await runner.step(100);
    expect(down.last).toBe(15.5);
    // A record arrives (late or not, the operators decide): the advance stops, nothing moves back.
    clock.now = 3000;
    reader.push(1, 15);
    await runner.step(100);
    expect(down.rows).toBe(4);
    expect(down.last).toBe(15.5);
    clock.now = 3500;
    await runner.step(100);
    expect(down.last).toBe(15.5); // split 1 active: the watermark follows it again (14 - 1 < 15.5)
    // Idle again 1 s after that record: jump to max(largest event time, current) and advance from there.
    clock.now = 4000;
    await runner.step(100);
    expect(down.last).toBe(15.5);
    clock.now = 4200;
    await runner.step(100);
    expect(down.last).toBe(15.7);
  });

  it('while the reader says records are on their way (broker reconnecting), idle time does not advance the watermark', async () => {
    const { runner, reader, down, clock } = setup({ with: `'scan.watermark.idle-timeout' = '1 s'` });
    reader.push(0, 10);
    reader.push(1, 10);
    reader.push(2, 10);
    for (let i = 0; i < 3; i++) await runner.step(100);
    clock.now = 5000;
    reader.pushIdle(true);
    expect(await runner.step(100)).toBe('waiting'); // not idle input, for --until-idle
    expect(down.last).toBe(9);
    clock.now = 6000;
    await runner.step(100); // plain idle now: the all-idle advance starts
    expect(down.last).toBe(10);
    clock.now = 7000;
    await runner.step(100);
    expect(down.last).toBe(11);
    clock.now = 9000;
    reader.pushIdle(true); // away again: the advance pauses where it is
    await runner.step(100);
    expect(down.last).toBe(11);
    clock.now = 20000;
    reader.pushIdle(true);
    await runner.step(100);
    expect(down.last).toBe(11);
    clock.now = 20500; // back, still nothing: the time away was not idleness, so splits are active again
    await runner.step(100);
    expect(down.last).toBe(11);
    clock.now = 21000; // idle for the timeout again: the advance resumes from where it paused
    await runner.step(100);
    expect(down.last).toBe(11);
    clock.now = 21500;
    await runner.step(100);
    expect(down.last).toBe(11.5);
  });

  it('a broker outage longer than the idle timeout does not let the first partition back make the others late', async () => {
    const { runner, reader, down, clock } = setup({ with: `'scan.watermark.idle-timeout' = '1 s'` });
    reader.push(0, 10);
    reader.push(1, 10);
    reader.push(2, 10);
    for (let i = 0; i < 3; i++) await runner.step(100);
    expect(down.last).toBe(9);
    for (const t of [2000, 10_000, 50_000]) {
      clock.now = t;
      reader.pushIdle(true); // broker away for 50 s, far beyond the timeout
      await runner.step(100);
    }
    clock.now = 50_010;
    reader.push(0, 60); // partition 0's backlog arrives first
    await runner.step(100);
    // Partitions 1 and 2 were not idle, only unreachable: they still hold the watermark at 9.
    expect(down.last).toBe(9);
  });

  it("'off', '0', the job setting and the default", async () => {
    expect(setup({ with: `'scan.watermark.idle-timeout' = 'off'` }).runner.idleTimeoutMs).toBe(0);
    expect(setup({ with: `'scan.watermark.idle-timeout' = '0'` }).runner.idleTimeoutMs).toBe(0);
    expect(setup({ settings: { 'table.exec.source.idle-timeout': '750 ms' } }).runner.idleTimeoutMs).toBe(
      750,
    );
    expect(
      setup({
        with: `'scan.watermark.idle-timeout' = '2 s'`,
        settings: { 'table.exec.source.idle-timeout': '750 ms' },
      }).runner.idleTimeoutMs,
    ).toBe(2000);
    expect(setup().runner.idleTimeoutMs).toBe(DEFAULT_IDLE_TIMEOUT_MS);
    expect(setup({ bounded: true }).runner.idleTimeoutMs).toBe(0);
    expect(() => setup({ with: `'scan.watermark.idle-timeout' = 'soon'` })).toThrow(
      /idle\.sql:2:\d+: option 'scan.watermark.idle-timeout' of table 't': 'soon' is not a duration/s,
    );
    expect(() => setup({ settings: { 'table.exec.source.idle-timeout': 'x' } })).toThrow(
      /setting 'table.exec.source.idle-timeout': 'x' is not a duration/,
    );
  });

  it('switched off: an idle split holds the watermark forever', async () => {
    const { runner, reader, down, clock } = setup({ with: `'scan.watermark.idle-timeout' = 'off'` });
    reader.push(0, 10);
    reader.push(1, 20);
    reader.push(2, 20);
    for (let i = 0; i < 3; i++) await runner.step(100);
    reader.push(1, 30);
    reader.push(2, 30);
    clock.now = 3_600_000;
    for (let i = 0; i < 4; i++) await runner.step(100);
    expect(down.last).toBe(9);
  });
});

describe('SourceRunner checkpoint state', () => {
  it('restores per-split watermarks by split name, whatever order the reader lists splits in after a restart', async () => {
    const a = setup({ with: `'scan.watermark.idle-timeout' = 'off'` });
    a.reader.push(0, 50);
    a.reader.push(1, 20);
    a.reader.push(2, 30);
    for (let i = 0; i < 3; i++) await a.runner.step(100);
    expect(a.down.last).toBe(19);
    const state = JSON.parse(JSON.stringify(a.runner.snapshot()));

    // After the restart the reader lists t/2 first (e.g. a partition discovered mid-run, now sorted in).
    const b = setup({ with: `'scan.watermark.idle-timeout' = 'off'` });
    b.reader.splits = [b.reader.splits[2]!, b.reader.splits[0]!, b.reader.splits[1]!];
    b.runner.restore(state);
    b.reader.push(2, 25); // now t/1, the slowest split: at 20 → 25
    await b.runner.step(100);
    // min(t/0 = 49, t/1 = 24, t/2 = 29): had t/1 been given t/2's 29 it would read 28 or more.
    expect(b.down.last).toBe(24);
  });

  it('a restored source that is all idle still closes its windows (the largest event time is in the checkpoint)', async () => {
    const a = setup({ with: `'scan.watermark.idle-timeout' = '1 s'`, splits: 1 });
    a.reader.push(0, 10, 12);
    await a.runner.step(100);
    expect(a.down.last).toBe(11);
    const state = JSON.parse(JSON.stringify(a.runner.snapshot()));

    const b = setup({ with: `'scan.watermark.idle-timeout' = '1 s'`, splits: 1 });
    b.runner.restore(state);
    b.clock.now = 0;
    await b.runner.step(100);
    b.clock.now = 1000; // idle for the timeout: jumps to the largest event time seen before the restart
    await b.runner.step(100);
    expect(b.down.last).toBe(12);
    b.clock.now = 3000;
    await b.runner.step(100);
    expect(b.down.last).toBe(14);
  });
});
