// What `npm run kafka` (kafka-main.ts), `npm run search` (opensearch-main.ts) and `npm run postgres`
// (postgres-main.ts) share: the [--port N] [--data-dir DIR] arguments, and running a started server
// until Ctrl-C.

export interface RigMainOptions {
  port?: number;
  dataDir?: string;
}

/** Parses `[--port N] [--data-dir DIR]`; prints usage and exits on --help or a bad argument. */
export function parseRigArgs(prog: string, argv: string[]): RigMainOptions {
  const opts: RigMainOptions = {};
  const usage = (problem?: string): never => {
    if (problem) process.stderr.write(`${prog}: ${problem}\n`);
    process.stderr.write(`usage: node dist/test/rig/${prog}.js [--port N] [--data-dir DIR]\n`);
    process.exit(problem ? 2 : 0);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--port' && value !== undefined) {
      const port = Number(value);
      if (!Number.isInteger(port) || port <= 0 || port > 65535)
        usage(`--port wants a TCP port number, got '${value}'`);
      opts.port = port;
      i++;
    } else if (arg === '--data-dir' && value !== undefined) {
      opts.dataDir = value;
      i++;
    } else if (arg === '--help' || arg === '-h') {
      usage();
    } else {
      usage(`unknown argument '${arg}'`);
    }
  }
  return opts;
}

/**
 * Runs `start` (which starts the server and prints where it runs) and keeps the process up until
 * SIGINT/SIGTERM, then stops the server and exits (1 if starting or stopping failed).
 */
export function runUntilStopped(what: string, start: () => Promise<{ stop(): Promise<void> }>): void {
  start().then(
    (rig) => {
      let stopping = false;
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`Stopping ${what}...\n`);
        rig.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            process.stderr.write(
              `Stopping ${what} failed: ${err instanceof Error ? err.message : String(err)}\n`,
            );
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
