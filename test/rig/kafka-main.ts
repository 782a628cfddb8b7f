// `npm run kafka`: run the test rig's single-node Kafka by hand, e.g. to try jobs against it.
//   node dist/test/rig/kafka-main.js [--port N] [--data-dir DIR]
import { startKafka, KAFKA_VERSION } from './kafka.js';
import { parseRigArgs, runUntilStopped } from './rig-main.js';

const opts = parseRigArgs('kafka-main', process.argv.slice(2));
runUntilStopped('Kafka', async () => {
  const rig = await startKafka(opts);
  const where = opts.dataDir ? rig.dataDir : `${rig.dataDir}, removed on stop`;
  process.stdout.write(
    `Kafka ${KAFKA_VERSION} is running at ${rig.bootstrap} (KRaft single node, data in ${where}). Ctrl-C to stop.\n`,
  );
  return rig;
});
