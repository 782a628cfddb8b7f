// Runs one bench job on Apache Flink SQL in a local MiniCluster and times it, for `npm run bench --
// --flink` (test/bench/flink.ts compiles and starts it with the conformance rig's jars).
// Usage: java ... FlinkBenchMain <flink.sql> <parallelism>
// flink.sql holds the job's statements separated by lines "-- @@@" (as ConformanceMain reads them);
// every statement runs with executeSql and an INSERT's job is awaited. The MiniCluster (one
// TaskManager with <parallelism> slots) is started before the job, so the job's time is the job's
// own: submit to finished. Prints one line to stdout:
//   FLINK_BENCH ready_ms=<JVM start to cluster and tables ready> job_ms=<executeSql(INSERT) to
//   finished> net_runtime_ms=<Flink's own JobExecutionResult.getNetRuntime()>
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;

public class FlinkBenchMain {
  public static void main(String[] args) throws Exception {
    String text = new String(Files.readAllBytes(Paths.get(args[0])), StandardCharsets.UTF_8);
    int parallelism = Integer.parseInt(args[1]);
    List<String> statements = new ArrayList<>();
    StringBuilder stmt = new StringBuilder();
    for (String l : text.split("\n", -1)) {
      if (l.startsWith("-- @@@")) {
        if (stmt.toString().trim().length() > 0) statements.add(stmt.toString());
        stmt.setLength(0);
      } else {
        stmt.append(l).append('\n');
      }
    }
    if (stmt.toString().trim().length() > 0) statements.add(stmt.toString());

    Configuration clusterConf = new Configuration();
    clusterConf.setString("rest.port", "0");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(parallelism)
                .build());
    cluster.start();
    long jobMs = -1;
    long netMs = -1;
    long readyMs = -1;
    try {
      URI rest = cluster.getRestAddress().get();
      Configuration conf = new Configuration();
      conf.setString("execution.target", "remote");
      conf.setString("rest.address", rest.getHost());
      conf.setString("rest.port", String.valueOf(rest.getPort()));
      conf.setString("parallelism.default", String.valueOf(parallelism));
      conf.setString("table.local-time-zone", "UTC");
      TableEnvironment tEnv =
          TableEnvironment.create(
              EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
      for (String s : statements) {
        boolean insert = s.trim().replaceFirst("^(--[^\n]*\n\\s*)*", "").toUpperCase().startsWith("INSERT");
        if (!insert) {
          tEnv.executeSql(s);
          continue;
        }
        readyMs = ManagementFactory.getRuntimeMXBean().getUptime();
        long t0 = System.nanoTime();
        TableResult r = tEnv.executeSql(s);
        JobExecutionResult result = r.getJobClient().get().getJobExecutionResult().get();
        jobMs = (System.nanoTime() - t0) / 1_000_000;
        netMs = result.getNetRuntime();
      }
    } finally {
      cluster.close();
    }
    System.out.println("FLINK_BENCH ready_ms=" + readyMs + " job_ms=" + jobMs + " net_runtime_ms=" + netMs);
    System.out.flush();
    System.exit(0);
  }
}
