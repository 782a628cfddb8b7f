// A real single-node Apache Kafka (KRaft: broker and controller in one JVM) for tests, without
// Docker: the jars come from Maven Central through `mvn` (see maven.ts), the broker runs as a
// child `java` process on free loopback ports, with its data in a temp dir (or one you give).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { javaCommand, resolveClasspath } from './maven.js';

/** Pinned so every machine runs the same broker; the newest 4.x whose jars all resolve from Maven Central. */
export const KAFKA_VERSION = process.env.FINTRANS_KAFKA_VERSION ?? '4.3.1';
/** Kafka 4's own logging is log4j2; its jars log through slf4j 1.x, so bridge that to log4j2 too. */
const LOG4J_VERSION = '2.25.4';
const READY_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const LOG_TAIL_LINES = 40;
/** Modest JVM for a 2-core machine; the broker is a test fixture, not a benchmark subject. */
const JVM_ARGS = ['-Xms128m', '-Xmx512m', '-XX:+UseSerialGC', '-Djava.awt.headless=true'];

export interface KafkaRig {
  /** 'localhost:PORT' */
  bootstrap: string;
  /** The broker's data dir: server.properties, broker.log (its log, kept across restarts) and logs/. */
  dataDir: string;
  /** Graceful shutdown (SIGTERM, SIGKILL after 30 s); removes the data dir if the rig made it. */
  stop(): Promise<void>;
  /** SIGKILL the broker, as a crash would; the data dir stays, so restart() can follow. */
  kill(): Promise<void>;
  /** Stop (if running), then start again on the SAME ports and data dir. */
  restart(): Promise<void>;
  /** Only with opts.extra: each extra listener's name → its port (advertised as localhost:PORT). */
  listenerPorts?: Record<string, number>;
}

/** More listeners and settings on top of the plain broker (SSL/SASL tests: see kafka-security.ts). */
export interface KafkaExtraConfig {
  /** Listener name → security protocol (e.g. { SASL_SSL: 'SASL_SSL' }); each gets a free port. */
  listeners: Record<string, string>;
  /** More server.properties entries (listener.name.*, ssl.*, sasl.*). */
  properties: Record<string, string>;
  /** More `kafka-storage format` arguments, e.g. ['--add-scram', 'SCRAM-SHA-256=[name=u,password=p]']. */
  formatArgs?: string[];
}

export interface KafkaRigOptions {
  /** Where logs and metadata live; kept after stop(). Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  /** Client (PLAINTEXT) port; default: a free one. */
  port?: number;
  /** Extra listeners/settings; without it the broker is the PLAINTEXT-only one. */
  extra?: KafkaExtraConfig;
}

/** Rigs whose broker may still be running: killed when this process exits, however it exits. */
const live = new Set<RunningBroker>();
let exitHookInstalled = false;

export async function startKafka(opts: KafkaRigOptions = {}): Promise<KafkaRig> {
  checkJava();
  const classpath = await resolveClasspath(
    [
      `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
      `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J_VERSION}`,
    ],
    `kafka-${KAFKA_VERSION}`,
  );
  const ownsDataDir = opts.dataDir === undefined;
  const dataDir = resolve(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'fintrans-kafka-')));
  await mkdir(dataDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  let controllerPort = await freePort();
  while (controllerPort === port) controllerPort = await freePort();

  let extra: (KafkaExtraConfig & { ports: Record<string, number> }) | undefined;
  if (opts.extra) {
    const ports: Record<string, number> = {};
    const taken = new Set([port, controllerPort]);
    for (const name of Object.keys(opts.extra.listeners)) {
      let p = await freePort();
      while (taken.has(p)) p = await freePort();
      taken.add(p);
      ports[name] = p;
    }
    extra = { ...opts.extra, ports };
  }
  const broker = new RunningBroker(classpath, dataDir, ownsDataDir, port, controllerPort, extra);
  await broker.writeConfig();
  await broker.formatIfNeeded();
  await broker.start();
  return {
    bootstrap: `localhost:${port}`,
    dataDir,
    stop: () => broker.stop(),
    kill: () => broker.kill(),
    restart: () => broker.restart(),
    ...(extra ? { listenerPorts: extra.ports } : {}),
  };
}

/**
 * The policy for test files: start a broker, or, when that is impossible, FAIL under CI
 * (process.env.CI set: CI must never silently skip Kafka tests) and otherwise warn loudly and
 * return null so a local run without Java/Maven can skip its Kafka tests.
 */
export async function kafkaForTests(opts?: KafkaRigOptions): Promise<KafkaRig | null> {
  try {
    return await startKafka(opts);
  } catch (err) {
    if (process.env.CI) throw err;
    const message = err instanceof Error ? err.message : String(err);
    const bar = '!'.repeat(78);
    process.stderr.write(
      `\n${bar}\n!! Kafka tests SKIPPED: could not start a local Kafka broker.\n!! ${message.split('\n').join('\n!! ')}\n` +
        `!! (Under CI, with CI set, this is a failure.)\n${bar}\n\n`,
    );
    return null;
  }
}

class RunningBroker {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readonly configPath: string;
  private readonly log4jPath: string;
  readonly logPath: string;

  constructor(
    private readonly classpath: string,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    readonly port: number,
    private readonly controllerPort: number,
    private readonly extra?: KafkaExtraConfig & { ports: Record<string, number> },
  ) {
    this.configPath = join(dataDir, 'server.properties');
    this.log4jPath = join(dataDir, 'log4j2.properties');
    this.logPath = join(dataDir, 'broker.log');
  }

  async writeConfig(): Promise<void> {
    const props: Record<string, string | number | boolean> = {
      'process.roles': 'broker,controller',
      'node.id': 1,
      'controller.quorum.voters': `1@127.0.0.1:${this.controllerPort}`,
      listeners: `PLAINTEXT://127.0.0.1:${this.port},CONTROLLER://127.0.0.1:${this.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://localhost:${this.port}`,
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'log.dirs': join(this.dataDir, 'logs'),
      'num.partitions': 1,
      'auto.create.topics.enable': true,
      // One node: every internal topic must fit on it; few partitions keep first use quick.
      'offsets.topic.replication.factor': 1,
      'offsets.topic.num.partitions': 1,
      'transaction.state.log.replication.factor': 1,
      'transaction.state.log.min.isr': 1,
      'transaction.state.log.num.partitions': 1,
      'share.coordinator.state.topic.replication.factor': 1,
      'share.coordinator.state.topic.min.isr': 1,
      'group.initial.rebalance.delay.ms': 0,
      // After kill(), the restarted broker can only register once the dead one's session expires
      // (default 9 s); on loopback a short session is safe and makes crash-restart tests quick.
      'broker.heartbeat.interval.ms': 500,
      'broker.session.timeout.ms': 3000,
    };
    if (this.extra) {
      const names = Object.keys(this.extra.ports);
      props.listeners += names.map((n) => `,${n}://127.0.0.1:${this.extra!.ports[n]}`).join('');
      props['advertised.listeners'] += names.map((n) => `,${n}://localhost:${this.extra!.ports[n]}`).join('');
      props['listener.security.protocol.map'] += names.map((n) => `,${n}:${this.extra!.listeners[n]}`).join('');
      Object.assign(props, this.extra.properties);
    }
    const lines = Object.entries(props).map(([k, v]) => `${k}=${v}`);
    await writeFile(this.configPath, `# Generated by fintrans-sql test/rig/kafka.ts\n${lines.join('\n')}\n`);
    await writeFile(
      this.log4jPath,
      [
        'status = warn',
        'appender.out.type = Console',
        'appender.out.name = out',
        'appender.out.layout.type = PatternLayout',
        'appender.out.layout.pattern = [%d] %p %m (%c)%n',
        'rootLogger.level = INFO',
        'rootLogger.appenderRef.out.ref = out',
        '',
      ].join('\n'),
    );
  }

  /** KRaft needs formatted storage (cluster id + metadata log) before the first start. */
  async formatIfNeeded(): Promise<void> {
    if (existsSync(join(this.dataDir, 'logs', 'meta.properties'))) return;
    const result = spawnSync(
      javaCommand(),
      [...this.jvmArgs(), 'kafka.tools.StorageTool', 'format', '--config', this.configPath,
        '--cluster-id', newClusterId(), '--ignore-formatted', ...(this.extra?.formatArgs ?? [])],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
      throw new Error(
        `Formatting Kafka storage in ${this.dataDir} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
      );
    }
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('Kafka rig: start() while the broker is already running');
    const logFd = openSync(this.logPath, 'a');
    // A small sh wrapper is the process-group leader: it runs java and kills it with SIGKILL if this
    // Node process disappears without running its exit hooks (SIGKILL, OOM), so no broker is orphaned
    // (and removes the data dir if the rig made it).
    // The wrapper ignores SIGTERM so that a group SIGTERM reaches java and it shuts down cleanly.
    const script =
      '"$@" & jp=$!; ' +
      '( while kill -0 "$RIG_PARENT_PID" 2>/dev/null; do sleep 1; done; kill -9 "$jp" 2>/dev/null; ' +
      '  if [ -n "$RIG_OWNED_DIR" ]; then sleep 1; rm -rf "$RIG_OWNED_DIR"; fi ) & wp=$!; ' +
      'trap "" TERM; wait "$jp"; rc=$?; kill "$wp" 2>/dev/null; exit "$rc"';
    const child = spawn(
      'sh',
      ['-c', script, 'kafka-rig', javaCommand(), ...this.jvmArgs(), 'kafka.Kafka', this.configPath],
      {
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: {
          ...process.env,
          RIG_PARENT_PID: String(process.pid),
          RIG_OWNED_DIR: this.ownsDataDir ? this.dataDir : '',
        },
      },
    );
    closeSync(logFd);
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));
    child.once('exit', () => {
      if (this.child === child) this.child = null;
    });
    live.add(this);
    installExitHook();
    try {
      await this.waitReady();
      await this.warmGroupCoordinator();
    } catch (err) {
      await this.killGroup('SIGKILL');
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.shutdown();
    live.delete(this);
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  async kill(): Promise<void> {
    await this.killGroup('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.shutdown();
    await this.start();
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
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  private async shutdown(): Promise<void> {
    if (!this.child) return;
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

  private jvmArgs(): string[] {
    return [...JVM_ARGS, `-Dlog4j2.configurationFile=${this.log4jPath}`, '-cp', this.classpath];
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const kafka = new Kafka({
      clientId: 'fintrans-rig-probe',
      brokers: [`localhost:${this.port}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 0 },
    });
    let lastError = 'no attempt yet';
    while (Date.now() < deadline) {
      if (!this.child) {
        throw new Error(`Kafka broker exited during startup. Last lines of ${this.logPath}:\n${this.logTail()}`);
      }
      const admin = kafka.admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        await admin.listTopics();
        if (cluster.brokers.length > 0) return;
        lastError = 'no broker registered yet';
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
      await sleep(300);
    }
    throw new Error(
      `Kafka broker on localhost:${this.port} not ready after ${READY_TIMEOUT_MS / 1000} s (last error: ${lastError}). ` +
        `Last lines of ${this.logPath}:\n${this.logTail()}`,
    );
  }

  /**
   * The broker creates __consumer_offsets on the first group lookup; do that now, so tests' first
   * consumers do not log "group coordinator is not available" while it is being created.
   */
  private async warmGroupCoordinator(): Promise<void> {
    const kafka = new Kafka({
      clientId: 'fintrans-rig-probe',
      brokers: [`localhost:${this.port}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.describeGroups(['fintrans-rig-warmup']);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`Kafka broker on localhost:${this.port} has no group coordinator (${message}). Last lines of ${this.logPath}:\n${this.logTail()}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private logTail(): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
    } catch {
      return '(no broker log)';
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const broker of live) broker.killNow();
  });
}

function checkJava(): void {
  const result = spawnSync(javaCommand(), ['-version'], { encoding: 'utf8' });
  if (result.error) {
    throw new Error(
      `Cannot run '${javaCommand()}' (${result.error.message}). Kafka needs a JDK 17+: install one (e.g. apt-get install openjdk-17-jdk-headless) or set JAVA_HOME.`,
    );
  }
  const banner = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(banner);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    throw new Error(`Kafka ${KAFKA_VERSION} needs Java 17+, but '${javaCommand()} -version' says: ${banner.split('\n')[0]}`);
  }
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (Kafka's Uuid text form). */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    // Kafka never hands out ids starting with '-' (they read as CLI flags); neither do we.
    if (!id.startsWith('-')) return id;
  }
}

/** A port the OS reports free right now, on loopback. */
function freePort(): Promise<number> {
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

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
