// `npm run postgres`: run the test rig's private PostgreSQL cluster by hand, e.g. to try 'jdbc' tables against it.
//   node dist/test/rig/postgres-main.js [--port N] [--data-dir DIR]
import { startPostgres } from './postgres.js';
import { parseRigArgs, runUntilStopped } from './rig-main.js';

const opts = parseRigArgs('postgres-main', process.argv.slice(2));
runUntilStopped('PostgreSQL', async () => {
  const rig = await startPostgres(opts);
  const where = opts.dataDir ? rig.dataDir : `${rig.dataDir}, removed on stop`;
  process.stdout.write(
    `PostgreSQL ${rig.version} is running at 127.0.0.1:${rig.port}, database '${rig.database}' (data in ${where}).\n` +
      `Use it from a job: 'connector' = 'jdbc', 'url' = '${rig.jdbcUrl}', 'username' = '${rig.user}', 'password' = '${rig.password}'.\n` +
      `psql: PGPASSWORD='${rig.password}' psql -h 127.0.0.1 -p ${rig.port} -U ${rig.user} ${rig.database}. Ctrl-C to stop.\n`,
  );
  // pg_ctl runs the server as a daemon, not as our child: nothing else keeps this process up until Ctrl-C.
  setInterval(() => undefined, 3_600_000);
  return rig;
});
