// What the test rigs that run a Java server (kafka.ts, opensearch.ts) and the Flink runner (flink.ts)
// share: the Java version check, compiling a small Java main into the cache, free loopback ports,
// the child JVM itself (started in its own process group behind a watchdog, its output appended to
// a log file, stopped, killed, restarted, paused) and the "...ForTests" policy.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { javaCommand } from './maven.js';

const STOP_TIMEOUT_MS = 30_000;
export const LOG_TAIL_LINES = 40;

/**
 * Throws unless `java -version` runs and reports at least `minMajor`. `needs` says who needs it,
 * e.g. 'Kafka 4.3.1' (the messages read "<needs> needs a JDK 17+ ..." / "<needs> needs Java 17+ ...").
 */
export function checkJava(needs: string, minMajor = 17): void {
  const result = spawnSync(javaCommand(), ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `Cannot run '${javaCommand()}' (${result.error.message}). ${needs} needs a JDK ${minMajor}+: install one (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`,
    );
  }
  const banner = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(banner);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= minMajor)) {
    throw new Error(
      `${needs} needs Java ${minMajor}+, but '${javaCommand()} -version' says: ${banner.split('\n')[0]}`,
    );
  }
}

/**
 * Compiles one Java source text (public class `className`, no package) into `dir` with javac,
 * unless `dir` already holds this exact source and its class. Returns `dir`.
 */
export async function compileJavaMain(
  source: string,
  className: string,
  classpath: string,
  dir: string,
): Promise<string> {
  const srcPath = join(dir, `${className}.java`);
  const classPath = join(dir, `${className}.class`);
  const old = await readFile(srcPath, 'utf8').catch(() => null);
  if (old === source && existsSync(classPath)) return dir;
  await mkdir(dir, { recursive: true });
  await writeFile(srcPath, source);
  rmSync(classPath, { force: true });
  const javac = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'javac') : 'javac';
  const r = spawnSync(javac, ['-cp', classpath, '-d', dir, srcPath], { encoding: 'utf8', timeout: 120_000 });
  if (r.error || r.status !== 0) {
    throw new Error(
      `Compiling ${srcPath} with '${javac}' failed (${r.error?.message ?? `exit ${r.status}`}); it needs a JDK 17 (not just a JRE).\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim()}`,
    );
  }
  return dir;
}

/** A port the OS reports free right now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** `count` different ports: the first is `first` when given, the others free ones. */
export async function rigPorts(first: number | undefined, count: number): Promise<number[]> {
  const ports = first === undefined ? [] : [first];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/** A rig's data dir: `dataDir` (made if missing, kept) or a fresh temp dir named `prefix`... (the rig owns it). */
export async function rigDataDir(
  dataDir: string | undefined,
  prefix: string,
): Promise<{ dataDir: string; ownsDataDir: boolean }> {
  const dir = resolve(dataDir ?? mkdtempSync(join(tmpdir(), prefix)));
  await mkdir(dir, { recursive: true });
  return { dataDir: dir, ownsDataDir: dataDir === undefined };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** The last lines of a log file, or `missing` when there is none. */
export function fileTail(path: string, missing = '(no log)'): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return missing;
  }
}

/**
 * The policy for test files: start the server, or, when that is impossible, FAIL under CI
 * (process.env.CI set: CI must never silently skip them) and otherwise warn loudly and return
 * null so a local run without Java/Maven can skip. `tests` names the tests ('Kafka'), `server`
 * what could not start ('a local Kafka broker').
 */
export async function serverForTests<T>(
  tests: string,
  server: string,
  start: () => Promise<T>,
): Promise<T | null> {
  try {
    return await start();
  } catch (err) {
    if (process.env.CI) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n!! ${tests} tests SKIPPED: could not start ${server}.\n!! ${message.split('\n').join('\n!! ')}\n` +
        `!! (Under CI, with CI set, this is a failure.)\n${bar}\n\n`,
    );
    return null;
  }
}

export interface JavaServerOptions {
  /** For messages: 'Kafka broker', 'OpenSearch node'. */
  name: string;
  /** $0 of the wrapper shell (shows in `ps`): 'kafka-rig'. */
  tag: string;
  /** Everything after `java`: JVM options, -cp, main class, its arguments. */
  javaArgs: string[];
  /** Its data dir; removed by stop() (and by the watchdog) when `ownsDataDir`. */
  dataDir: string;
  ownsDataDir: boolean;
  /** stdout and stderr are appended here (kept across restarts). */
  logPath: string;
  /** More environment variables for the process (e.g. FLINK_CONF_DIR). */
  env?: Record<string, string>;
  /**
   * Called after each spawn; resolves when the server is ready. `running()` turns false if the
   * process exits. If it throws, the process is killed and start() throws that.
   */
  ready(running: () => boolean): Promise<void>;
}

/** Servers that may still be running: killed when this process exits, however it exits. */
const live = new Set<JavaServer>();
let exitHookInstalled = false;

/** One Java server process in its own process group, startable again after stop()/kill(). */
export class JavaServer {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(private readonly opts: JavaServerOptions) {}

  get logPath(): string {
    return this.opts.logPath;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error(`${this.opts.name}: start() while it is already running`);
    const logFd = openSync(this.opts.logPath, 'a');
    // A small sh wrapper is the process-group leader: it runs java and kills it with SIGKILL if this
    // Node process disappears without running its exit hooks (SIGKILL, OOM), so no server is orphaned
    // (and removes the data dir if the rig made it).
    // The wrapper ignores SIGTERM so that a group SIGTERM reaches java and it shuts down cleanly.
    const script =
      '"$@" & jp=$!; ' +
      '( while kill -0 "$RIG_PARENT_PID" 2>/dev/null; do sleep 1; done; kill -9 "$jp" 2>/dev/null; ' +
      '  if [ -n "$RIG_OWNED_DIR" ]; then sleep 1; rm -rf "$RIG_OWNED_DIR"; fi ) & wp=$!; ' +
      'trap "" TERM; wait "$jp"; rc=$?; kill "$wp" 2>/dev/null; exit "$rc"';
    const child = spawn('sh', ['-c', script, this.opts.tag, javaCommand(), ...this.opts.javaArgs], {
      detached: true,
      stdio: ['ignore', logFd, logFd],
      env: {
        ...process.env,
        ...this.opts.env,
        RIG_PARENT_PID: String(process.pid),
        RIG_OWNED_DIR: this.opts.ownsDataDir ? this.opts.dataDir : '',
      },
    });
    closeSync(logFd);
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    live.add(this);
    installExitHook();
    try {
      await this.opts.ready(() => this.child === child);
    } catch (err) {
      await this.killGroup('SIGKILL');
      throw err;
    }
  }

  /** Graceful shutdown (SIGTERM, SIGKILL after 30 s); removes the data dir if the rig made it. */
  async stop(): Promise<void> {
    await this.shutdown();
    live.delete(this);
    if (this.opts.ownsDataDir) rmSync(this.opts.dataDir, { recursive: true, force: true });
  }

  /** SIGKILL, as a crash would; the data dir stays. */
  async kill(): Promise<void> {
    await this.killGroup('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.shutdown();
    await this.start();
  }

  /** SIGSTOP / SIGCONT the whole group (wrapper and java). */
  signal(sig: 'SIGSTOP' | 'SIGCONT'): void {
    if (!this.child?.pid) throw new Error(`${this.opts.name} is not running`);
    process.kill(-this.child.pid, sig);
  }

  /** The last lines of its log. */
  logTail(): string {
    return fileTail(this.opts.logPath);
  }

  /** Called from the process 'exit' hook: synchronous, best effort. */
  killNow(): void {
    if (this.child?.pid) {
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (this.opts.ownsDataDir) rmSync(this.opts.dataDir, { recursive: true, force: true });
  }

  private async shutdown(): Promise<void> {
    if (!this.child) return;
    // A paused server must run again to shut down.
    this.signal('SIGCONT');
    const timer = setTimeout(() => void this.killGroup('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await this.killGroup('SIGTERM');
    } finally {
      clearTimeout(timer);
    }
  }

  private async killGroup(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      /* group already gone */
    }
    await this.exited;
  }
}

/**
 * Polls `probe` every 300 ms until it returns null (ready); a string is why it is not ready yet.
 * Throws when the process exits meanwhile or after `timeoutMs`; `where` is e.g. 'Kafka broker on localhost:9092'.
 */
export async function waitUntilReady(
  server: JavaServer,
  running: () => boolean,
  where: string,
  timeoutMs: number,
  probe: () => Promise<string | null>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt yet';
  while (Date.now() < deadline) {
    if (!running())
      throw new Error(
        `${where} exited during startup. Last lines of ${server.logPath}:\n${server.logTail()}`,
      );
    const why = await probe();
    if (why === null) return;
    lastError = why;
    await sleep(300);
  }
  throw new Error(
    `${where} not ready after ${timeoutMs / 1000} s (last error: ${lastError}). Last lines of ${server.logPath}:\n${server.logTail()}`,
  );
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of live) server.killNow();
  });
}
