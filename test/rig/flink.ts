// Apache Flink SQL in a local MiniCluster, for the conformance suite (test/conformance), without a
// Flink distribution: the jars come from Maven Central through `mvn` (see maven.ts), a small Java
// main (test/conformance/ConformanceMain.java) is compiled with javac into the cache, and ONE JVM
// runs a whole list of cases (JVM + Flink startup is the slow part).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot, javaCommand, resolveClasspath } from './maven.js';
import { checkJava, compileJavaMain } from './java-process.js';

/** Pinned: 1.20.x is the LTS line that runs on Java 17 with the launcher's --add-opens list. */
export const FLINK_VERSION = process.env.FINTRANS_FLINK_VERSION ?? '1.20.3';

const ARTIFACTS = [
  'flink-table-api-java',
  'flink-table-planner-loader',
  'flink-table-runtime',
  'flink-clients',
  'flink-connector-files',
  'flink-csv',
  'flink-json',
  // MATCH_RECOGNIZE runs on Flink's CEP library (a distribution has it in flink-dist).
  'flink-cep',
  // 'format' = 'avro' (issue 20): Avro container files on the filesystem connector.
  'flink-avro',
];
/** Flink logs through slf4j; without a binding it prints one warning and stays quiet. */
const EXTRA = [
  'org.slf4j:slf4j-nop:1.7.36',
  // 'connector' = 'jdbc' (issue 17): since 3.3 the SQL factory is in -core, the dialect in -postgres,
  // which expects the driver on the classpath (its dependency is 'provided').
  'org.apache.flink:flink-connector-jdbc-core:3.3.0-1.20',
  'org.apache.flink:flink-connector-jdbc-postgres:3.3.0-1.20',
  'org.postgresql:postgresql:42.7.4',
];

/** What Flink 1.20's bin/config.sh passes to every JVM on Java 17 (env.java.opts.all default). */
export const FLINK_JAVA17_OPTS = [
  '-XX:+IgnoreUnrecognizedVMOptions',
  '--add-exports=java.base/sun.net.util=ALL-UNNAMED',
  '--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED',
  '--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED',
  '--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED',
  '--add-opens=java.base/java.lang=ALL-UNNAMED',
  '--add-opens=java.base/java.net=ALL-UNNAMED',
  '--add-opens=java.base/java.io=ALL-UNNAMED',
  '--add-opens=java.base/java.nio=ALL-UNNAMED',
  '--add-opens=java.base/sun.nio.ch=ALL-UNNAMED',
  '--add-opens=java.base/java.lang.reflect=ALL-UNNAMED',
  '--add-opens=java.base/java.text=ALL-UNNAMED',
  '--add-opens=java.base/java.time=ALL-UNNAMED',
  '--add-opens=java.base/java.util=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED',
  '--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED',
];
const JVM_ARGS = [
  '-Xms256m',
  '-Xmx1g',
  '-XX:+UseSerialGC',
  '-Djava.awt.headless=true',
  '-Duser.language=en',
  '-Duser.country=US',
  '-Duser.timezone=UTC',
];
const RUN_TIMEOUT_MS = 20 * 60_000;

export interface FlinkRunner {
  /**
   * Runs every case directory (each holds flink.sql, see ConformanceMain.java) in one JVM.
   * Returns, per directory, null when Flink ran it, else Flink's error. `onCase` sees each as it ends.
   */
  runCases(dirs: string[], onCase?: (dir: string, ok: boolean) => void): Promise<Map<string, string | null>>;
}

/** Resolve Flink's jars, compile the Java main (cached by its source), and return a runner. */
export async function prepareFlink(javaSource: string): Promise<FlinkRunner> {
  checkJava(`Flink ${FLINK_VERSION}`, 11);
  const classpath = await resolveClasspath(
    [...ARTIFACTS.map((a) => `org.apache.flink:${a}:${FLINK_VERSION}`), ...EXTRA],
    `flink-${FLINK_VERSION}`,
  );
  const source = readFileSync(javaSource, 'utf8');
  const classesDir = join(cacheRoot(), `flink-${FLINK_VERSION}`, 'classes');
  const mainClass = /public\s+class\s+(\w+)/.exec(source)?.[1];
  if (!mainClass) throw new Error(`${javaSource}: no public class`);
  await compileJavaMain(source, mainClass, classpath, classesDir);
  const cp = `${classesDir}:${classpath}`;
  return {
    async runCases(dirs, onCase) {
      const listFile = join(classesDir, `cases-${process.pid}.txt`);
      await writeFile(listFile, dirs.join('\n') + '\n');
      const results = new Map<string, string | null>();
      let log = '';
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          javaCommand(),
          [...FLINK_JAVA17_OPTS, ...JVM_ARGS, '-cp', cp, mainClass, listFile],
          {
            stdio: ['ignore', 'pipe', 'pipe'],
          },
        );
        const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
        let pending = '';
        child.stdout.on('data', (chunk: Buffer) => {
          pending += chunk.toString('utf8');
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            const m = /^CASE (.*) (OK|FAIL)$/.exec(line);
            if (m) onCase?.(m[1]!, m[2] === 'OK');
            else log += line + '\n';
          }
        });
        child.stderr.on('data', (chunk: Buffer) => {
          log += chunk.toString('utf8');
          if (log.length > 200_000) log = log.slice(-100_000);
        });
        child.on('error', (err) => {
          clearTimeout(timer);
          reject(new Error(`Could not start ${javaCommand()}: ${err.message}`));
        });
        child.on('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      await rm(listFile, { force: true });
      for (const dir of dirs) {
        const statusFile = join(dir, 'flink-status.txt');
        if (!existsSync(statusFile)) {
          results.set(
            dir,
            `the Flink JVM ended before this case ran; its last output:\n${log.split('\n').slice(-30).join('\n')}`,
          );
          continue;
        }
        const status = readFileSync(statusFile, 'utf8');
        results.set(dir, status.startsWith('OK') ? null : status.slice('FAIL\n'.length));
      }
      return results;
    },
  };
}

/** The classpath above (resolved once, cached), for other Java mains on Flink: the bench's FlinkBenchMain. */
export function flinkClasspath(): Promise<string> {
  return resolveClasspath(
    [...ARTIFACTS.map((a) => `org.apache.flink:${a}:${FLINK_VERSION}`), ...EXTRA],
    `flink-${FLINK_VERSION}`,
  );
}
