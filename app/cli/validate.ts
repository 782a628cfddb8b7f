// fintrans-sql validate / explain: parse, plan and build (options checked), run nothing.

import { explainPipelines } from '../../engine/plan/explain.js';
import { buildJob } from '../../engine/runtime/build.js';
import { parseFlags, parseSetFlags, UsageError } from './args.js';
import { displayPath, jobFiles, planFile } from '../job-files.js';
import { FintransError } from '../../engine/errors.js';
import { redact } from '../../engine/secrets.js';
import { checkInputs } from './validate-inputs.js';

export const VALIDATE_HELP = `Usage: fintrans-sql validate <file.sql | dir> [--set key=value]

Parses and plans each job and checks every connector and format option; then that each input
file or directory it reads exists, and that the first record of each input decodes and its
TO_TIMESTAMP patterns read it (a pattern that does not is named, with one that does when a usual
layout fits). Writes nothing and connects to no broker: a topic on a Kafka cluster is not read,
an empty topic is noted. Prints "ok" per valid file, or the error with file:line:col.

Example:
  fintrans-sql validate jobs/`;

export const EXPLAIN_HELP = `Usage: fintrans-sql explain <file.sql> [--set key=value]

Prints the plan of each INSERT (and EXPLAIN statement): the source and its watermark, each
operator in order, and the sink.

Example:
  fintrans-sql explain jobs/laundering.sql`;

const FLAGS = { help: { type: 'boolean', short: 'h' }, set: { type: 'string', multiple: true } } as const;

export async function validateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, 'validate');
  if (values.help) {
    process.stdout.write(VALIDATE_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`validate: give one .sql file or directory\n  see 'fintrans-sql validate --help'`);
  const cwd = process.cwd();
  const settings = parseSetFlags(values.set, 'validate');
  let failed = 0;
  for (const f of jobFiles(positionals[0]!, cwd)) {
    try {
      const notes = await checkInputs(buildJob(planFile(f, cwd, settings), { cwd }), cwd);
      process.stdout.write(`ok  ${displayPath(f, cwd)}\n`);
      for (const n of notes) process.stdout.write(`    note: ${redact(n)}\n`);
    } catch (e) {
      if (!(e instanceof FintransError && e.userError)) throw e;
      failed++;
      process.stderr.write(`error: ${redact(e.message)}\n`);
    }
  }
  return failed > 0 ? 1 : 0;
}

export async function explainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, 'explain');
  if (values.help) {
    process.stdout.write(EXPLAIN_HELP + '\n');
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`explain: give one .sql file\n  see 'fintrans-sql explain --help'`);
  const cwd = process.cwd();
  for (const f of jobFiles(positionals[0]!, cwd)) {
    const plan = planFile(f, cwd, parseSetFlags(values.set, 'explain'));
    buildJob(plan, { cwd });
    const pipelines = plan.explain.length > 0 ? plan.explain : plan.pipelines;
    process.stdout.write(`== ${displayPath(f, cwd)} ==\n${explainPipelines(pipelines)}\n`);
  }
  return 0;
}
