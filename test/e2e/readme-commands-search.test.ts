// Issue 21: the README's search-node lines ("Writing to Elasticsearch or OpenSearch") as written,
// against the test OpenSearch rig — a file of its own so the node's start-up runs beside the other
// README lines (readme-commands.test.ts) instead of after them. The job's 'hosts' (localhost:9200,
// where `npm run search -- --port 9200` listens) is pointed at the rig's port in the jobs/ copy.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { openSearchForTests, type OpenSearchRig } from '../rig/opensearch.js';
import { SEARCH_LINES, cleanUp, sh, workspace } from './readme-lines.js';

afterAll(cleanUp);

describe('README command lines against a search node', () => {
  let rig: OpenSearchRig | null = null;
  beforeAll(async () => {
    rig = await openSearchForTests();
  }, 180_000);
  afterAll(async () => {
    await rig?.stop();
  });

  it('generate --format json, then run spending_pattern_es.sql into the node', async (ctx: TestContext) => {
    if (!rig) ctx.skip();
    const ws = workspace();
    const job = join(ws.dir, 'jobs', 'spending_pattern_es.sql');
    const text = readFileSync(job, 'utf8');
    expect(text).toContain("'hosts' = 'http://localhost:9200'");
    writeFileSync(job, text.replace("'hosts' = 'http://localhost:9200'", `'hosts' = '${rig!.url}'`));
    for (const line of SEARCH_LINES) {
      const r = await sh(line, ws);
      expect(r.code, r.out).toBe(0);
    }
    // What the README's curl line shows: the job's documents in the index.
    await fetch(`${rig!.url}/spending-pattern/_refresh`, { method: 'POST' });
    const count = (await (await fetch(`${rig!.url}/spending-pattern/_count`)).json()) as { count: number };
    expect(count.count).toBeGreaterThan(0);
  }, 120_000);
});
