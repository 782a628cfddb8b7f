// A table's WITH options, read the way Arroyo reads them: each read takes the key out of the bag
// and checks its type, naming the option in errors; whatever is left at the end was not understood
// by anyone and is rejected with a "did you mean".

import { OptionError, didYouMean, type SourcePos } from './errors.js';
import { DURATION_UNIT_MS } from './time/units.js';

export interface OptionEntry {
  readonly value: string;
  /** Where the key is written, for messages. */
  readonly pos?: SourcePos;
}

export class OptionBag {
  private readonly left: Map<string, OptionEntry>;
  private readonly read = new Set<string>();

  constructor(
    private readonly all: ReadonlyMap<string, OptionEntry>,
    /** e.g. "table 'transactions'" */
    private readonly owner: string,
    private readonly ownerPos?: SourcePos,
  ) {
    this.left = new Map(all);
  }

  static of(entries: Record<string, string>, owner = 'options'): OptionBag {
    return new OptionBag(new Map(Object.entries(entries).map(([k, v]) => [k, { value: v }])), owner);
  }

  has(key: string): boolean {
    return this.all.has(key);
  }

  /** Reads an optional string option. */
  optionalString(key: string): string | undefined {
    this.read.add(key);
    const e = this.all.get(key);
    this.left.delete(key);
    return e?.value;
  }

  string(key: string, fallback?: string): string {
    const v = this.optionalString(key);
    if (v !== undefined) return v;
    if (fallback !== undefined) return fallback;
    throw new OptionError(
      this.ownerPos,
      `${this.owner} needs option '${key}'`,
      `add '${key}' = '...' to its WITH clause`,
    );
  }

  /** Reads an option whose value must be one of `choices`. */
  oneOf<C extends string>(key: string, choices: readonly C[], fallback?: C): C {
    const v = fallback === undefined ? this.string(key) : this.string(key, fallback);
    if ((choices as readonly string[]).includes(v)) return v as C;
    throw this.bad(key, `'${v}' is not one of ${choices.map((c) => `'${c}'`).join(', ')}`);
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.optionalString(key);
    if (v === undefined) return fallback;
    const l = v.toLowerCase();
    if (l === 'true') return true;
    if (l === 'false') return false;
    throw this.bad(key, `'${v}' is not a boolean`, `write 'true' or 'false'`);
  }

  int(key: string, fallback: number): number {
    const v = this.optionalString(key);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v.trim())) throw this.bad(key, `'${v}' is not a whole number`);
    return Number(v);
  }

  /** Reads a single character (e.g. a delimiter); accepts '\t' written as a backslash escape. */
  char(key: string, fallback: string): string {
    let v = this.optionalString(key);
    if (v === undefined) return fallback;
    if (v === '\\t') v = '\t';
    if (v.length !== 1) throw this.bad(key, `'${v}' is not a single character`, `write e.g. '${key}' = ';'`);
    return v;
  }

  /** Reads a duration like '10s', '500 ms', '2 min', '1h' (Flink's duration syntax) into milliseconds. */
  durationMs(key: string, fallbackMs: number): number {
    const v = this.optionalString(key);
    if (v === undefined) return fallbackMs;
    const ms = parseDurationMs(v);
    if (ms === null)
      throw this.bad(key, `'${v}' is not a duration`, `write e.g. '10 s', '500 ms', '2 min' or '1 h'`);
    return ms;
  }

  /** Keys with a prefix, e.g. every 'properties.*' option; all of them count as read. */
  withPrefix(prefix: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, e] of this.all) {
      if (k.startsWith(prefix)) {
        out.set(k.slice(prefix.length), e.value);
        this.left.delete(k);
        this.read.add(k);
      }
    }
    return out;
  }

  /** Marks options as understood without reading them (e.g. ones only Flink uses). */
  accept(...keys: string[]): void {
    for (const k of keys) {
      this.left.delete(k);
      this.read.add(k);
    }
  }

  /**
   * A table no query reads or writes: its connector never opens, so nobody reads its options, and
   * they are not checked (as in Flink, which checks a table's options when a query uses it).
   */
  skipUnused(): void {
    this.left.clear();
  }

  /** Rejects any option nobody read. Call once every reader (connector, format) is done. */
  finish(): void {
    for (const [key, e] of this.left) {
      const guess = didYouMean(
        key,
        [...this.read].filter((k) => !this.all.has(k)),
      );
      throw new OptionError(
        e.pos ?? this.ownerPos,
        `unknown option '${key}' in the WITH clause of ${this.owner}`,
        guess
          ? `did you mean '${guess}'?`
          : `remove it; see the README for the options each connector and format takes`,
      );
    }
  }

  /** The error for a bad value of `key`, placed where the key is written (connectors' own checks use it too). */
  bad(key: string, problem: string, hint?: string): OptionError {
    return new OptionError(
      this.all.get(key)?.pos ?? this.ownerPos,
      `option '${key}' of ${this.owner}: ${problem}`,
      hint,
    );
  }
}

/** '10s', '10 s', '500ms', '2 min', '1h', '1500' (ms) -> milliseconds, or null. */
/** A duration that can be switched off: 0 for '0', 'off', 'false' or 'none'; null when not a duration. */
export function parseDurationOrOffMs(text: string): number | null {
  return ['off', 'false', 'none'].includes(text.trim().toLowerCase()) ? 0 : parseDurationMs(text);
}

export function parseDurationMs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const unit = m[2]!.toLowerCase();
  const factor = unit === '' ? 1 : DURATION_UNIT_MS[unit];
  if (factor === undefined) return null;
  return Math.round(Number(m[1]) * factor);
}
