#!/usr/bin/env node
// fintrans-sql: the command-line entry. Each command lives in its own module; this file only
// dispatches and turns errors into messages and exit codes (user errors: message only, code 1;
// bad usage: code 2; bugs: stack trace, code 70).

import { FintransError, resourceErrorOf } from '../../engine/errors.js';
import { redact } from '../../engine/secrets.js';
import { runCommand, RUN_HELP } from './run.js';
import { validateCommand, explainCommand, VALIDATE_HELP, EXPLAIN_HELP } from './validate.js';
import { UsageError } from './args.js';
import { extraCommands as localCommands } from './extra.js';
import { deployCommand, flinkCommand } from '../flink/commands.js';
import { upCommand } from './up.js';
import { readFileSync } from 'node:fs';
import { closest } from './did-you-mean.js';

/** The package's version, read from its package.json (dist/app/cli/ → the package root). */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

// deploy and flink talk to a Flink cluster; listed here beside the commands of extra.ts.
const extraCommands = [...localCommands, deployCommand, flinkCommand];

const COMMANDS = ['run', 'validate', 'explain', 'up', 'help', ...extraCommands.map((c) => c.name)];

/**
 * What a Flink CLI, Flink SQL client or ksqlDB user types first, and the command that does it here.
 * Suggested, not run: 'cancel' without a savepoint is not what 'stop' does in Flink, for one.
 */
const FOREIGN_COMMANDS: Readonly<Record<string, string>> = {
  submit: 'run',
  start: 'run',
  execute: 'run',
  cancel: 'stop',
  savepoint: 'stop --savepoint <dir>',
  info: 'explain',
  describe: 'explain',
  print: 'tail',
  consume: 'tail',
  produce: 'generate',
  list: 'up (its dashboard lists the jobs)',
  shell: 'sql',
  'sql-client': 'sql',
  ksql: 'sql',
  check: 'validate',
  lint: 'validate',
};

const HELP = `fintrans-sql — run Flink SQL jobs on one machine

Usage: fintrans-sql <command> [options]

Commands:
  run <file.sql | dir>     run a job (or every job in a directory)
  validate <file.sql|dir>  parse and plan, report errors, run nothing
  explain <file.sql>       print each INSERT's plan in words
  up [dir]                 run and watch every job of a directory, with a dashboard
${extraCommands.map((c) => `  ${c.usage.padEnd(24)} ${c.summary}`).join('\n')}

Run 'fintrans-sql <command> --help' or 'fintrans-sql help <command>' for a command's options and
examples; 'fintrans-sql --version' for the version.`;

export async function main(argv: string[]): Promise<number> {
  // `fintrans-sql tail fraud | head`: a closed pipe ends the output quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'help':
        // `help run` is `run --help`, as git and npm read it.
        if (rest[0] !== undefined) return await main([rest[0], '--help']);
        process.stdout.write(HELP + '\n');
        return 0;
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(HELP + '\n');
        return cmd === undefined ? 2 : 0;
      case '--version':
      case '-V':
      case 'version':
        process.stdout.write(`fintrans-sql ${packageVersion()}\n`);
        return 0;
      case 'run':
        return await runCommand(rest);
      case 'validate':
        return await validateCommand(rest);
      case 'explain':
        return await explainCommand(rest);
      case 'up':
        return await upCommand(rest);
      default: {
        const extra = extraCommands.find((c) => c.name === cmd);
        if (extra) return await extra.run(rest);
        process.stderr.write(
          `fintrans-sql: ${unknownCommandMessage(cmd)}\n  see 'fintrans-sql --help' for the commands\n`,
        );
        return 2;
      }
    }
  } catch (e) {
    return reportError(e);
  }
}

/** "unknown command 'runn'; did you mean 'run'?", or the command that does what another tool's does. */
function unknownCommandMessage(cmd: string): string {
  if (cmd.startsWith('-')) {
    const flag = closest(cmd.replace(/^-+/, ''), ['help', 'version']);
    return `unknown option '${cmd}'${flag ? `; did you mean '--${flag}'?` : ''} (options go after the command: fintrans-sql <command> [options])`;
  }
  const typo = closest(cmd, COMMANDS);
  if (typo !== undefined) return `unknown command '${cmd}'; did you mean '${typo}'?`;
  const foreign = FOREIGN_COMMANDS[cmd.toLowerCase()];
  if (foreign !== undefined) return `unknown command '${cmd}'; here that is 'fintrans-sql ${foreign}'`;
  return `unknown command '${cmd}'`;
}

export function reportError(e: unknown): number {
  if (e instanceof UsageError) {
    process.stderr.write(`fintrans-sql: ${redact(e.message)}\n`);
    return 2;
  }
  if (e instanceof FintransError && e.userError) {
    process.stderr.write(`error: ${redact(e.message)}\n`);
    return 1;
  }
  // A limit of JavaScript itself (stack depth, string length): the job asked too much, not a bug.
  const resource = resourceErrorOf(e);
  if (resource !== undefined) {
    process.stderr.write(`error: ${resource.message}\n`);
    return 1;
  }
  process.stderr.write(
    `internal error (a bug in fintrans-sql): ${redact(e instanceof Error ? (e.stack ?? e.message) : String(e))}\n`,
  );
  return 70;
}

export { RUN_HELP, VALIDATE_HELP, EXPLAIN_HELP };

// Run when executed directly (the package's bin), not when imported by tests.
const invoked = process.argv[1] ?? '';
if (/(?:main\.js|fintrans-sql)$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      // Exit now: the job has closed what it opened, but a client library's retry timers (kafkajs
      // keeps reconnecting for ~45 s) would otherwise hold the process after the error is shown.
      process.exit(reportError(e));
    },
  );
}
