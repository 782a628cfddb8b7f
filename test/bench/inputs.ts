// The bench's inputs, generated deterministically into a cache directory and reused when a file
// with the same parameters exists (the parameters are in the file name; a file is written under a
// temporary name and renamed when complete, so an interrupted generation is never reused).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeHopInput } from './hop-input.js';

export interface BenchInput {
  readonly path: string;
  readonly records: number;
  readonly bytes: number;
  /** Seconds spent generating it now, or null when reused from the cache. */
  readonly generatedIn: number | null;
}

export function benchDir(): string {
  return process.env.FINTRANS_BENCH_DIR ?? join(tmpdir(), 'fintrans-sql-bench');
}

export class InputCache {
  readonly dir: string;

  constructor(
    root: string,
    /** dist/app/cli/main.js: inputs come from `fintrans-sql generate`, as a user would make them. */
    private readonly cli: string,
  ) {
    this.dir = join(root, 'inputs');
    mkdirSync(this.dir, { recursive: true });
  }

  /**
   * dcos semicolon records (RFC 850 times) with planted laundering cases. `spread` narrows the
   * accounts and the time between records (the generator's --accounts and --step-ms) for inputs
   * with many distinct pairs per window; without it, the generator's defaults.
   */
  dcos(
    records: number,
    plant: number,
    seed = 1,
    spread?: { readonly accounts: number; readonly stepMs: number },
  ): Promise<BenchInput> {
    const spreadName = spread ? `-accounts${spread.accounts}-step${spread.stepMs}` : '';
    const spreadArgs = spread
      ? ['--accounts', String(spread.accounts), '--step-ms', String(spread.stepMs)]
      : [];
    return this.cached(
      `dcos-n${records}-plant${plant}-seed${seed}${spreadName}.csv`,
      records,
      async (tmp) => {
        this.generate([
          '--format',
          'dcos',
          '--count',
          String(records),
          '--plant',
          String(plant),
          '--seed',
          String(seed),
          ...spreadArgs,
          '--out',
          tmp,
        ]);
      },
    );
  }

  /**
   * dcos records with planted rapid cash-outs and layering chains (and their decoys); their truth
   * goes to the directory `truthDir(input)` beside the cached file.
   */
  async patterns(records: number, cases: number, seed = 1): Promise<BenchInput> {
    const name = `patterns-n${records}-cases${cases}-accounts10000-seed${seed}.csv`;
    const truth = patternTruthDir(join(this.dir, name));
    // The truth is written before the records' file is renamed into place: a cached file has its truth.
    return this.cached(name, records, async (tmp) => {
      const p = String(cases);
      // Each case takes three accounts of its own: 10 000 accounts leave room for 600 cases.
      this.generate([
        '--format',
        'dcos',
        '--count',
        String(records),
        '--accounts',
        '10000',
        '--plant-cashout',
        p,
        '--plant-layering',
        p,
        '--seed',
        String(seed),
        '--pattern-truth',
        truth,
        '--out',
        tmp,
      ]);
    });
  }

  /** The PyFlink banking records, one JSON object per line. */
  json(records: number, seed = 1): Promise<BenchInput> {
    return this.cached(`json-n${records}-seed${seed}.json`, records, async (tmp) => {
      this.generate(['--format', 'json', '--count', String(records), '--seed', String(seed), '--out', tmp]);
    });
  }

  /** `keys` distinct pairs inside one 10-minute span (see hop-input.ts). */
  hopKeys(keys: number): Promise<BenchInput> {
    return this.cached(`hop-keys${keys}.csv`, keys, (tmp) => writeHopInput(tmp, keys));
  }

  /** One dcos record, for the startup case. */
  oneRecord(): Promise<BenchInput> {
    return this.cached('one-record.csv', 1, async (tmp) => {
      writeFileSync(tmp, 'Sunday, 23-Jul-17 00:00:00 UTC;1;2;3\n');
    });
  }

  private async cached(
    name: string,
    records: number,
    make: (tmp: string) => Promise<void>,
  ): Promise<BenchInput> {
    const path = join(this.dir, name);
    if (existsSync(path)) return { path, records, bytes: statSync(path).size, generatedIn: null };
    const tmp = `${path}.partial-${process.pid}`;
    const started = performance.now();
    try {
      await make(tmp);
      renameSync(tmp, path);
    } finally {
      rmSync(tmp, { force: true });
    }
    return { path, records, bytes: statSync(path).size, generatedIn: (performance.now() - started) / 1000 };
  }

  private generate(args: string[]): void {
    const r = spawnSync(process.execPath, [this.cli, 'generate', ...args], { encoding: 'utf8' });
    if (r.status !== 0)
      throw new Error(`fintrans-sql generate ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  }
}

/** Where InputCache.patterns keeps the truth of an input it made. */
export function patternTruthDir(inputPath: string): string {
  return `${inputPath}.truth`;
}

/**
 * A fresh working directory for one case: `input/<inputName>` links to the cached input, and the
 * bench jobs (test/bench/jobs) read `input/…` and write `output/…` relative to it.
 */
export function caseWorkDir(root: string, caseId: string, input: BenchInput, inputName: string): string {
  const dir = join(root, 'runs', caseId);
  rmSync(dir, { recursive: true, force: true });
  const link = join(dir, 'input', inputName);
  mkdirSync(dirname(link), { recursive: true });
  mkdirSync(join(dir, 'output'), { recursive: true });
  symlinkSync(input.path, link);
  return dir;
}
