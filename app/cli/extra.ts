// Commands beyond run/validate/explain (generate, tail, ...), each a module of its own.

export interface ExtraCommand {
  readonly name: string;
  readonly usage: string;
  readonly summary: string;
  run(argv: string[]): Promise<number>;
}

import { topicCommands } from './topics.js';
import { demoCommand } from './demo.js';
import { stopCommand } from './stop.js';

export const extraCommands: ExtraCommand[] = [stopCommand, demoCommand, ...topicCommands];
