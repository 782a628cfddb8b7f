// UNIX_TIMESTAMP(s [, pattern]) reads its text as Flink 1.20 does: with java.text.SimpleDateFormat,
// lenient, in the session zone (UTC). That is looser than TO_TIMESTAMP's java.time patterns:
// - the text is read from its start and anything after the pattern is ignored ('... 00:55:22 extra');
// - a number field reads as many digits as there are (2017-7-3 5:5:5), unless the next field
//   follows without a separator (yyyyMMdd: then each reads its pattern's width), spaces before
//   a field are skipped, and values roll over (Feb 30 is March 2nd, 24:00:00 the next midnight);
// - `S` is a count of milliseconds ('.5' is 5 ms), a parsed zone or offset is applied;
// - text that does not match gives Java's Long.MIN_VALUE (the caller's business), not NULL.
// Letters: y M d H k K h m s S E a z Z X and quoted literals; other letters are refused
// (TimestampPatternError), as a pattern for TO_TIMESTAMP would be.

import { TimestampPatternError, ZONE_NAMES } from './java-pattern.js';
import { lenientEpochMs } from './lenient-timestamp.js';

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const HOUR_MS = 3_600_000;

type Piece =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number };

function tokenize(pattern: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === "'") {
      let text = '';
      i++;
      if (pattern[i] === "'") {
        pieces.push({ kind: 'literal', text: "'" });
        i++;
        continue;
      }
      for (;;) {
        if (i >= pattern.length) throw new TimestampPatternError(pattern, 'a quote is not closed');
        if (pattern[i] === "'") {
          if (pattern[i + 1] === "'") {
            text += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        text += pattern[i++];
      }
      pieces.push({ kind: 'literal', text });
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      if (!'yMdHkKhmsSEazZX'.includes(c)) {
        throw new TimestampPatternError(
          pattern,
          `unsupported letter '${c}' for UNIX_TIMESTAMP (supported: y M d H k K h m s S E a z Z X)`,
        );
      }
      pieces.push({ kind: 'field', letter: c, count: j - i });
      i = j;
    } else {
      pieces.push({ kind: 'literal', text: c });
      i++;
    }
  }
  return pieces;
}

function isNumeric(p: Piece | undefined): boolean {
  return (
    p !== undefined &&
    p.kind === 'field' &&
    ('ydHkKhmsS'.includes(p.letter) || (p.letter === 'M' && p.count <= 2))
  );
}

/** The longest name of `names` (lower case) that `text` has at `pos`, case-insensitively: [index, end] or null. */
function matchName(
  text: string,
  pos: number,
  names: readonly string[],
  short: boolean,
): [number, number] | null {
  let best: [number, number] | null = null;
  const lower = text.slice(pos, pos + 16).toLowerCase();
  names.forEach((full, i) => {
    for (const name of short ? [full, full.slice(0, 3)] : [full]) {
      if (lower.startsWith(name) && (best === null || name.length > best[1] - pos))
        best = [i, pos + name.length];
    }
  });
  return best;
}

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  hour12: number;
  pm: number;
  minute: number;
  second: number;
  milli: number;
  offset: number | null;
}

/**
 * A zone at `pos`: GMT/UTC with an optional offset, an RFC 822 or ISO offset (+0200, +02:00, +02),
 * 'Z', or a name from the `z` table; sets f.offset, returns the end or -1.
 */
function readZone(text: string, pos: number, f: Fields): number {
  const named = /^(?:GMT|UTC|UT)(?=[+-]|$|[^A-Za-z])/i.exec(text.slice(pos, pos + 3));
  let at = pos;
  if (named) {
    at += named[0].length;
    f.offset = 0;
    if (text[at] !== '+' && text[at] !== '-') return at;
  }
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?/.exec(text.slice(at));
  if (m) {
    const ms = (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
    if (ms > 18 * HOUR_MS) return -1;
    f.offset = m[1] === '-' ? -ms : ms;
    return at + m[0].length;
  }
  if (named) return at;
  for (const [name, offset] of ZONE_NAMES) {
    if (text.slice(pos, pos + name.length).toUpperCase() === name) {
      f.offset = offset;
      return pos + name.length;
    }
  }
  return -1;
}

/** SimpleDateFormat's two-digit year: within 80 years before and 20 after now. */
function twoDigitYear(yy: number): number {
  const now = new Date().getUTCFullYear();
  const start = now - 80;
  let y = Math.floor(start / 100) * 100 + yy;
  if (y < start) y += 100;
  return y;
}

/**
 * Compiles a SimpleDateFormat pattern into a lenient parser: text -> epoch ms (UTC unless the
 * text names a zone), or null where SimpleDateFormat.parse throws.
 */
export function compileLenientParser(pattern: string): (text: string) => number | null {
  const pieces = tokenize(pattern);
  return (text) => {
    const f: Fields = {
      year: 1970,
      month: 1,
      day: 1,
      hour: 0,
      hour12: -1,
      pm: -1,
      minute: 0,
      second: 0,
      milli: 0,
      offset: null,
    };
    let pos = 0;
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (p.kind === 'literal') {
        if (!text.startsWith(p.text, pos)) return null;
        pos += p.text.length;
        continue;
      }
      while (pos < text.length && (text[pos] === ' ' || text[pos] === '\t')) pos++;
      if (pos >= text.length) return null;
      if (isNumeric(p)) {
        // Abutting number fields (yyyyMMdd) read their pattern's width; otherwise every digit there is.
        const limit = isNumeric(pieces[i + 1]) ? pos + p.count : text.length;
        let end = pos;
        while (end < limit && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
        if (end === pos) return null;
        const value = Number(text.slice(pos, end));
        if (!Number.isSafeInteger(value) || value > 2147483647) return null;
        switch (p.letter) {
          case 'y':
            f.year = p.count <= 2 && end - pos === 2 ? twoDigitYear(value) : value;
            break;
          case 'M':
            f.month = value;
            break;
          case 'd':
            f.day = value;
            break;
          case 'H':
            f.hour = value;
            break;
          case 'k':
            f.hour = value === 24 ? 0 : value;
            break;
          case 'K':
            f.hour12 = value;
            break;
          case 'h':
            f.hour12 = value === 12 ? 0 : value;
            break;
          case 'm':
            f.minute = value;
            break;
          case 's':
            f.second = value;
            break;
          default: // S: milliseconds, as a plain count
            f.milli = value;
        }
        pos = end;
        continue;
      }
      switch (p.letter) {
        case 'M': {
          const m = matchName(text, pos, MONTHS, true);
          if (!m) return null;
          f.month = m[0] + 1;
          pos = m[1];
          break;
        }
        case 'E': {
          // The day of the week is read and left out: the date fields decide, as they are set last.
          const m = matchName(text, pos, DAYS, true);
          if (!m) return null;
          pos = m[1];
          break;
        }
        case 'a': {
          const m = matchName(text, pos, ['am', 'pm'], false);
          if (!m) return null;
          f.pm = m[0];
          pos = m[1];
          break;
        }
        default: {
          const end = readZone(text, pos, f);
          if (end < 0) return null;
          pos = end;
        }
      }
    }
    const hour = f.hour12 >= 0 ? f.hour12 + (f.pm === 1 ? 12 : 0) : f.hour;
    const ms = lenientEpochMs(f.year, f.month, f.day, hour, f.minute, f.second, f.milli) - (f.offset ?? 0);
    return Number.isFinite(ms) ? ms : null;
  };
}
