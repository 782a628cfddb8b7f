// A filesystem table as a lookup join's right side: read whole, indexed by the key columns, read
// again when the file changes (checked at most once a second) or when 'lookup.join.cache.ttl' passes.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLookupReader } from '../../connectors/filesystem/lookup.js';
import { OptionBag } from '../../engine/options.js';
import { getFormat } from '../../engine/formats/registry.js';
import { T } from '../../engine/types.js';

function reader(dir: string, now: () => number, ttlMs = 3_600_000): FileLookupReader {
  const ctx = {
    table: 'accounts',
    tablePos: { file: 'job.sql', line: 1, col: 1 },
    options: OptionBag.of({ 'csv.field-delimiter': ';' }),
    physical: [
      { name: 'id', type: T.bigint() },
      { name: 'owner', type: T.string() },
    ],
    settings: new Map<string, string>(),
    cwd: dir,
    format: getFormat('csv')!,
  };
  return new FileLookupReader(ctx, 'accounts.csv', [0], ttlMs, now);
}

describe('filesystem lookup table', () => {
  it('answers every row of a key (none for a missing or NULL key), and reads the file again when it changes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-lookup-'));
    writeFileSync(join(dir, 'accounts.csv'), '1;alice\n3;carol\n3;carol-bis\n');
    let now = 1_000_000;
    const r = reader(dir, () => now);
    await r.open();
    expect(await r.lookupMany([[1], [3], [2], [null]])).toEqual([
      [[1, 'alice']],
      [
        [3, 'carol'],
        [3, 'carol-bis'],
      ],
      [],
      [],
    ]);
    writeFileSync(join(dir, 'accounts.csv'), '1;alice-renamed\n2;bob\n');
    now += 500; // within a second of the last check: not looked at yet
    expect(await r.lookup([2])).toEqual([]);
    now += 600;
    expect(await r.lookup([2])).toEqual([[2, 'bob']]);
    expect(await r.lookup([1])).toEqual([[1, 'alice-renamed']]);
    expect(r.loads).toBe(2);
  });

  it("reads the file again when 'lookup.join.cache.ttl' has passed", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-lookup-'));
    writeFileSync(join(dir, 'accounts.csv'), '1;alice\n');
    let now = 0;
    const r = reader(dir, () => now, 10_000);
    await r.open();
    now = 10_000;
    await r.lookup([1]);
    expect(r.loads).toBe(2);
  });
});
