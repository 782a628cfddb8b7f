// Runs conformance cases on Apache Flink SQL (local MiniCluster), one JVM for the whole corpus.
// Compiled and started by test/rig/flink.ts. Usage: java ... ConformanceMain <list-file>
// Each line of the list file is a case directory holding flink.sql: statements separated by a line
// "-- @@@". A statement preceded by a line "-- @@@COLLECT <file>" is a SELECT whose changelog is
// collected and materialised (+I/+U add a row, -U/-D remove one) into <file>, one row per line,
// fields separated by \u0001, NULL written as \u0002. Every other statement runs with executeSql;
// an INSERT's TableResult is awaited. The outcome of each case goes to <dir>/flink-status.txt
// ("OK", or "FAIL" and the error) and one line "CASE <dir> OK|FAIL" to stdout, so one failing case
// never stops the others.
// A directory holding fuzz-exprs.txt is a batch of the expression fuzzer instead (see runFuzz).
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.net.URI;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
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
        if (Files.exists(dir.resolve("fuzz-exprs.txt"))) runFuzz(dir);
        else runCase(dir);
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

  private static TableEnvironment newEnvironment() {
    return newEnvironment(new Configuration());
  }

  private static TableEnvironment newEnvironment(Configuration conf) {
    conf.setString("parallelism.default", "1");
    conf.setString("table.local-time-zone", "UTC");
    conf.setString("table.dml-sync", "false");
    EnvironmentSettings settings =
        EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build();
    return TableEnvironment.create(settings);
  }

  private static void runCase(Path dir) throws Exception {
    TableEnvironment tEnv = newEnvironment();
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

  // ---- the expression fuzzer (test/conformance/fuzz.test.ts) ----------------------------------
  // fuzz-table.sql: the CREATE TABLE; fuzz-exprs.txt: one expression per line, evaluated as columns
  // of `SELECT id, e1, e2, ... FROM fuzz` in batches (one Flink job evaluates hundreds). A batch
  // that Flink refuses or that fails at runtime is split in halves until each bad expression stands
  // alone, so one bad expression never costs the others. fuzz-results.txt gets one line per
  // expression: "OK\t<type>\t<value per row, by id, joined by \u0001>", "REJECTED\t<why>" (at
  // plan time) or "FAILED\t<why>" (at runtime). NULL is \u0002; strings have \\ and control
  // characters escaped (\\uXXXX) so a value never spans lines.

  private static final int FUZZ_BATCH = 1000; // each Flink job starts a MiniCluster of its own: few, wide jobs

  private static void runFuzz(Path dir) throws Exception {
    // One MiniCluster for every job of the run: by default each job starts one of its own, and
    // that start (RPC system, actor systems) costs more than evaluating a thousand expressions.
    Configuration clusterConf = new Configuration();
    clusterConf.setString("rest.port", "0");
    MiniCluster cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConf)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(1)
                .build());
    cluster.start();
    try {
      URI rest = cluster.getRestAddress().get();
      Configuration conf = new Configuration();
      conf.setString("execution.target", "remote");
      conf.setString("rest.address", rest.getHost());
      conf.setString("rest.port", String.valueOf(rest.getPort()));
      runFuzz(dir, newEnvironment(conf));
    } finally {
      cluster.close();
    }
  }

  private static void runFuzz(Path dir, TableEnvironment tEnv) throws Exception {
    tEnv.executeSql(new String(Files.readAllBytes(dir.resolve("fuzz-table.sql")), StandardCharsets.UTF_8));
    List<String> exprs = Files.readAllLines(dir.resolve("fuzz-exprs.txt"), StandardCharsets.UTF_8);
    String[] results = new String[exprs.size()];
    for (int from = 0; from < exprs.size(); from += FUZZ_BATCH) {
      fuzzBatch(tEnv, exprs, from, Math.min(exprs.size(), from + FUZZ_BATCH), results);
    }
    StringBuilder sb = new StringBuilder();
    for (String r : results) sb.append(r).append('\n');
    Files.write(dir.resolve("fuzz-results.txt"), sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static void fuzzBatch(TableEnvironment tEnv, List<String> exprs, int from, int to, String[] results) {
    StringBuilder select = new StringBuilder("SELECT id");
    for (int i = from; i < to; i++) select.append(",\n  ").append(exprs.get(i)).append(" AS c").append(i - from);
    select.append("\nFROM fuzz");
    Table table;
    try {
      table = tEnv.sqlQuery(select.toString());
    } catch (Throwable t) {
      splitOrRecord(tEnv, exprs, from, to, results, "REJECTED", t);
      return;
    }
    TreeMap<Integer, Row> rows = new TreeMap<>();
    try (CloseableIterator<Row> it = table.execute().collect()) {
      while (it.hasNext()) {
        Row row = it.next();
        rows.put((Integer) row.getField(0), row);
      }
    } catch (Throwable t) {
      splitOrRecord(tEnv, exprs, from, to, results, "FAILED", t);
      return;
    }
    for (int i = from; i < to; i++) {
      StringBuilder cells = new StringBuilder();
      boolean first = true;
      for (Row row : rows.values()) {
        if (!first) cells.append('\u0001');
        first = false;
        cells.append(fuzzCell(row.getField(1 + i - from)));
      }
      String type = table.getResolvedSchema().getColumnDataTypes().get(1 + i - from).toString();
      results[i] = "OK\t" + type + "\t" + cells;
    }
  }

  private static void splitOrRecord(TableEnvironment tEnv, List<String> exprs, int from, int to, String[] results, String outcome, Throwable t) {
    if (to - from == 1) {
      results[from] = outcome + "\t" + escape(rootMessage(t).trim());
      return;
    }
    int mid = (from + to) / 2;
    fuzzBatch(tEnv, exprs, from, mid, results);
    fuzzBatch(tEnv, exprs, mid, to, results);
  }

  private static String fuzzCell(Object v) {
    if (v == null) return "\u0002";
    if (v instanceof BigDecimal) return ((BigDecimal) v).toPlainString();
    if (v instanceof LocalDateTime) return v.toString().replace('T', ' ');
    if (v instanceof Instant) return LocalDateTime.ofInstant((Instant) v, ZoneOffset.UTC).toString().replace('T', ' ');
    return escape(v.toString());
  }

  private static String escape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') sb.append("\\\\");
      else if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }
}
