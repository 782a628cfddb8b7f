// `npm run kafka`: run the test rig's single-node Kafka by hand, e.g. to try jobs against it.
//   node dist/test/rig/kafka-main.js [--port N] [--data-dir DIR]
import { startKafka, KAFKA_VERSION, type KafkaRigOptions } from './kafka.js';

function parseArgs(argv: string[]): KafkaRigOptions {
  const opts: KafkaRigOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--port' && value !== undefined) {
      const port = Number(value);
      if (!Number.isInteger(port) || port <= 0 || port > 65535) usage(`--port wants a TCP port number, got '${value}'`);
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

function usage(problem?: string): never {
  if (problem) process.stderr.write(`kafka-main: ${problem}\n`);
  process.stderr.write('usage: node dist/test/rig/kafka-main.js [--port N] [--data-dir DIR]\n');
  process.exit(problem ? 2 : 0);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const rig = await startKafka(opts);
  const where = opts.dataDir ? rig.dataDir : `${rig.dataDir}, removed on stop`;
  process.stdout.write(
    `Kafka ${KAFKA_VERSION} is running at ${rig.bootstrap} (KRaft single node, data in ${where}). Ctrl-C to stop.\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping Kafka...\n');
    rig.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Stopping Kafka failed: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
