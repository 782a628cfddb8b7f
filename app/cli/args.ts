// Command-line flags: Node's util.parseArgs with strict checking, its errors turned into one clear line.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseDurationMs } from '../../engine/options.js';
import { closest } from './did-you-mean.js';

export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(
  argv: string[],
  options: O,
  command: string,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    throw new UsageError(
      `${command}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}${flagSuggestion(msg, options)}\n  see 'fintrans-sql ${command} --help'`,
    );
  }
}

/** --set key=value (repeatable) into a map. */
export function parseSetFlags(values: readonly string[] | undefined, command: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values ?? []) {
    const eq = v.indexOf('=');
    if (eq <= 0)
      throw new UsageError(
        `${command}: --set needs key=value, got '${v}'\n  e.g. --set execution.checkpointing.interval=10s`,
      );
    out.set(v.slice(0, eq).trim(), v.slice(eq + 1).trim());
  }
  return out;
}

export function parseDurationFlag(
  value: string | undefined,
  flag: string,
  command: string,
): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDurationMs(value);
  if (ms === null)
    throw new UsageError(`${command}: ${flag} needs a duration like 5s, 500ms or 2min, got '${value}'`);
  return ms;
}

/** "; did you mean '--until-idle'?" for util.parseArgs' "Unknown option '--until-idel'", else nothing. */
function flagSuggestion(message: string, options: Options): string {
  const m = /^Unknown option '--([^'=]+)/.exec(message);
  if (!m) return '';
  const match = closest(m[1]!, Object.keys(options));
  return match === undefined ? '' : `; did you mean '--${match}'?`;
}
