// Names for files kept aside rather than overwritten (an earlier output, a damaged checkpoint
// database, a savepoint): a time stamp that is valid in file names, and a name not taken yet.

import { existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

/** `2026-12-03T08-15-00Z`: the UTC time to the second, without characters file systems refuse. */
export function fileStamp(at: Date = new Date()): string {
  return at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
}

/** `path`, or `name-2.ext`, `name-3.ext`, … when it exists: a rename must never replace a kept file. */
export function unusedPath(path: string): string {
  const ext = extname(path);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? path : join(dirname(path), `${basename(path, ext)}-${n}${ext}`);
    if (!existsSync(candidate)) return candidate;
  }
}
