// A real standalone Flink session cluster on this machine, for `fintrans-sql deploy` and its tests,
// without a Flink distribution (flink-dist is not on Maven Central): the jars come from Maven
// Central through `mvn` (see maven.ts) and three JVMs run the entrypoints a distribution's scripts
// would start: the JobManager (StandaloneSessionClusterEntrypoint, flink-runtime), one TaskManager
// (TaskManagerRunner) and the SQL Gateway (SqlGateway, flink-sql-gateway, REST endpoint). Each reads
// a generated config.yaml in its own config dir (FLINK_CONF_DIR); the memory flags a distribution's
// scripts compute are computed the same way, by flink-runtime's BashJavaUtils.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FLINK_JAVA17_OPTS, FLINK_VERSION } from './flink.js';
import { javaCommand, resolveClasspath } from './maven.js';
import {
  checkJava,
  JavaServer,
  rigDataDir,
  rigPorts,
  serverForTests,
  sleep,
  waitUntilReady,
} from './java-process.js';

/** What a distribution's lib/ holds that SQL jobs here need: table runtime and planner, files, csv/json, CEP, Kafka. */
const ARTIFACTS = [
  'flink-runtime',
  'flink-clients',
  'flink-table-api-java',
  'flink-table-planner-loader',
  'flink-table-runtime',
  'flink-connector-files',
  'flink-csv',
  'flink-json',
  'flink-cep',
  'flink-sql-gateway',
];
/**
 * The Kafka table connector for each Flink line. flink-sql-connector-kafka (the shaded fat jar) is
 * not published for 1.20; flink-connector-kafka with its kafka-clients dependency is the same code.
 */
const KAFKA_CONNECTOR: Record<string, string> = {
  '1.20': '3.4.0-1.20',
  '2.0': '4.0.1-2.0',
  '2.1': '5.0.0-2.1',
  '2.2': '5.0.0-2.2',
  // No 2.3 build of the connector yet; the 2.2 one runs on 2.3 (the tests deploy a Kafka job on it).
  '2.3': '5.0.0-2.2',
};
/** The newest Flink 2.x on Maven Central, which the rig and `deploy` also run (FINTRANS_FLINK_VERSION picks the default). */
export const FLINK_2_VERSION = '2.3.0';
/** Logs go through slf4j 1.x to log4j2, one log file per JVM in the cluster's data dir. */
const LOG4J_VERSION = '2.25.4';
const READY_TIMEOUT_MS = 120_000;
/** Small on purpose: a 2-core, 24 GiB machine runs this next to Kafka and the tests' own JVMs. */
const JM_PROCESS_SIZE = '768m';
const TM_MEMORY: Record<string, string> = {
  'taskmanager.memory.task.heap.size': '320m',
  'taskmanager.memory.managed.size': '64m',
  'taskmanager.memory.network.min': '32m',
  'taskmanager.memory.network.max': '32m',
  'taskmanager.memory.jvm-metaspace.size': '192m',
  'taskmanager.memory.framework.heap.size': '96m',
  'taskmanager.memory.framework.off-heap.size': '96m',
  'taskmanager.memory.jvm-overhead.min': '96m',
  'taskmanager.memory.jvm-overhead.max': '96m',
};
const GATEWAY_JVM = ['-Xms64m', '-Xmx384m'];
const COMMON_JVM = [
  '-XX:+UseSerialGC',
  '-Djava.awt.headless=true',
  '-Duser.language=en',
  '-Duser.country=US',
  '-Duser.timezone=UTC',
];

export interface FlinkClusterRig {
  readonly version: string;
  /** The JobManager's REST API and web UI: http://localhost:PORT */
  readonly restUrl: string;
  /** The SQL Gateway's REST endpoint: http://localhost:PORT */
  readonly gatewayUrl: string;
  /** Config dir (config.yaml), the three JVMs' logs (jobmanager.log, taskmanager.log, sql-gateway.log). */
  readonly dataDir: string;
  readonly slots: number;
  /** Stops the gateway, the TaskManager and the JobManager; removes the data dir if the rig made it. */
  stop(): Promise<void>;
}

export interface FlinkClusterOptions {
  /** Where config and logs live; kept after stop(). Default: a fresh temp dir, removed by stop(). */
  dataDir?: string;
  /** The SQL Gateway's port; default: a free one. */
  gatewayPort?: number;
  /** The Flink version (default: FLINK_VERSION, 1.20.3 unless FINTRANS_FLINK_VERSION says otherwise). */
  version?: string;
  /** Task slots of the one TaskManager (default 2: the laundering job and a second one side by side). */
  slots?: number;
}

/** The Kafka connector version that goes with a Flink version, or a message saying there is none. */
export function kafkaConnectorVersion(flinkVersion: string): string {
  const line = /^(\d+\.\d+)/.exec(flinkVersion)?.[1] ?? flinkVersion;
  const v = KAFKA_CONNECTOR[line];
  if (!v)
    throw new Error(
      `no Flink Kafka connector known for Flink ${flinkVersion} (known: ${Object.keys(KAFKA_CONNECTOR).join(', ')}); add it to KAFKA_CONNECTOR in test/rig/flink-cluster.ts`,
    );
  return v;
}

export async function startFlinkCluster(opts: FlinkClusterOptions = {}): Promise<FlinkClusterRig> {
  const version = opts.version ?? FLINK_VERSION;
  checkJava(`Flink ${version}`, 11);
  const classpath = await resolveClasspath(
    [
      ...ARTIFACTS.map((a) => `org.apache.flink:${a}:${version}`),
      `org.apache.flink:flink-connector-kafka:${kafkaConnectorVersion(version)}`,
      `org.apache.logging.log4j:log4j-slf4j-impl:${LOG4J_VERSION}`,
    ],
    `flink-cluster-${version}`,
  );
  const { dataDir, ownsDataDir } = await rigDataDir(opts.dataDir, 'fintrans-flink-');
  const [gatewayPort, restPort, rpcPort] = (await rigPorts(opts.gatewayPort, 3)) as [number, number, number];
  const slots = opts.slots ?? 2;
  const confDir = join(dataDir, 'conf');
  await mkdir(confDir, { recursive: true });
  const config: Record<string, string | number> = {
    'jobmanager.rpc.address': 'localhost',
    'jobmanager.rpc.port': rpcPort,
    'jobmanager.bind-host': 'localhost',
    'jobmanager.memory.process.size': JM_PROCESS_SIZE,
    'taskmanager.host': 'localhost',
    'taskmanager.bind-host': 'localhost',
    'taskmanager.numberOfTaskSlots': slots,
    ...TM_MEMORY,
    'rest.address': 'localhost',
    'rest.bind-address': 'localhost',
    'rest.port': restPort,
    'sql-gateway.endpoint.rest.address': 'localhost',
    'sql-gateway.endpoint.rest.bind-address': 'localhost',
    'sql-gateway.endpoint.rest.port': gatewayPort,
    // The gateway submits to this session cluster.
    'execution.target': 'remote',
    'io.tmp.dirs': join(dataDir, 'tmp'),
    'web.tmpdir': join(dataDir, 'tmp', 'web'),
    'blob.storage.directory': join(dataDir, 'tmp', 'blobs'),
    'parallelism.default': 1,
    // A job that fails stays failed: a test (and a user) sees Flink's error instead of restarts.
    'restart-strategy.type': 'none',
  };
  await mkdir(join(dataDir, 'tmp'), { recursive: true });
  // Flat keys are valid in Flink's YAML config file (config.yaml, the 1.19+ standard-YAML format).
  await writeFile(
    join(confDir, 'config.yaml'),
    `# Generated by fintrans-sql test/rig/flink-cluster.ts\n${Object.entries(config)
      .map(([k, v]) => `${k}: ${typeof v === 'number' ? v : JSON.stringify(v)}`)
      .join('\n')}\n`,
  );
  const log4j = join(confDir, 'log4j2.properties');
  await writeFile(
    log4j,
    [
      'status = warn',
      'appender.out.type = Console',
      'appender.out.name = out',
      'appender.out.layout.type = PatternLayout',
      'appender.out.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.out.ref = out',
      // The Kafka client's per-record chatter buries the job's own messages.
      'logger.kafka.name = org.apache.kafka',
      'logger.kafka.level = WARN',
      '',
    ].join('\n'),
  );
  const base = [
    ...FLINK_JAVA17_OPTS,
    ...COMMON_JVM,
    `-Dlog4j2.configurationFile=${log4j}`,
    `-Dlog4j.configurationFile=${log4j}`,
  ];
  const jm = memoryParams(classpath, confDir, 'GET_JM_RESOURCE_PARAMS');
  const tm = memoryParams(classpath, confDir, 'GET_TM_RESOURCE_PARAMS');
  const env = { FLINK_CONF_DIR: confDir };
  const restUrl = `http://localhost:${restPort}`;
  const gatewayUrl = `http://localhost:${gatewayPort}`;

  const jobManager: JavaServer = new JavaServer({
    name: 'Flink JobManager',
    tag: 'flink-jobmanager-rig',
    javaArgs: [
      ...base,
      ...jm.jvm,
      '-cp',
      classpath,
      'org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint',
      '--configDir',
      confDir,
      ...jm.dynamic,
    ],
    dataDir,
    ownsDataDir: false,
    env,
    logPath: join(dataDir, 'jobmanager.log'),
    ready: (running) =>
      waitUntilReady(
        jobManager,
        running,
        `Flink JobManager on ${restUrl}`,
        READY_TIMEOUT_MS,
        async () => (await getJson(`${restUrl}/config`)).error,
      ),
  });
  const taskManager: JavaServer = new JavaServer({
    name: 'Flink TaskManager',
    tag: 'flink-taskmanager-rig',
    javaArgs: [
      ...base,
      ...tm.jvm,
      '-cp',
      classpath,
      'org.apache.flink.runtime.taskexecutor.TaskManagerRunner',
      '--configDir',
      confDir,
      ...tm.dynamic,
    ],
    dataDir,
    ownsDataDir: false,
    env,
    logPath: join(dataDir, 'taskmanager.log'),
    ready: (running) =>
      waitUntilReady(taskManager, running, `Flink TaskManager of ${restUrl}`, READY_TIMEOUT_MS, async () => {
        const r = await getJson(`${restUrl}/overview`);
        if (r.error) return r.error;
        const slotsTotal = (r.body as { 'slots-total'?: number })['slots-total'] ?? 0;
        return slotsTotal >= slots ? null : `${slotsTotal} of ${slots} task slots registered`;
      }),
  });
  const gateway: JavaServer = new JavaServer({
    name: 'Flink SQL Gateway',
    tag: 'flink-sql-gateway-rig',
    javaArgs: [...base, ...GATEWAY_JVM, '-cp', classpath, 'org.apache.flink.table.gateway.SqlGateway'],
    dataDir,
    ownsDataDir: false,
    env,
    logPath: join(dataDir, 'sql-gateway.log'),
    ready: (running) =>
      waitUntilReady(gateway, running, `Flink SQL Gateway on ${gatewayUrl}`, READY_TIMEOUT_MS, async () => {
        const r = await getJson(`${gatewayUrl}/v1/info`);
        return r.error;
      }),
  });
  const servers = [jobManager, taskManager, gateway];
  const stop = async (): Promise<void> => {
    // Gateway first (it holds sessions on the cluster), then the TaskManager, then the JobManager.
    for (const s of [...servers].reverse()) await s.stop();
    if (ownsDataDir) {
      const { rm } = await import('node:fs/promises');
      // The JVMs may still be flushing their logs for a moment after exit.
      await sleep(100);
      await rm(dataDir, { recursive: true, force: true });
    }
  };
  try {
    // The JobManager first; the TaskManager and the gateway then start side by side (2 cores).
    await jobManager.start();
    await Promise.all([taskManager.start(), gateway.start()]);
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { version, restUrl, gatewayUrl, dataDir, slots, stop };
}

/**
 * The policy for test files: start the cluster, or FAIL under CI (CI set) and otherwise warn
 * loudly and return null so a local run without Java/Maven skips.
 */
export function flinkClusterForTests(opts?: FlinkClusterOptions): Promise<FlinkClusterRig | null> {
  return serverForTests('Flink cluster', `a Flink ${opts?.version ?? FLINK_VERSION} session cluster`, () =>
    startFlinkCluster(opts),
  );
}

/**
 * The JVM flags and `-D key=value` settings for a JobManager or TaskManager process, as Flink's
 * bin/jobmanager.sh and bin/taskmanager.sh get them: from BashJavaUtils over the same config.
 */
function memoryParams(
  classpath: string,
  confDir: string,
  command: 'GET_JM_RESOURCE_PARAMS' | 'GET_TM_RESOURCE_PARAMS',
): { jvm: string[]; dynamic: string[] } {
  const r = spawnSync(
    javaCommand(),
    [
      '-Xmx128m',
      '-cp',
      classpath,
      'org.apache.flink.runtime.util.bash.BashJavaUtils',
      command,
      '--configDir',
      confDir,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const results = `${r.stdout ?? ''}`
    .split('\n')
    .filter((l) => l.startsWith('BASH_JAVA_UTILS_EXEC_RESULT:'))
    .map((l) => l.slice('BASH_JAVA_UTILS_EXEC_RESULT:'.length).trim());
  if (r.status !== 0 || results.length < 2) {
    throw new Error(
      `Flink's BashJavaUtils ${command} failed (${r.error?.message ?? `exit ${r.status}`}):\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-20).join('\n')}`,
    );
  }
  // "-D a=1 -D b=2" → ['-D', 'a=1', ...]: the entrypoints read them as dynamic properties.
  return { jvm: results[0]!.split(/\s+/), dynamic: results[1]!.split(/\s+/) };
}

async function getJson(url: string): Promise<{ error: string | null; body?: unknown }> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    if (!res.ok) return { error: `${url}: HTTP ${res.status}` };
    return { error: null, body: await res.json() };
  } catch (err) {
    return { error: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
