import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../connectors/filesystem/source.js';
import { recordTexts, type PollResult } from '../../connectors/api.js';

async function drain(src: FileSource, max: number): Promise<string[]> {
  const events: string[] = [];
  for (;;) {
    const r: PollResult = await src.poll(max);
    if (r.kind === 'end') return events;
    if (r.kind === 'batch')
      events.push(
        `batch ${src.splits[r.batch.split]!.name} ${recordTexts(r.batch.values!, r.batch.count).join('|')} @${Array.from(r.batch.positions).join(',')}`,
      );
    if (r.kind === 'split-end') events.push(`end ${src.splits[r.split]!.name}`);
  }
}

describe('FileSource', () => {
  it('takes turns over the files of a directory and reports each end right after its last lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsrc-'));
    writeFileSync(join(dir, 'a.csv'), 'a1\na2\n');
    writeFileSync(join(dir, 'b.csv'), 'b1\nb2\nb3\r\nb4'); // CRLF and no final newline
    writeFileSync(join(dir, '.hidden'), 'x\n');
    const src = new FileSource(dir, dir, 't');
    await src.open();
    expect(await drain(src, 2)).toEqual([
      'batch a.csv a1|a2 @1,2',
      'batch b.csv b1|b2 @1,2',
      'end a.csv',
      'batch b.csv b3|b4 @3,4',
      'end b.csv',
    ]);
  });

  it("drops a UTF-8 byte order mark at a file's start (not part of the first value), keeps one elsewhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsrc-'));
    writeFileSync(join(dir, 'a.csv'), '\uFEFFa1;x\n\uFEFFa2\n');
    const src = new FileSource(dir, dir, 't');
    await src.open();
    expect(await drain(src, 5)).toEqual(['batch a.csv a1;x|\uFEFFa2 @1,2', 'end a.csv']);
  });

  it('keeps a line break inside a quoted CSV field in its record (numbered by its first line), across reads and restores', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsrc-'));
    const text = 'a,"x\ny",1\nb,"he said ""hi""\r\nthen\nleft",2\nc,3\nd,"open\nto the end';
    writeFileSync(join(dir, 'a.csv'), text);
    const src = new FileSource(dir, dir, 't', '"');
    await src.open();
    expect(await drain(src, 10)).toEqual([
      'batch a.csv a,"x\ny",1|b,"he said ""hi""\r\nthen\nleft",2|c,3|d,"open\nto the end @1,3,6,7',
      'end a.csv',
    ]);
    // Positions count physical lines, so a restore skips whole records.
    const first = new FileSource(dir, dir, 't', '"');
    await first.open();
    const r = await first.poll(2);
    expect(r.kind).toBe('batch');
    const again = new FileSource(dir, dir, 't', '"');
    again.seek(first.positions());
    await again.open();
    expect(await drain(again, 10)).toEqual(['batch a.csv c,3|d,"open\nto the end @6,7', 'end a.csv']);
    // Without a quote character (other formats) every line is a record.
    const plain = new FileSource(dir, dir, 't');
    await plain.open();
    expect((await drain(plain, 20))[0]).toBe(
      'batch a.csv a,"x|y",1|b,"he said ""hi""|then|left",2|c,3|d,"open|to the end @1,2,3,4,5,6,7,8',
    );
  });

  it('resumes at the saved line of each file and the saved turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fsrc-'));
    writeFileSync(join(dir, 'a.csv'), 'a1\na2\na3\n');
    writeFileSync(join(dir, 'b.csv'), 'b1\nb2\nb3\n');
    const first = new FileSource(dir, dir, 't');
    await first.open();
    await first.poll(2);
    const saved = first.positions();
    expect(saved).toEqual({ '#turn': 1, 'a.csv': 2, 'b.csv': 0 });
    const again = new FileSource(dir, dir, 't');
    again.seek(saved);
    await again.open();
    expect(await drain(again, 2)).toEqual([
      'batch b.csv b1|b2 @1,2',
      'batch a.csv a3 @3',
      'batch b.csv b3 @3',
      'end a.csv',
      'end b.csv',
    ]);
  });
});
