// The checkpoint interval a job's SET asks for. Read by the runtime (how often to checkpoint), by
// the CLI's `stop` (a job without checkpoints cannot be stopped through them) and by the Kafka
// connector (a transaction's timeout is sized from it), so it lives below all three.

import { OptionError } from './errors.js';
import { parseDurationOrOffMs } from './options.js';

export const CHECKPOINT_INTERVAL_SETTING = 'execution.checkpointing.interval';
export const DEFAULT_CHECKPOINT_INTERVAL = '10s';

/** SET 'execution.checkpointing.interval' (default 10 s) in ms, or null when checkpoints are off. */
export function checkpointIntervalMs(settings: ReadonlyMap<string, string>): number | null {
  const setting = settings.get(CHECKPOINT_INTERVAL_SETTING) ?? DEFAULT_CHECKPOINT_INTERVAL;
  const ms = parseDurationOrOffMs(setting);
  if (ms === null)
    throw new OptionError(
      undefined,
      `SET '${CHECKPOINT_INTERVAL_SETTING}' = '${setting}' is not a duration`,
      `write e.g. '10s', '500 ms' or 'off'`,
    );
  return ms === 0 ? null : ms;
}
