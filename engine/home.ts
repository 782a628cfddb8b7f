// Where fintrans-sql keeps its own files when a job does not say otherwise: the embedded topic
// store, and checkpoints under it. Shared by the embedded connector, the checkpoint store and the
// CLI, so it belongs to neither.

import { isAbsolute, join, resolve } from 'node:path';

/**
 * The store directory for a working directory: `<cwd>/.fintrans`, or the `FINTRANS_HOME`
 * environment variable when set (resolved against `cwd` if relative), so several working
 * directories can share one store or tests can point at a temp directory.
 */
export function defaultStoreDir(cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const home = env['FINTRANS_HOME'];
  if (home !== undefined && home !== '') return isAbsolute(home) ? home : resolve(cwd, home);
  return join(cwd, '.fintrans');
}
