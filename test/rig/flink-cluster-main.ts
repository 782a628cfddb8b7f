// `npm run flink`: a standalone Flink session cluster (JobManager, TaskManager, SQL Gateway) on this
// machine, to deploy jobs to by hand:
//   node dist/test/rig/flink-cluster-main.js [--port N] [--data-dir DIR]   (--port: the SQL Gateway's)
//   FINTRANS_FLINK_VERSION=2.3.0 npm run flink    (the newest Flink 2.x instead of 1.20.3)
//   fintrans-sql deploy jobs/laundering.sql --flink http://localhost:N --brokers localhost:9092
import { startFlinkCluster } from './flink-cluster.js';
import { parseRigArgs, runUntilStopped } from './rig-main.js';

const opts = parseRigArgs('flink-cluster-main', process.argv.slice(2));
runUntilStopped('the Flink cluster', async () => {
  const rig = await startFlinkCluster({
    ...(opts.dataDir !== undefined ? { dataDir: opts.dataDir } : {}),
    ...(opts.port !== undefined ? { gatewayPort: opts.port } : {}),
  });
  const where = opts.dataDir ? rig.dataDir : `${rig.dataDir}, removed on stop`;
  process.stdout.write(
    [
      `Flink ${rig.version} session cluster is running (1 TaskManager, ${rig.slots} slots; config and logs in ${where}).`,
      `  SQL Gateway:          ${rig.gatewayUrl}`,
      `  JobManager (web UI):  ${rig.restUrl}`,
      `Deploy a job:  fintrans-sql deploy jobs/laundering.sql --flink ${rig.gatewayUrl} --brokers <host:port>`,
      `Ctrl-C to stop.`,
      '',
    ].join('\n'),
  );
  return rig;
});
