// A real single-node Apache Kafka (KRaft: broker and controller in one JVM) for tests, without
// Docker: the jars come from Maven Central through `mvn` (see maven.ts), the broker runs as a
// child `java` process on free loopback ports, with its data in a temp dir (or one you give).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { javaCommand, resolveClasspath } from './maven.js';
import {
  checkJava,
  JavaServer,
  LOG_TAIL_LINES,
  rigDataDir,
  rigPorts,
  serverForTests,
  waitUntilReady,
} from './java-process.js';

/** Pinned so every machine runs the same broker; the newest 4.x whose jars all resolve from Maven Central. */
export const KAFKA_VERSION = process.env.FINTRANS_KAFKA_VERSION ?? '4.3.1';
/** Kafka 4's own logging is log4j2; its jars log through slf4j 1.x, so bridge that to log4j2 too. */
const LOG4J_VERSION = '2.25.4';
const READY_TIMEOUT_MS = 90_000;
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

export async function startKafka(opts: KafkaRigOptions = {}): Promise<KafkaRig> {
  checkJava(`Kafka ${KAFKA_VERSION}`);
  const classpath = await resolveClasspath(
    [
      `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}`,
      `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J_VERSION}`,
    ],
    `kafka-${KAFKA_VERSION}`,
  );
  const { dataDir, ownsDataDir } = await rigDataDir(opts.dataDir, 'fintrans-kafka-');
  const extraNames = Object.keys(opts.extra?.listeners ?? {});
  const [port, controllerPort, ...extraPorts] = (await rigPorts(opts.port, 2 + extraNames.length)) as [
    number,
    number,
    ...number[],
  ];
  const extra = opts.extra && {
    ...opts.extra,
    ports: Object.fromEntries(extraNames.map((name, i) => [name, extraPorts[i]!])),
  };
  const broker = new RunningBroker(classpath, dataDir, ownsDataDir, port, controllerPort, extra);
  await broker.writeConfig();
  await broker.formatIfNeeded();
  await broker.server.start();
  return {
    bootstrap: `localhost:${port}`,
    dataDir,
    stop: () => broker.server.stop(),
    kill: () => broker.server.kill(),
    restart: () => broker.server.restart(),
    ...(extra ? { listenerPorts: extra.ports } : {}),
  };
}

/**
 * The policy for test files: start a broker, or, when that is impossible, FAIL under CI
 * (process.env.CI set: CI must never silently skip Kafka tests) and otherwise warn loudly and
 * return null so a local run without Java/Maven can skip its Kafka tests.
 */
export function kafkaForTests(opts?: KafkaRigOptions): Promise<KafkaRig | null> {
  return serverForTests('Kafka', 'a local Kafka broker', () => startKafka(opts));
}

class RunningBroker {
  private readonly configPath: string;
  private readonly log4jPath: string;
  readonly server: JavaServer;

  constructor(
    private readonly classpath: string,
    readonly dataDir: string,
    ownsDataDir: boolean,
    readonly port: number,
    private readonly controllerPort: number,
    private readonly extra?: KafkaExtraConfig & { ports: Record<string, number> },
  ) {
    this.configPath = join(dataDir, 'server.properties');
    this.log4jPath = join(dataDir, 'log4j2.properties');
    this.server = new JavaServer({
      name: 'Kafka broker',
      tag: 'kafka-rig',
      javaArgs: [...this.jvmArgs(), 'kafka.Kafka', this.configPath],
      dataDir,
      ownsDataDir,
      logPath: join(dataDir, 'broker.log'),
      ready: async (running) => {
        await this.waitReady(running);
        await this.warmGroupCoordinator();
      },
    });
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
      props['listener.security.protocol.map'] += names
        .map((n) => `,${n}:${this.extra!.listeners[n]}`)
        .join('');
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
      [
        ...this.jvmArgs(),
        'kafka.tools.StorageTool',
        'format',
        '--config',
        this.configPath,
        '--cluster-id',
        newClusterId(),
        '--ignore-formatted',
        ...(this.extra?.formatArgs ?? []),
      ],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (result.status !== 0) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`
        .trimEnd()
        .split('\n')
        .slice(-LOG_TAIL_LINES)
        .join('\n');
      throw new Error(
        `Formatting Kafka storage in ${this.dataDir} failed (${result.error?.message ?? `exit ${result.status}`}):\n${output}`,
      );
    }
  }

  private jvmArgs(): string[] {
    return [...JVM_ARGS, `-Dlog4j2.configurationFile=${this.log4jPath}`, '-cp', this.classpath];
  }

  private waitReady(running: () => boolean): Promise<void> {
    const kafka = new Kafka({
      clientId: 'fintrans-rig-probe',
      brokers: [`localhost:${this.port}`],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 0 },
    });
    return waitUntilReady(
      this.server,
      running,
      `Kafka broker on localhost:${this.port}`,
      READY_TIMEOUT_MS,
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          const cluster = await admin.describeCluster();
          await admin.listTopics();
          return cluster.brokers.length > 0 ? null : 'no broker registered yet';
        } catch (err) {
          return err instanceof Error ? err.message : String(err);
        } finally {
          await admin.disconnect().catch(() => undefined);
        }
      },
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
      throw new Error(
        `Kafka broker on localhost:${this.port} has no group coordinator (${message}). Last lines of ${this.server.logPath}:\n${this.server.logTail()}`,
      );
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
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
