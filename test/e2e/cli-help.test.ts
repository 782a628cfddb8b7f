// The command line as a Flink or ksqlDB user meets it first (issue 21): --version, help <command>,
// and a did-you-mean for a mistyped command or flag, run through the built CLI.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from './cli.js';

describe('fintrans-sql command line', () => {
  it('--version, -V and version print the package.json version', () => {
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string })
      .version;
    for (const arg of ['--version', '-V', 'version']) {
      const r = runCli([arg], ROOT);
      expect(r.code, arg).toBe(0);
      expect(r.stdout).toBe(`fintrans-sql ${version}\n`);
    }
  });

  it("help <command> is that command's --help", () => {
    for (const cmd of ['run', 'up', 'tail']) {
      const viaHelp = runCli(['help', cmd], ROOT);
      const viaFlag = runCli([cmd, '--help'], ROOT);
      expect(viaHelp.code, cmd).toBe(0);
      expect(viaHelp.stdout, cmd).toMatch(new RegExp(`Usage: fintrans-sql ${cmd}\\b`));
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
    }
    // Every option is explained, not only listed in the usage line (issue 21: tail --from-end).
    expect(runCli(['tail', '--help'], ROOT).stdout).toMatch(/\n--from-end starts at the end of the topic/);
    const plain = runCli(['help'], ROOT);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('fintrans-sql help <command>');
  });

  it('a mistyped command gets the closest one, exit 2', () => {
    for (const [typo, meant] of [
      ['runn', 'run'],
      ['valdiate', 'validate'],
      ['expalin', 'explain'],
      ['tial', 'tail'],
      ['demp', 'demo'],
    ]) {
      const r = runCli([typo!], ROOT);
      expect(r.code, typo).toBe(2);
      expect(r.stderr).toContain(`unknown command '${typo}'; did you mean '${meant}'?`);
    }
    const r = runCli(['help', 'runn'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("did you mean 'run'?");
  });

  it("another tool's command names the one that does it here", () => {
    const cases: [string, string][] = [
      ['cancel', 'stop'],
      ['info', 'explain'],
      ['print', 'tail'],
      ['submit', 'run'],
      ['sql-client', 'sql'],
    ];
    for (const [word, here] of cases) {
      const r = runCli([word], ROOT);
      expect(r.code, word).toBe(2);
      expect(r.stderr).toContain(`unknown command '${word}'; here that is 'fintrans-sql ${here}`);
    }
  });

  it('an unrelated word gets no suggestion', () => {
    const r = runCli(['xyzzy'], ROOT);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "fintrans-sql: unknown command 'xyzzy'\n  see 'fintrans-sql --help' for the commands\n",
    );
  });

  it("a mistyped flag gets the command's closest flag", () => {
    const cases: [string[], string][] = [
      [
        ['run', 'jobs/laundering.sql', '--until-idel', '2s'],
        "run: unknown option '--until-idel'; did you mean '--until-idle'?",
      ],
      [
        ['run', 'jobs/laundering.sql', '--form-beginning'],
        "run: unknown option '--form-beginning'; did you mean '--from-beginning'?",
      ],
      [['up', '--prot', '9000'], "up: unknown option '--prot'; did you mean '--port'?"],
      [['tail', 'fraud', '--folow'], "tail: unknown option '--folow'; did you mean '--follow'?"],
      [['--verison'], "unknown option '--verison'; did you mean '--version'?"],
    ];
    for (const [args, message] of cases) {
      const r = runCli(args, ROOT);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const far = runCli(['run', 'jobs/laundering.sql', '--replicas', '4'], ROOT);
    expect(far.code).toBe(2);
    expect(far.stderr).not.toContain('did you mean');
  });
});
