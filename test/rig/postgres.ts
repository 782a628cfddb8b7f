// A real private PostgreSQL cluster for tests, without Docker: Debian's `postgresql` package
// (binaries under /usr/lib/postgresql/<version>/bin), `initdb` into a temp dir (or one you give)
// and `pg_ctl` to start it on a free loopback port, with its unix socket in that dir too, so it
// never meets the machine's own cluster (if any) on 5432 or /var/run/postgresql.
//
// Authentication: the unix socket trusts everyone (the rig's own admin connection), TCP asks for a
// password (scram-sha-256), as a real server would: the JDBC connector connects over TCP and so
// always sends 'username' / 'password'.
//
// PostgreSQL refuses to run as root. When this process is root (CI, these machines), initdb and
// pg_ctl run as an unprivileged user through `runuser -u`: the package's own 'postgres' account
// (FINTRANS_PG_USER overrides it), which owns the cluster's dir.
//
// pg_ctl starts the server as a daemon, so it is not our child: a small watchdog (a detached sh)
// stops it with `pg_ctl stop -m immediate` and removes the dir if this process disappears without
// running its exit hooks (SIGKILL, OOM), so no cluster is orphaned, as the Java rigs do.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { fileTail, rigDataDir, rigPorts, serverForTests } from './java-process.js';

/** pg_ctl -t: how long a start or stop may take. */
const START_TIMEOUT_S = 60;
export const DEFAULT_RIG_USER = 'fintrans';
export const DEFAULT_RIG_PASSWORD = 'fintrans-rig-pw';
export const DEFAULT_RIG_DATABASE = 'fintrans';

export interface PostgresRig {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly database: string;
  /** The superuser 'username' / 'password' a job's WITH clause uses (over TCP, password required). */
  readonly user: string;
  readonly password: string;
  /** 'jdbc:postgresql://127.0.0.1:PORT/DATABASE', ready for a 'jdbc' table's 'url'. */
  readonly jdbcUrl: string;
  /** The rig's dir: data/ (the cluster), postgres.log (kept across restarts), the unix socket. */
  readonly dataDir: string;
  /** PostgreSQL's major version, e.g. 15. */
  readonly version: number;
  /** Runs one statement through the unix socket (trusted); returns its rows as objects. */
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
  /** The same in another database of the cluster (see createDatabase). */
  queryIn<R extends Record<string, unknown> = Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<R[]>;
  /** A fresh, empty database `name` (dropped first if it exists); returns its jdbc url. */
  createDatabase(name: string): Promise<string>;
  /** Whether the server accepts connections right now. */
  running(): boolean;
  /** Fast shutdown (pg_ctl stop -m fast); removes the dir if the rig made it. */
  stop(): Promise<void>;
  /** Immediate shutdown (pg_ctl stop -m immediate), as a crash would; the data stays, so start() can follow. */
  kill(): Promise<void>;
  /** Starts the cluster again on the SAME port and data (after kill()). */
  start(): Promise<void>;
}

export interface PostgresRigOptions {
  /** Where the cluster lives; kept after stop() and reused when it already holds one. Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  /** TCP port; default: a free one. */
  port?: number;
  /** The superuser's password (TCP). */
  password?: string;
}

/**
 * The newest installed PostgreSQL's bin dir (FINTRANS_PG_BIN overrides it), or an error saying
 * how to install it.
 */
export function postgresBinDir(): { bin: string; version: number } {
  const override = process.env.FINTRANS_PG_BIN;
  if (override) {
    if (!existsSync(join(override, 'initdb')))
      throw new Error(`FINTRANS_PG_BIN=${override} has no 'initdb': point it at a PostgreSQL bin dir`);
    const v = /(\d+)/.exec(
      spawnSync(join(override, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout ?? '',
    )?.[1];
    return { bin: override, version: Number(v ?? 0) };
  }
  const root = '/usr/lib/postgresql';
  const versions = (existsSync(root) ? readdirSync(root) : [])
    .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
    .map(Number)
    .sort((a, b) => b - a);
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL is not installed: no ${root}/<version>/bin/initdb. Install Debian's package (apt-get install postgresql; .ci/run does it), or set FINTRANS_PG_BIN to a PostgreSQL bin dir.`,
    );
  }
  return { bin: join(root, String(versions[0]), 'bin'), version: versions[0]! };
}

/** As whom the server runs: ourselves, or (when we are root, which PostgreSQL refuses) an unprivileged account. */
function serverAccount(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const name = process.env.FINTRANS_PG_USER ?? 'postgres';
  const r = spawnSync('getent', ['passwd', name], { encoding: 'utf8' });
  const fields = r.stdout?.trim().split(':');
  if (r.status !== 0 || !fields || fields.length < 4) {
    throw new Error(
      `PostgreSQL cannot run as root, and there is no '${name}' account to run it as (Debian's postgresql package creates 'postgres'; FINTRANS_PG_USER names another unprivileged account).`,
    );
  }
  return { name, uid: Number(fields[2]), gid: Number(fields[3]) };
}

export async function startPostgres(opts: PostgresRigOptions = {}): Promise<PostgresRig> {
  const { bin, version } = postgresBinDir();
  const account = serverAccount();
  const { dataDir, ownsDataDir } = await rigDataDir(opts.dataDir, 'fintrans-postgres-');
  const [port] = (await rigPorts(opts.port, 1)) as [number];
  const password = opts.password ?? DEFAULT_RIG_PASSWORD;
  const cluster = new Cluster(bin, account, dataDir, ownsDataDir, port);
  try {
    if (!existsSync(join(cluster.pgdata, 'PG_VERSION'))) cluster.initdb(DEFAULT_RIG_USER, password);
    await cluster.start();
    await cluster.ensureDatabase(DEFAULT_RIG_DATABASE);
  } catch (err) {
    await cluster.stop().catch(() => undefined);
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    database: DEFAULT_RIG_DATABASE,
    user: DEFAULT_RIG_USER,
    password,
    jdbcUrl: `jdbc:postgresql://127.0.0.1:${port}/${DEFAULT_RIG_DATABASE}`,
    dataDir,
    version,
    query: (sql, params) => cluster.query(DEFAULT_RIG_DATABASE, sql, params),
    queryIn: (database, sql, params) => cluster.query(database, sql, params),
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`createDatabase: '${name}' is not a plain name`);
      await cluster.query('postgres', `DROP DATABASE IF EXISTS "${name}"`);
      await cluster.query('postgres', `CREATE DATABASE "${name}"`);
      return `jdbc:postgresql://127.0.0.1:${port}/${name}`;
    },
    running: () => cluster.isRunning(),
    stop: () => cluster.stop(),
    kill: () => cluster.kill(),
    start: () => cluster.start(),
  };
}

/**
 * The policy for test files (as kafkaForTests): start a cluster, or, when that is impossible, FAIL
 * under CI (process.env.CI set) and otherwise warn loudly and return null so the tests can skip.
 */
export function postgresForTests(opts?: PostgresRigOptions): Promise<PostgresRig | null> {
  return serverForTests('PostgreSQL (JDBC)', 'a private PostgreSQL cluster', () => startPostgres(opts));
}

/** Clusters that may still be running: stopped when this process exits, however it exits normally. */
const live = new Set<Cluster>();
let exitHookInstalled = false;

class Cluster {
  readonly pgdata: string;
  private readonly logPath: string;
  private watchdog: ChildProcess | null = null;
  private up = false;

  constructor(
    private readonly bin: string,
    private readonly account: { name: string; uid: number; gid: number } | null,
    readonly dir: string,
    private readonly ownsDir: boolean,
    readonly port: number,
  ) {
    this.pgdata = join(dir, 'data');
    this.logPath = join(dir, 'postgres.log');
    // The server account must own its dir (the socket and log go there too).
    if (account) chownSync(dir, account.uid, account.gid);
  }

  isRunning(): boolean {
    return this.up;
  }

  /** A PostgreSQL program, as the server account when we are root. */
  private run(program: string, args: string[], what: string): string {
    const path = join(this.bin, program);
    const [cmd, argv] = this.account
      ? ['runuser', ['-u', this.account.name, '--', path, ...args]]
      : [path, args];
    const r = spawnSync(cmd, argv, {
      encoding: 'utf8',
      cwd: this.dir,
      timeout: (START_TIMEOUT_S + 30) * 1000,
    });
    const out = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
    if (r.error || r.status !== 0) {
      const hint =
        this.account && /Permission denied/i.test(out)
          ? `\n(the server runs as '${this.account.name}': every dir above ${this.dir} must be open to it)`
          : '';
      throw new Error(
        `${what} failed (${r.error?.message ?? `exit ${r.status}`}): ${cmd} ${argv.join(' ')}\n${out}${hint}\nLast lines of ${this.logPath}:\n${fileTail(this.logPath)}`,
      );
    }
    return out;
  }

  initdb(user: string, password: string): void {
    const pwfile = join(this.dir, 'superuser.pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (this.account) chownSync(pwfile, this.account.uid, this.account.gid);
    try {
      this.run(
        'initdb',
        [
          '-D',
          this.pgdata,
          '-U',
          user,
          `--pwfile=${pwfile}`,
          '--auth-local=trust',
          '--auth-host=scram-sha-256',
          '-E',
          'UTF8',
          '--locale=C.UTF-8',
          '--no-sync',
        ],
        'initdb',
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  async start(): Promise<void> {
    if (this.up) return;
    // Loopback only; the socket in our dir; fsync off (a test fixture: a killed server keeps what
    // the OS has, only a machine crash would lose data); small, for a 2-core machine.
    const serverOptions = [
      `-p ${this.port}`,
      `-k ${this.dir}`,
      `-c listen_addresses=127.0.0.1`,
      `-c fsync=off`,
      `-c full_page_writes=off`,
      `-c max_connections=60`,
      `-c shared_buffers=64MB`,
    ].join(' ');
    this.run(
      'pg_ctl',
      [
        '-D',
        this.pgdata,
        '-l',
        this.logPath,
        '-w',
        '-t',
        String(START_TIMEOUT_S),
        '-o',
        serverOptions,
        'start',
      ],
      `Starting PostgreSQL on 127.0.0.1:${this.port}`,
    );
    this.up = true;
    live.add(this);
    installExitHook();
    this.startWatchdog();
  }

  async ensureDatabase(name: string): Promise<void> {
    const exists = await this.query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.length === 0) await this.query('postgres', `CREATE DATABASE "${name}"`);
  }

  async query<R extends Record<string, unknown>>(
    database: string,
    sql: string,
    params?: unknown[],
  ): Promise<R[]> {
    // The unix socket dir as host: trusted, no password.
    const client = new pg.Client({ host: this.dir, port: this.port, database, user: DEFAULT_RIG_USER });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as R[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    this.shutdown('fast');
    live.delete(this);
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    this.shutdown('immediate');
  }

  /** pg_ctl stop in `mode`, if a server runs; the watchdog goes with it. */
  shutdown(mode: 'fast' | 'immediate'): void {
    this.stopWatchdog();
    if (!this.up && !existsSync(join(this.pgdata, 'postmaster.pid'))) return;
    this.up = false;
    this.run(
      'pg_ctl',
      ['-D', this.pgdata, '-m', mode, '-w', '-t', String(START_TIMEOUT_S), 'stop'],
      `Stopping PostgreSQL (${mode})`,
    );
  }

  /** Called from the process 'exit' hook: synchronous, best effort. */
  stopNow(): void {
    try {
      this.shutdown('immediate');
    } catch {
      /* already gone */
    }
    if (this.ownsDir) rmSync(this.dir, { recursive: true, force: true });
  }

  private startWatchdog(): void {
    const pgCtl = join(this.bin, 'pg_ctl');
    const stopCmd = this.account ? `runuser -u ${this.account.name} -- ${pgCtl}` : pgCtl;
    const script =
      'while kill -0 "$RIG_PARENT_PID" 2>/dev/null; do sleep 1; done; ' +
      `${stopCmd} -D "$RIG_PGDATA" -m immediate stop >/dev/null 2>&1; ` +
      'if [ -n "$RIG_OWNED_DIR" ]; then rm -rf "$RIG_OWNED_DIR"; fi';
    const child = spawn('sh', ['-c', script, 'postgres-rig-watchdog'], {
      detached: true,
      stdio: 'ignore',
      env: {
        ...process.env,
        RIG_PARENT_PID: String(process.pid),
        RIG_PGDATA: this.pgdata,
        RIG_OWNED_DIR: this.ownsDir ? this.dir : '',
      },
    });
    child.unref();
    this.watchdog = child;
  }

  private stopWatchdog(): void {
    if (this.watchdog?.pid) {
      try {
        process.kill(this.watchdog.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    this.watchdog = null;
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const cluster of live) cluster.stopNow();
  });
}
