// What a job file's SET statements may say. Flink ignores keys it does not know; here a key is one of
// - honoured: it changes what the job does (checkpoints, idle sources, savepoints, late records);
// - harmless: a Flink key that cannot change the job's rows here (names, client display, tuning);
// - refused: a Flink key whose effect fintrans-sql does not have, so accepting it would give other
//   rows than Flink (state TTL, allowed lateness, early/late firing, a time zone other than UTC);
// - a near miss of a known key (execution.checkpointing.intervall): refused with a did-you-mean,
//   since the user surely meant the key it resembles;
// - an unknown key in fintrans-sql's own namespace 'fintrans.': refused;
// - anything else: accepted and ignored, as Flink does (its configuration has hundreds of keys).

import { SqlError, didYouMean, editDistance } from '../errors.js';
import type { SetStatement } from '../sql/ast.js';
import { parseDurationOrOffMs } from '../options.js';

/** Keys that change what fintrans-sql does (read elsewhere: checkpoints, sources, savepoints, planner). */
const HONOURED = [
  'execution.checkpointing.interval',
  'execution.checkpointing.dir',
  'state.checkpoints.dir',
  'table.exec.source.idle-timeout',
  'execution.savepoint.path',
  'execution.savepoint.ignore-unclaimed-state',
  'fintrans.late-records.sink',
  'fintrans.sink.append-updates',
  'table.exec.state.ttl',
  'parallelism.default',
];

/** Flink keys that cannot change a job's rows here. */
const HARMLESS = [
  'pipeline.name',
  'sql-client.execution.result-mode',
  'sql-client.verbose',
  'table.exec.mini-batch.enabled',
  'table.exec.mini-batch.allow-latency',
  'table.exec.mini-batch.size',
  'table.optimizer.agg-phase-strategy',
  'table.optimizer.distinct-agg.split.enabled',
  'table.exec.resource.default-parallelism',
  'execution.checkpointing.mode',
  'execution.checkpointing.timeout',
  'execution.checkpointing.min-pause',
  'state.backend.type',
  'state.backend',
];

/** Flink keys whose effect is missing here, with what to do instead. `ok` values are accepted. */
const REFUSED: Readonly<Record<string, { why: string; hint: string; ok?: (value: string) => boolean }>> = {
  'table.exec.emit.allow-lateness': {
    why: 'allowed lateness (late updates of fired windows) is not supported: a window fires once, and later records are counted as late',
    hint: "remove it; increase the WATERMARK delay instead, or collect late records with SET 'fintrans.late-records.sink'",
    ok: (v) => /^\s*0\s*(ms|s|min|h|d)?\s*$/i.test(v),
  },
  'table.exec.emit.early-fire.enabled': {
    why: 'early firing of windows is not supported: a window emits its rows once, when the watermark passes its end',
    hint: 'remove it; use a running GROUP BY for results that update as records arrive',
    ok: (v) => v.trim().toLowerCase() === 'false',
  },
  'table.exec.emit.early-fire.delay': { why: 'early firing of windows is not supported', hint: 'remove it' },
  'table.exec.emit.late-fire.enabled': {
    why: 'late firing of windows is not supported: a window fires once',
    hint: "remove it; collect late records with SET 'fintrans.late-records.sink'",
    ok: (v) => v.trim().toLowerCase() === 'false',
  },
  'table.exec.emit.late-fire.delay': { why: 'late firing of windows is not supported', hint: 'remove it' },
  'table.local-time-zone': {
    why: 'fintrans-sql computes times in UTC only',
    hint: "remove it or set 'UTC'",
    ok: (v) => ['utc', 'gmt', 'z', '+00:00', 'etc/utc'].includes(v.trim().toLowerCase()),
  },
  'execution.runtime-mode': {
    why: 'jobs run in streaming mode only',
    hint: "remove it or set 'streaming'; bounded inputs (files) still finish with every window fired",
    ok: (v) => v.trim().toLowerCase() === 'streaming',
  },
};

const KNOWN = [...HONOURED, ...HARMLESS, ...Object.keys(REFUSED)];

/** Checks one SET statement of a job file; throws a SqlError at it when the key must be refused. */
export function checkSetting(s: SetStatement): void {
  if (s.key === PARALLELISM_SETTING && !/^\s*(auto|0*[1-9]\d{0,2})\s*$/i.test(s.value)) {
    throw new SqlError(
      s.pos,
      `SET '${s.key}' = '${s.value}': not a parallelism`,
      `write a whole number of worker threads ('2'), or 'auto' for one per core`,
    );
  }
  if (s.key === STATE_TTL_SETTING && stateTtlMs(new Map([[s.key, s.value]])) === undefined) {
    throw new SqlError(
      s.pos,
      `SET '${s.key}' = '${s.value}': not a duration`,
      `write e.g. '1 h', '30 min', '1 d', or '0' to keep state for ever`,
    );
  }
  const refused = REFUSED[s.key];
  if (refused) {
    if (refused.ok?.(s.value)) return;
    throw new SqlError(s.pos, `SET '${s.key}' = '${s.value}': ${refused.why}`, refused.hint);
  }
  if (KNOWN.includes(s.key)) return;
  const guess = didYouMean(s.key, KNOWN);
  if (s.key.startsWith('fintrans.')) {
    // Our own namespace: every key in it is known here, so any other is a mistake.
    const ours = HONOURED.filter((k) => k.startsWith('fintrans.'));
    throw new SqlError(
      s.pos,
      `unknown setting '${s.key}'`,
      guess ? `did you mean '${guess}'?` : `fintrans-sql's own settings are: ${ours.join(', ')}`,
    );
  }
  if (guess && editDistance(s.key, guess) <= 2) {
    throw new SqlError(
      s.pos,
      `unknown setting '${s.key}'`,
      `did you mean '${guess}'? (Flink would ignore the misspelt key silently)`,
    );
  }
}

/** The number of worker threads a job runs in (engine/runtime/parallel/plan.ts reads it). */
export const PARALLELISM_SETTING = 'parallelism.default';

export const STATE_TTL_SETTING = 'table.exec.state.ttl';

/**
 * SET 'table.exec.state.ttl' in ms: null when state is kept for ever (unset or '0', as in Flink),
 * undefined when the value is not a duration.
 */
export function stateTtlMs(settings: ReadonlyMap<string, string>): number | null | undefined {
  const v = settings.get(STATE_TTL_SETTING);
  if (v === undefined) return null;
  const ms = parseDurationOrOffMs(v);
  if (ms === null) return undefined;
  return ms === 0 ? null : ms;
}
