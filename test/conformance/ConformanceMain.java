// Runs conformance cases on Apache Flink SQL (local MiniCluster), one JVM for the whole corpus.
// Compiled and started by test/rig/flink.ts. Usage: java ... ConformanceMain <list-file>
// Each line of the list file is a case directory holding flink.sql: statements separated by a line
// "-- @@@". A statement preceded by a line "-- @@@COLLECT <file>" is a SELECT whose changelog is
// collected and materialised (+I/+U add a row, -U/-D remove one) into <file>, one row per line,
// fields separated by \u0001, NULL written as \u0002. Every other statement runs with executeSql;
// an INSERT's TableResult is awaited. The outcome of each case goes to <dir>/flink-status.txt
// ("OK", or "FAIL" and the error) and one line "CASE <dir> OK|FAIL" to stdout, so one failing case
// never stops the others.
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

public class ConformanceMain {
  public static void main(String[] args) throws Exception {
    List<String> dirs = Files.readAllLines(Paths.get(args[0]), StandardCharsets.UTF_8);
    for (String line : dirs) {
      String d = line.trim();
      if (d.isEmpty()) continue;
      Path dir = Paths.get(d);
      String status;
      try {
        runCase(dir);
        status = "OK";
      } catch (Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        status = "FAIL\n" + rootMessage(t) + "\n" + sw;
      }
      Files.write(dir.resolve("flink-status.txt"), status.getBytes(StandardCharsets.UTF_8));
      System.out.println("CASE " + d + " " + (status.startsWith("OK") ? "OK" : "FAIL"));
      System.out.flush();
    }
    System.exit(0);
  }

  private static String rootMessage(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getClass().getSimpleName()).append(": ").append(c.getMessage()).append('\n');
      if (c.getCause() == c) break;
    }
    return sb.toString();
  }

  private static void runCase(Path dir) throws Exception {
    Configuration conf = new Configuration();
    conf.setString("parallelism.default", "1");
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("table.dml-sync", "false");
    EnvironmentSettings settings =
        EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build();
    TableEnvironment tEnv = TableEnvironment.create(settings);
    String text = new String(Files.readAllBytes(dir.resolve("flink.sql")), StandardCharsets.UTF_8);
    String collectTo = null;
    StringBuilder stmt = new StringBuilder();
    List<String[]> statements = new ArrayList<>();
    for (String l : text.split("\n", -1)) {
      if (l.startsWith("-- @@@")) {
        if (stmt.toString().trim().length() > 0) statements.add(new String[] {stmt.toString(), collectTo});
        stmt.setLength(0);
        collectTo = l.startsWith("-- @@@COLLECT ") ? l.substring("-- @@@COLLECT ".length()).trim() : null;
      } else {
        stmt.append(l).append('\n');
      }
    }
    if (stmt.toString().trim().length() > 0) statements.add(new String[] {stmt.toString(), collectTo});
    for (String[] s : statements) {
      if (s[1] != null) {
        collect(tEnv, s[0], Paths.get(s[1]));
      } else {
        TableResult r = tEnv.executeSql(s[0]);
        if (r.getJobClient().isPresent()) r.await();
      }
    }
  }

  private static void collect(TableEnvironment tEnv, String select, Path out) throws Exception {
    List<Row> rows = new ArrayList<>();
    TableResult r = tEnv.executeSql(select);
    try (CloseableIterator<Row> it = r.collect()) {
      while (it.hasNext()) {
        Row row = it.next();
        RowKind kind = row.getKind();
        row.setKind(RowKind.INSERT);
        if (kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER) {
          rows.add(row);
        } else {
          int at = rows.lastIndexOf(row);
          if (at < 0) throw new IllegalStateException("retraction of a row never inserted: " + row);
          rows.remove(at);
        }
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Row row : rows) {
      for (int i = 0; i < row.getArity(); i++) {
        if (i > 0) sb.append('\u0001');
        Object v = row.getField(i);
        sb.append(v == null ? "\u0002" : v.toString());
      }
      sb.append('\n');
    }
    Files.write(out, sb.toString().getBytes(StandardCharsets.UTF_8));
  }
}
