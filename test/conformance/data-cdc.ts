// Change data capture for the debezium-json conformance cases (issue 20): Debezium change events
// of an accounts table, as Debezium's connector writes them for a database table (snapshot reads,
// creates, updates with the whole old row, deletes, an id created again after its delete), in
// time order, from before the dcos data set's first transfer to after its last.

import { mulberry32 } from '../prng.js';
import type { DataSet } from './data.js';

const TIERS = ['low', 'medium', 'high'];
const OWNERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

interface Account {
  id: number;
  owner: string;
  tier: string;
  credit_limit: number;
  updated: string;
}

/** `2017-07-23 00:00:00` plus `s` seconds, as Flink's SQL timestamp text. */
function at(s: number): string {
  const d = new Date(Date.UTC(2017, 6, 23) + s * 1000);
  return d.toISOString().replace('T', ' ').slice(0, 19);
}

/**
 * - accounts-cdc: debezium-json events (no schema) of `accounts(id, owner, tier, credit_limit,
 *   updated)`: ids 1..6 read in the snapshot at 00:00, then updates, deletes and creates every
 *   1 to 4 minutes until about 03:20, a tombstone (empty line) after each delete as Debezium sends.
 */
export function cdcDataSet(): DataSet {
  const rand = mulberry32(20);
  const live = new Map<number, Account>();
  const events: string[] = [];
  const json = (a: Account | null) => (a === null ? 'null' : JSON.stringify(a));
  const emit = (op: string, before: Account | null, after: Account | null, s: number) =>
    events.push(
      `{"before":${json(before)},"after":${json(after)},"source":{"connector":"postgresql","db":"bank","table":"accounts"},"op":"${op}","ts_ms":${Date.UTC(2017, 6, 23) + s * 1000}}`,
    );
  for (let id = 1; id <= 6; id++) {
    const a = { id, owner: OWNERS[id - 1]!, tier: TIERS[id % 3]!, credit_limit: 1000 * id, updated: at(0) };
    live.set(id, a);
    emit('r', null, a, 0);
  }
  let s = 0;
  let nextId = 7;
  while (s < 12_000) {
    s += 60 + Math.floor(rand() * 180);
    const r = rand();
    const ids = [...live.keys()];
    if (r < 0.65 && ids.length > 0) {
      const id = ids[Math.floor(rand() * ids.length)]!;
      const old = live.get(id)!;
      const next = {
        ...old,
        tier: TIERS[Math.floor(rand() * 3)]!,
        credit_limit: old.credit_limit + 100 * (Math.floor(rand() * 11) - 5),
        updated: at(s),
      };
      live.set(id, next);
      emit('u', old, next, s);
    } else if (r < 0.8 && ids.length > 2) {
      const id = ids[Math.floor(rand() * ids.length)]!;
      emit('d', live.get(id)!, null, s);
      events.push(''); // Debezium's tombstone after a delete
      live.delete(id);
    } else {
      // A new account, or one deleted before coming back under its old id.
      const id = rand() < 0.5 || nextId > 9 ? 1 + Math.floor(rand() * 9) : nextId++;
      if (live.has(id)) continue;
      const a = {
        id,
        owner: OWNERS[id % OWNERS.length]!,
        tier: TIERS[Math.floor(rand() * 3)]!,
        credit_limit: 500 * (1 + Math.floor(rand() * 8)),
        updated: at(s),
      };
      live.set(id, a);
      emit('c', null, a, s);
    }
  }
  return { ext: 'json', text: events.join('\n') + '\n' };
}
