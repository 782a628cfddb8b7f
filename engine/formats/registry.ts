// The record formats a table can name in 'format' = '...'.

import type { FormatDefinition } from './api.js';
import { csvFormat } from './csv.js';
import { jsonFormat } from './json.js';
import { rawFormat } from './raw.js';

/**
 * What RecordDecoder.decode returns for a line to skip silently (a blank line, a `#` comment with
 * 'csv.allow-comments'): not a success (nothing was decoded), not an error (nothing to count).
 * Compare with ===; no real reason starts with a NUL character.
 */
export const SKIP_RECORD = '\u0000skip';

/** Every format name, for "did you mean" hints. */
export const FORMAT_NAMES: readonly string[] = ['csv', 'json', 'raw'];

export function getFormat(name: string): FormatDefinition | undefined {
  // A switch rather than a module-level map: csv.ts and json.ts import SKIP_RECORD from here, and a
  // map built while this module loads would read them before they exist when they are loaded first.
  switch (name) {
    case 'csv':
      return csvFormat;
    case 'json':
      return jsonFormat;
    case 'raw':
      return rawFormat;
    default:
      return undefined;
  }
}
