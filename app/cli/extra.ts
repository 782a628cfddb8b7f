// Commands beyond run/validate/explain (generate, tail, ...), each a module of its own.

import type { ExtraCommand } from './command.js';
import { topicCommands } from './topics.js';
import { demoCommand } from './demo.js';
import { stopCommand } from './stop.js';
import { sqlCommand } from '../shell/shell.js';

export const extraCommands: ExtraCommand[] = [stopCommand, demoCommand, sqlCommand, ...topicCommands];
