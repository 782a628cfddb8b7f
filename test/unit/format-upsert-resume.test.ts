// upsert-kafka's key state on a resume (issue 20): a run resumed from a checkpoint's offsets reads
// the topic again up to them, so a key's first value after the checkpoint is -U/+U of the one
// before (as in an uninterrupted run), not +I; a tombstone after it is -D of that value.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectorContext, PollResult, SourceReader } from '../../connectors/api.js';
import { TOMBSTONE, TopicStore } from '../../connectors/embedded/topic-store.js';
import { upsertKafkaConnector } from '../../connectors/upsert-kafka/upsert-kafka.js';
import { getFormat } from '../../engine/formats/registry.js';
import { OptionBag } from '../../engine/options.js';
import { T } from '../../engine/types.js';

const KINDS = ['+I', '-U', '+U', '-D'];

function source(cwd: string): SourceReader {
  const ctx: ConnectorContext = {
    table: 'latest',
    tablePos: { line: 1, col: 1 } as ConnectorContext['tablePos'],
    options: OptionBag.of({ topic: 'latest', 'key.format': 'json', 'value.format': 'json' }),
    physical: [
      { name: 'id', type: T.bigint(false) },
      { name: 'v', type: T.string() },
    ],
    primaryKey: [0],
    settings: new Map(),
    cwd,
    format: getFormat('json')!,
  };
  return upsertKafkaConnector.createSource!(ctx);
}

async function drain(src: SourceReader): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const r: PollResult = await src.poll(100);
    if (r.kind !== 'batch') break;
    const b = r.batch;
    for (let i = 0; i < b.count; i++) {
      const row = b.rows![i];
      out.push(row ? `${KINDS[b.kinds![i]!]}[${row.join(', ')}]` : `bad: ${b.problems![i]}`);
    }
  }
  return out;
}

describe('upsert-kafka resumed from a checkpoint', () => {
  it('rebuilds the key state from the topic: the next value of a key is -U/+U, a tombstone -D', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fintrans-upsert-resume-'));
    const store = TopicStore.open(join(dir, '.fintrans'));
    store.createTopic('latest', 1);
    const rec = (id: number, v: string | null) => ({
      key: JSON.stringify({ id }),
      value: v === null ? TOMBSTONE : JSON.stringify({ id, v }), // value.fields-include ALL: the key fields too
      timestamp: 0,
    });
    store.append('latest', [rec(1, 'a'), rec(2, 'b'), rec(1, 'c')]);
    const first = source(dir);
    await first.open();
    expect(await drain(first)).toEqual(['+I[1, a]', '+I[2, b]', '-U[1, a]', '+U[1, c]']);
    const checkpoint = first.positions();
    await first.close();

    store.append('latest', [rec(1, 'd'), rec(2, null), rec(3, 'e')]);
    store.close();
    const resumed = source(dir);
    resumed.seek(checkpoint);
    await resumed.open();
    expect(await drain(resumed)).toEqual(['-U[1, c]', '+U[1, d]', '-D[2, b]', '+I[3, e]']);
    await resumed.close();
  });
});
