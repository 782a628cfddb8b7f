// The reference "floor" for bench case (a): jobs/laundering.sql's logic written by hand as one
// single-purpose Node program, to show how fast plain JS can do this exact job. The engine's speed
// is reported as a fraction of this one's, and its output must be identical (as sorted rows).
//
//   node dist/test/bench/floor-laundering.js <input.csv> <output.csv> [window minutes, default 10]
//
// (The window size is the one knob: bench case (i) runs the same job with 1-hour windows.)
//
// Same semantics as the job: records `<RFC 850 time>;sender;receiver;amount`, watermark = largest
// time so far − 5 s, 10-minute (or the given size) epoch-aligned tumbling windows per (sender, receiver) firing when the
// watermark reaches end − 1, records whose window already fired dropped as late, everything left
// fired at the end of the file; rows with SUM(amount) > 10000 written as
// `sender,receiver,window_start,window_end,total,transfers,amounts` (times `yyyy-MM-dd HH:mm:ss.SSS`
// UTC, amounts space-separated in arrival order, like LISTAGG).
//
// What makes it fast is only what any careful hand-written program would do: one pass over large
// chunks without splitting them into line strings, numbers parsed from char codes, the date part of
// the timestamp parsed once per day (a cached prefix), numeric map keys, the current window's map
// kept at hand.

import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const DELAY_MS = 5_000;
const THRESHOLD = 10_000;
const CHUNK_BYTES = 1 << 20;
const HEADER = 'sender,receiver,window_start,window_end,total,transfers,amounts';
const KEY_SHIFT = 2 ** 26;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE_PREFIX = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) $/;

class Acc {
  sum = 0;
  count = 0;
  amounts = '';
  constructor(
    readonly sender: number,
    readonly receiver: number,
  ) {}
}

type WindowState = Map<number | string, Acc>;

class LaunderingFloor {
  recordsIn = 0;
  late = 0;
  rowsOut = 0;
  private maxTs = -Infinity;
  private watermark = -Infinity;
  private readonly windows = new Map<number, WindowState>();
  /** Open window starts, ascending (input is nearly ordered, so this stays tiny). */
  private readonly openStarts: number[] = [];
  private curStart = NaN;
  private curState: WindowState | null = null;
  private prefix = '\u0000';
  private prefixDayMs = 0;

  constructor(
    private readonly outFd: number,
    private readonly windowMs: number,
  ) {
    writeSync(outFd, HEADER + '\n');
  }

  /** Processes every complete line of `text`; returns where the unfinished last line starts. */
  processText(text: string): number {
    let at = 0;
    for (;;) {
      const nl = text.indexOf('\n', at);
      if (nl < 0) return at;
      let end = nl;
      if (end > at && text.charCodeAt(end - 1) === 13) end--;
      if (end > at) this.processLine(text, at, end, this.recordsIn + 1);
      at = nl + 1;
    }
  }

  processLine(text: string, start: number, end: number, lineNo: number): void {
    const s1 = text.indexOf(';', start);
    const s2 = s1 < 0 ? -1 : text.indexOf(';', s1 + 1);
    const s3 = s2 < 0 ? -1 : text.indexOf(';', s2 + 1);
    if (s3 < 0 || s3 >= end) fail(lineNo, 'expected 4 fields separated by ;');
    const ts = this.parseTime(text, start, s1, lineNo);
    const sender = parseLong(text, s1 + 1, s2, lineNo);
    const receiver = parseLong(text, s2 + 1, s3, lineNo);
    const amount = parseLong(text, s3 + 1, end, lineNo);
    this.recordsIn++;

    const size = this.windowMs;
    const ws = ts - (((ts % size) + size) % size);
    if (ws + size - 1 <= this.watermark) {
      this.late++; // its only window already fired
    } else {
      let state = this.curState;
      if (ws !== this.curStart || state === null) state = this.windowFor(ws);
      const key =
        sender >= 0 && receiver >= 0 && sender < KEY_SHIFT && receiver < KEY_SHIFT
          ? sender * KEY_SHIFT + receiver
          : `${sender};${receiver}`;
      let acc = state.get(key);
      if (acc === undefined) {
        acc = new Acc(sender, receiver);
        state.set(key, acc);
        acc.amounts = String(amount);
      } else {
        acc.amounts += ' ' + amount;
      }
      acc.sum += amount;
      acc.count++;
    }

    if (ts > this.maxTs) {
      this.maxTs = ts;
      const wm = ts - DELAY_MS;
      if (wm > this.watermark) {
        this.watermark = wm;
        this.fireUpTo(wm);
      }
    }
  }

  finish(): void {
    this.fireUpTo(Infinity);
  }

  private windowFor(ws: number): WindowState {
    let state = this.windows.get(ws);
    if (state === undefined) {
      state = new Map();
      this.windows.set(ws, state);
      let i = this.openStarts.length;
      while (i > 0 && this.openStarts[i - 1]! > ws) i--;
      this.openStarts.splice(i, 0, ws);
    }
    this.curStart = ws;
    this.curState = state;
    return state;
  }

  private fireUpTo(wm: number): void {
    const size = this.windowMs;
    while (this.openStarts.length > 0 && this.openStarts[0]! + size - 1 <= wm) {
      const ws = this.openStarts.shift()!;
      const state = this.windows.get(ws)!;
      this.windows.delete(ws);
      if (ws === this.curStart) this.curState = null;
      const bounds = ',' + formatTimestamp(ws) + ',' + formatTimestamp(ws + size) + ',';
      let out = '';
      for (const acc of state.values()) {
        if (acc.sum > THRESHOLD) {
          out +=
            acc.sender + ',' + acc.receiver + bounds + acc.sum + ',' + acc.count + ',' + acc.amounts + '\n';
          this.rowsOut++;
        }
      }
      if (out !== '') writeSync(this.outFd, out);
    }
  }

  /** `EEEE, dd-MMM-yy HH:mm:ss z` with zone UTC or GMT; the date part is parsed once per day. */
  private parseTime(text: string, start: number, end: number, lineNo: number): number {
    const zoneSpace = text.lastIndexOf(' ', end);
    const timeStart = zoneSpace - 8;
    if (timeStart < start || !isUtcZone(text, zoneSpace + 1, end))
      fail(lineNo, `'${text.slice(start, end)}' is not an RFC 850 time in UTC`);
    if (timeStart - start !== this.prefix.length || !text.startsWith(this.prefix, start)) {
      const prefix = text.slice(start, timeStart);
      const m = DATE_PREFIX.exec(prefix);
      const month = m ? MONTHS.indexOf(m[2]!) : -1;
      if (!m || month < 0) fail(lineNo, `'${text.slice(start, end)}' is not an RFC 850 time`);
      this.prefix = prefix;
      this.prefixDayMs = Date.UTC(2000 + Number(m[3]), month, Number(m[1]));
    }
    const h = twoDigits(text, timeStart, lineNo);
    const mi = twoDigits(text, timeStart + 3, lineNo);
    const s = twoDigits(text, timeStart + 6, lineNo);
    return this.prefixDayMs + ((h * 60 + mi) * 60 + s) * 1000;
  }
}

function isUtcZone(text: string, from: number, to: number): boolean {
  if (to - from !== 3) return false;
  const z = (text.charCodeAt(from) << 16) | (text.charCodeAt(from + 1) << 8) | text.charCodeAt(from + 2);
  return z === ((85 << 16) | (84 << 8) | 67) /* UTC */ || z === ((71 << 16) | (77 << 8) | 84); /* GMT */
}

function twoDigits(text: string, at: number, lineNo: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) fail(lineNo, 'bad time of day');
  return a * 10 + b;
}

function parseLong(text: string, from: number, to: number, lineNo: number): number {
  let i = from;
  const neg = text.charCodeAt(i) === 45;
  if (neg) i++;
  if (i >= to) fail(lineNo, 'empty number');
  let n = 0;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) fail(lineNo, `'${text.slice(from, to)}' is not a whole number`);
    n = n * 10 + d;
  }
  return neg ? -n : n;
}

/** Epoch ms as `yyyy-MM-dd HH:mm:ss.SSS` UTC (years 0..9999). */
function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2017-07-23T00:10:00.000Z
  return iso.slice(0, 10) + ' ' + iso.slice(11, 23);
}

function fail(lineNo: number, reason: string): never {
  throw new Error(`record ${lineNo}: ${reason}`);
}

function main(argv: string[]): number {
  const minutes = argv.length === 3 ? Number(argv[2]) : 10;
  if (argv.length < 2 || argv.length > 3 || !Number.isInteger(minutes) || minutes < 1) {
    process.stderr.write(
      'usage: node dist/test/bench/floor-laundering.js <input.csv> <output.csv> [window minutes, default 10]\n',
    );
    return 2;
  }
  const [inPath, outPath] = argv as [string, string];
  const inFd = openSync(inPath, 'r');
  const outFd = openSync(outPath, 'w');
  const floor = new LaunderingFloor(outFd, minutes * 60_000);
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for (;;) {
    const n = readSync(inFd, buf, 0, CHUNK_BYTES, null);
    const text = n > 0 ? carry + decoder.write(buf.subarray(0, n)) : carry + decoder.end() + '\n';
    const rest = floor.processText(text);
    carry = text.slice(rest);
    if (n === 0) break;
  }
  floor.finish();
  closeSync(inFd);
  closeSync(outFd);
  process.stderr.write(
    `floor: read ${floor.recordsIn} records, ${floor.late} late, wrote ${floor.rowsOut} rows → ${outPath}\n`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
