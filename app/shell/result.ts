// A bare SELECT's result in the shell: the sink the engine writes its changes into
// (BuildOptions.selectSink), and the three ways Flink's SQL client shows them
// ('sql-client.execution.result-mode'):
//   table     a live table of the current result, redrawn in place: +I/+U add a row, -U/-D take
//             one back (as Flink's materialized table mode);
//   changelog a live view of the latest changes, each with its op (+I, -U, +U, -D);
//   tableau   a table printed as the changes come, one line each, with an op column. Also what
//             a stdout that is not a terminal gets, whatever the mode: a plain streamed table.

import type { SinkWriter } from '../../connectors/api.js';
import {
  INSERT,
  ROW_KIND_SHORT,
  isAccumulate,
  type Row,
  type RowKind,
  type Schema,
} from '../../engine/types.js';
import type { SqlType } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';
import { printable } from '../../engine/errors.js';

export type ResultMode = 'table' | 'changelog' | 'tableau';
export const RESULT_MODES: readonly ResultMode[] = ['table', 'changelog', 'tableau'];

/** One change as shown: its kind and the row's values as text. */
export interface Change {
  readonly kind: RowKind;
  readonly cells: readonly string[];
}

/** What receives a SELECT's changes as the job flushes them. */
export interface ResultView {
  apply(changes: readonly Change[]): void;
  /** The query ended: 'finished' (its input is complete), 'stopped' (Ctrl-C) or 'failed'. */
  end(how: 'finished' | 'stopped' | 'failed'): void;
}

const NULL_TEXT = '<NULL>';

/** The engine's sink for a bare SELECT: every kind of change, handed to the view at each flush. */
export class ResultSink implements SinkWriter {
  readonly accepts = 'all';
  rowsWritten = 0;
  readonly pending = 0;

  constructor(
    private readonly schema: Schema,
    private readonly view: ResultView,
  ) {}

  /**
   * Hands the changes to the view at once: the runtime writes after every source batch but
   * flushes only when much is pending or at the end, and the live table must move with the batches.
   */
  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    const changes = rows.map((r, k) => ({
      kind: kinds?.[k] ?? INSERT,
      // Values from the input are shown as text with control characters escaped: a record must
      // not move the cursor of the live table.
      cells: r.map((v, i) => printable(valueToText(v, this.schema[i]!.type) ?? NULL_TEXT)),
    }));
    this.rowsWritten += changes.length;
    if (changes.length > 0) this.view.apply(changes);
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {}

  describe(): string {
    return `${this.rowsWritten} change${this.rowsWritten === 1 ? '' : 's'} → the shell`;
  }
}

/** Where views write, and how big the screen is (a terminal's, or unlimited). */
export interface Screen {
  write(text: string): void;
  readonly isTTY: boolean;
  /** Rows and columns of the terminal; undefined when not a terminal. */
  size(): { rows: number; columns: number } | undefined;
}

/** Longest cell shown in the live views; longer values end in '…'. */
const MAX_CELL = 40;

function clip(s: string, width: number): string {
  return s.length <= width ? s : s.slice(0, Math.max(0, width - 1)) + '…';
}

/** A boxed table as Flink's client prints it: header, rows right-aligned, borders. */
export function boxTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const border = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  const line = (cells: readonly string[]) =>
    '|' + widths.map((w, i) => ' ' + (cells[i] ?? '').padStart(w) + ' ').join('|') + '|';
  return [border, line(header), border, ...rows.map(line), border];
}

/**
 * The live views (table and changelog modes): the result is drawn below the prompt and redrawn in
 * place (the cursor goes back up over the last drawing), at most every `intervalMs`, with as many
 * of the latest rows as the terminal has room for.
 */
export class LiveView implements ResultView {
  private readonly table = new Materialized();
  private readonly log: string[][] = [];
  private changes = 0;
  private drawnLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly ticker: NodeJS.Timeout;
  private state = 'running — Ctrl-C or q stops the query';
  private readonly started = Date.now();

  constructor(
    private readonly names: readonly string[],
    private readonly mode: 'table' | 'changelog',
    private readonly screen: Screen,
    private readonly intervalMs = 100,
  ) {
    this.draw();
    // The status line's clock moves while nothing arrives, so a quiet query does not look stuck.
    this.ticker = setInterval(() => this.draw(), 1000);
    this.ticker.unref();
  }

  apply(changes: readonly Change[]): void {
    for (const c of changes) {
      this.changes++;
      if (this.mode === 'changelog') this.log.push([ROW_KIND_SHORT[c.kind]!, ...c.cells]);
      else if (isAccumulate(c.kind)) this.table.add(c.cells);
      else this.table.remove(c.cells);
    }
    // The changelog view keeps what it can show and a margin.
    if (this.log.length > 10_000) this.log.splice(0, this.log.length - 1000);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, this.intervalMs);
  }

  end(how: 'finished' | 'stopped' | 'failed'): void {
    if (this.timer) clearTimeout(this.timer);
    clearInterval(this.ticker);
    this.timer = undefined;
    this.state = how === 'finished' ? 'finished: the input is complete' : how;
    this.draw();
  }

  private draw(): void {
    const size = this.screen.size() ?? { rows: 40, columns: 200 };
    // Room for the borders, the header, the status line and the prompt that follows.
    const room = Math.max(1, size.rows - 7);
    const shown = this.mode === 'table' ? this.table.last(room) : this.log.slice(-room);
    const total = this.mode === 'table' ? this.table.size : this.changes;
    const header = this.mode === 'changelog' ? ['op', ...this.names] : [...this.names];
    const lines = boxTable(
      header,
      shown.map((r) => r.map((c) => clip(c, MAX_CELL))),
    );
    const secs = ((Date.now() - this.started) / 1000).toFixed(1);
    const hidden = total - shown.length;
    const received = `${this.changes} change${this.changes === 1 ? '' : 's'} received`;
    const rows = `${total} row${total === 1 ? '' : 's'}`;
    const tail = hidden > 0 ? ` (the last ${shown.length} shown)` : '';
    const count = this.mode === 'table' ? `${rows}${tail}, ${received}` : `${received}${tail}`;
    lines.push(`${count}, ${secs} s — ${this.state}`);
    const out = lines.map((l) => clip(l, size.columns - 1));
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A\r` : '\r';
    this.screen.write(up + '\x1b[J' + out.join('\n') + '\n');
    this.drawnLines = out.length;
  }
}

/**
 * The current result of a changelog, as Flink's materialized result: rows in arrival order; -U and
 * -D take back the latest equal row, found in a map of each row's positions (a running aggregate
 * sends a -U per record: a scan of the table for each would be quadratic).
 */
export class Materialized {
  private rows: (readonly string[] | null)[] = [];
  private readonly at = new Map<string, number[]>();
  size = 0;

  add(cells: readonly string[]): void {
    const key = cells.join('\u0000');
    const list = this.at.get(key);
    if (list) list.push(this.rows.length);
    else this.at.set(key, [this.rows.length]);
    this.rows.push(cells);
    this.size++;
  }

  remove(cells: readonly string[]): void {
    const key = cells.join('\u0000');
    const list = this.at.get(key);
    if (!list) return;
    this.rows[list.pop()!] = null;
    if (list.length === 0) this.at.delete(key);
    this.size--;
    // Holes are dropped once they are most of the array.
    if (this.rows.length > 1024 && this.size < this.rows.length / 2) {
      const live = this.rows.filter((r): r is readonly string[] => r !== null);
      this.rows = [];
      this.at.clear();
      this.size = 0;
      for (const r of live) this.add(r);
    }
  }

  /** The latest `n` rows, oldest first. */
  last(n: number): (readonly string[])[] {
    const out: (readonly string[])[] = [];
    for (let i = this.rows.length - 1; i >= 0 && out.length < n; i--) {
      const r = this.rows[i];
      if (r) out.push(r);
    }
    return out.reverse();
  }
}

/** Tableau mode and non-terminal output: each change printed as it comes, widths from the types. */
export class TableauView implements ResultView {
  private readonly widths: number[];
  private count = 0;
  private headerDone = false;

  constructor(
    private readonly names: readonly string[],
    types: readonly SqlType[],
    private readonly screen: Screen,
  ) {
    this.widths = [2, ...names.map((n, i) => Math.max(n.length, typeWidth(types[i]!)))];
  }

  private border(): string {
    return '+' + this.widths.map((w) => '-'.repeat(w + 2)).join('+') + '+';
  }

  private line(cells: readonly string[]): string {
    return '|' + this.widths.map((w, i) => ' ' + clip(cells[i] ?? '', w).padStart(w) + ' ').join('|') + '|';
  }

  private header(): void {
    if (this.headerDone) return;
    this.headerDone = true;
    this.screen.write([this.border(), this.line(['op', ...this.names]), this.border()].join('\n') + '\n');
  }

  apply(changes: readonly Change[]): void {
    this.header();
    this.count += changes.length;
    this.screen.write(changes.map((c) => this.line([ROW_KIND_SHORT[c.kind]!, ...c.cells])).join('\n') + '\n');
  }

  end(how: 'finished' | 'stopped' | 'failed'): void {
    if (this.count === 0 && how !== 'failed') {
      this.screen.write('Empty set\n');
      return;
    }
    if (this.headerDone) this.screen.write(this.border() + '\n');
    const total = `Received a total of ${this.count} row${this.count === 1 ? '' : 's'}`;
    this.screen.write(how === 'stopped' ? `${total} (query stopped)\n` : `${total}\n`);
  }
}

/** Column width for a type in tableau mode, as Flink sizes it from the type (long strings are cut). */
function typeWidth(t: SqlType): number {
  switch (t.name) {
    case 'BOOLEAN':
      return 6;
    case 'TINYINT':
      return 4;
    case 'SMALLINT':
      return 6;
    case 'INT':
      return 11;
    case 'BIGINT':
      return 20;
    case 'FLOAT':
    case 'DOUBLE':
      return 12;
    case 'DECIMAL':
      return (t.precision ?? 10) + 2;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return 23;
    default:
      return 20;
  }
}
