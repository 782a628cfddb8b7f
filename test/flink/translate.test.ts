// The deploy translation (app/flink/translate.ts) without a cluster: what is listed, what the
// statements sent to Flink say, what is refused and why; and how Flink's errors are shown.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeployRefused, translateJob } from '../../app/flink/translate.js';
import { flinkCause } from '../../app/flink/rest.js';
import { mapFlinkPositions } from '../../app/flink/commands.js';
import { ROOT, runCli } from '../e2e/cli.js';

const CWD = '/home/ana/fraud';
const laundering = readFileSync(join(ROOT, 'jobs', 'laundering.sql'), 'utf8');

function refusal(text: string, file: string, opts: Parameters<typeof translateJob>[2]): string {
  try {
    translateJob(text, file, opts);
  } catch (e) {
    if (e instanceof DeployRefused) return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('deploy translation', () => {
  it('lists each translation of jobs/laundering.sql and sends the statements with only those changed', () => {
    const plan = translateJob(laundering, 'jobs/laundering.sql', { cwd: CWD, brokers: 'kafka-1:9092' });
    expect(plan.translations).toEqual([
      "jobs/laundering.sql:14:14: table 'transactions': embedded topic store → Kafka at kafka-1:9092 ('properties.bootstrap.servers')",
      "jobs/laundering.sql:14:14: table 'transactions': 'properties.auto.offset.reset' = 'earliest' added: with no committed offsets 'group-offsets' starts at the beginning, as here (Flink would fail)",
      "jobs/laundering.sql:31:14: table 'laundering_alerts': single file output/laundering.csv → Flink's filesystem sink writing part files (part-<uuid>-<subtask>-<n>) into /home/ana/fraud/output/laundering/",
      "SET 'pipeline.name' = 'laundering' added: the job's name in 'fintrans-sql flink jobs'",
      "SET 'execution.checkpointing.interval' = '10s' added: Flink's file sink makes part files visible only at checkpoints (here rows are written as they come)",
    ]);
    expect(plan.statements.map((s) => s.kind)).toEqual([
      'set',
      'set',
      'create-table',
      'create-table',
      'insert',
    ]);
    expect(plan.statements[0]!.sql).toBe("SET 'pipeline.name' = 'laundering'");
    const source = plan.statements[2]!.sql;
    // Columns, computed column, watermark and comments as written; only the WITH clause is new.
    expect(source).toContain("ts AS TO_TIMESTAMP(tx_time, 'EEEE, dd-MMM-yy HH:mm:ss z'),");
    expect(source).toContain('-- The generator writes ascending timestamps; allow 5 s of disorder anyway.');
    expect(source.slice(source.indexOf('WITH'))).toBe(
      [
        'WITH (',
        "  'connector' = 'kafka',",
        "  'topic' = 'transactions',",
        "  'properties.group.id' = 'laundering',",
        "  'scan.startup.mode' = 'group-offsets',",
        "  'format' = 'csv',",
        "  'csv.field-delimiter' = ';',",
        "  'properties.bootstrap.servers' = 'kafka-1:9092',",
        "  'properties.auto.offset.reset' = 'earliest'",
        ')',
      ].join('\n'),
    );
    expect(plan.statements[3]!.sql).toContain("'path' = '/home/ana/fraud/output/laundering',");
    expect(plan.statements[4]!.sql).toMatch(
      /^INSERT INTO laundering_alerts\n[^]*HAVING SUM\(amount\) > 10000$/,
    );
    expect(plan.statements[4]!.pos).toEqual({ file: 'jobs/laundering.sql', line: 45, col: 1 });
    expect([...plan.sinkDirs]).toEqual([['laundering_alerts', '/home/ana/fraud/output/laundering']]);
  });

  it('keeps a Kafka table that names its brokers, and --from-beginning and --set win over the file', () => {
    const text = laundering
      .replace("'scan.startup.mode' = 'group-offsets',", "'properties.bootstrap.servers' = 'b:9092',")
      .replace('INSERT INTO', "SET 'execution.checkpointing.interval' = '1 min';\nINSERT INTO");
    const plan = translateJob(text, 'job.sql', {
      cwd: CWD,
      fromBeginning: true,
      settings: new Map([['execution.checkpointing.interval', '2s']]),
    });
    expect(plan.translations.filter((t) => t.includes("'transactions'"))).toEqual([
      "job.sql:14:14: table 'transactions': 'scan.startup.mode' = 'earliest-offset' (--from-beginning)",
    ]);
    expect(plan.statements.filter((s) => s.kind === 'set').map((s) => s.sql)).toEqual([
      "SET 'execution.checkpointing.interval' = '2s'",
      "SET 'pipeline.name' = 'job'",
    ]);
  });

  it('drops fintrans-only SET keys with a note and runs several INSERTs as one Flink job', () => {
    const text = [
      "SET 'fintrans.late-records.sink' = 'late';",
      "SET 'pipeline.name' = 'two sinks';",
      "CREATE TABLE tx (id BIGINT, note STRING) WITH ('connector' = 'filesystem', 'path' = 'data/tx.csv', 'format' = 'csv');",
      "CREATE TABLE late (id BIGINT, note STRING) WITH ('connector' = 'blackhole');",
      "CREATE TABLE a (id BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'it''s a');",
      "CREATE TABLE b (note STRING) WITH ('connector' = 'blackhole');",
      'BEGIN STATEMENT SET;',
      'INSERT INTO a SELECT id FROM tx;',
      'INSERT INTO b SELECT note FROM tx;',
      'END;',
    ].join('\n');
    const plan = translateJob(text, 'two.sql', { cwd: CWD });
    expect(plan.translations).toEqual([
      "two.sql:1:1: SET 'fintrans.late-records.sink' dropped: a fintrans-sql setting Flink does not have (Flink drops late records; nothing is written to that table)",
      "two.sql:3:14: table 'tx': relative path data/tx.csv → /home/ana/fraud/data/tx.csv (the TaskManagers do not run in this directory)",
      '2 INSERTs wrapped in EXECUTE STATEMENT SET: one Flink job, as they run together here',
    ]);
    expect(plan.jobName).toBe('two sinks');
    // Untranslated tables go as written, quotes and all.
    expect(plan.statements.find((s) => s.sql.startsWith('CREATE TABLE a'))!.sql).toBe(
      "CREATE TABLE a (id BIGINT) WITH ('connector' = 'print', 'print-identifier' = 'it''s a')",
    );
    expect(plan.statements.at(-1)!.sql).toBe(
      'EXECUTE STATEMENT SET\nBEGIN\nINSERT INTO a SELECT id FROM tx;\nINSERT INTO b SELECT note FROM tx;\nEND',
    );
  });

  it("points an 'upsert-kafka' table on the embedded topic store at --brokers too", () => {
    const text = [
      "CREATE TABLE tx (id BIGINT, amount BIGINT) WITH ('connector' = 'kafka', 'topic' = 'tx', 'format' = 'csv', 'scan.startup.mode' = 'earliest-offset', 'properties.bootstrap.servers' = 'k:9092', 'properties.group.id' = 'g');",
      'CREATE TABLE totals (id BIGINT, total BIGINT, PRIMARY KEY (id) NOT ENFORCED)',
      "  WITH ('connector' = 'upsert-kafka', 'topic' = 'totals', 'key.format' = 'csv', 'value.format' = 'csv');",
      'INSERT INTO totals SELECT id, SUM(amount) FROM tx GROUP BY id;',
    ].join('\n');
    const plan = translateJob(text, 'totals.sql', { cwd: CWD, brokers: 'k:9092' });
    expect(plan.translations).toEqual([
      "totals.sql:2:14: table 'totals': embedded topic store → Kafka at k:9092 ('properties.bootstrap.servers')",
      "SET 'pipeline.name' = 'totals' added: the job's name in 'fintrans-sql flink jobs'",
    ]);
    expect(plan.statements.find((s) => s.sql.startsWith('CREATE TABLE totals'))!.sql).toContain(
      "'value.format' = 'csv',\n  'properties.bootstrap.servers' = 'k:9092'\n)",
    );
    expect(refusal(text, 'totals.sql', { cwd: CWD })).toContain(
      "totals.sql:2:14: table 'totals' uses the embedded topic store (no 'properties.bootstrap.servers')",
    );
  });

  it('refuses the embedded topic store without --brokers, with the reason and what to do', () => {
    expect(refusal(laundering, 'jobs/laundering.sql', { cwd: CWD })).toBe(
      [
        'cannot deploy jobs/laundering.sql to Flink: 1 thing exists only in fintrans-sql',
        "  jobs/laundering.sql:14:14: table 'transactions' uses the embedded topic store (no 'properties.bootstrap.servers'), which exists only in fintrans-sql",
        '    hint: give the Kafka the cluster reads and writes: deploy ... --brokers host:port',
      ].join('\n'),
    );
  });

  it('refuses, all at once, what has no Flink counterpart: an upsert CSV file, a bare SELECT, EXPLAIN', () => {
    const text = [
      "CREATE TABLE tx (id BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = '/data/tx.csv', 'format' = 'csv');",
      'CREATE TABLE totals (id BIGINT, total BIGINT, PRIMARY KEY (id) NOT ENFORCED)',
      "  WITH ('connector' = 'filesystem', 'path' = 'out/totals.csv', 'format' = 'csv');",
      'INSERT INTO totals SELECT id, SUM(amount) FROM tx GROUP BY id;',
      'SELECT id FROM tx;',
      'EXPLAIN SELECT amount FROM tx;',
    ].join('\n');
    expect(refusal(text, 'up.sql', { cwd: CWD })).toBe(
      [
        'cannot deploy up.sql to Flink: 3 things exist only in fintrans-sql',
        "  up.sql:2:14: table 'totals' is an upsert file (a PRIMARY KEY on a 'filesystem' sink), which exists only in fintrans-sql: Flink's file sink is append-only",
        "    hint: write the updating result to an 'upsert-kafka' or 'jdbc' table for the cluster",
        '  up.sql:5:1: a bare SELECT prints its rows to this terminal; a job on a cluster has no terminal',
        "    hint: write INSERT INTO a table (a 'kafka' topic, a 'filesystem' directory, or 'print' for the TaskManager's log)",
        '  up.sql:6:1: EXPLAIN prints a plan here and runs nothing',
        "    hint: remove it before deploying; 'fintrans-sql explain' shows the plan",
      ].join('\n'),
    );
  });

  it("refuses a lookup join on a 'filesystem' table: Flink cannot look a file up", () => {
    const text = [
      "CREATE TABLE tx (id BIGINT, amount BIGINT, proc AS PROCTIME()) WITH ('connector' = 'filesystem', 'path' = '/data/tx.csv', 'format' = 'csv');",
      "CREATE TABLE accounts (id BIGINT, country STRING) WITH ('connector' = 'filesystem', 'path' = '/data/accounts.csv', 'format' = 'csv');",
      "CREATE TABLE out_rows (id BIGINT, country STRING) WITH ('connector' = 'filesystem', 'path' = '/out/rows', 'format' = 'csv');",
      'INSERT INTO out_rows SELECT t.id, a.country FROM tx AS t',
      '  JOIN accounts FOR SYSTEM_TIME AS OF t.proc AS a ON t.id = a.id;',
    ].join('\n');
    expect(refusal(text, 'lookup.sql', { cwd: CWD })).toBe(
      [
        'cannot deploy lookup.sql to Flink: 1 thing exists only in fintrans-sql',
        "  lookup.sql:2:14: table 'accounts' is looked up (FOR SYSTEM_TIME AS OF a processing time) from a 'filesystem' file, which only fintrans-sql can do: Flink's filesystem connector cannot be looked up",
        "    hint: on Flink, look it up in a 'jdbc' table, or join a versioned table (PRIMARY KEY and WATERMARK) AS OF the rows' event time",
      ].join('\n'),
    );
  });

  it('reports a mistake in the job as `run` does, before anything is sent', () => {
    const r = runCli(['deploy', 'jobs/laundering.sql', '--dry-run'], ROOT);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      "jobs/laundering.sql:14:14: table 'transactions' uses the embedded topic store",
    );
    const bad = runCli(
      ['deploy', 'test/fixtures/errors/plan-unknown-column.sql', '--dry-run', '--brokers', 'k:9092'],
      ROOT,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: test\/fixtures\/errors\/plan-unknown-column\.sql:\d+:\d+: /);
    const usage = runCli(['deploy', 'jobs/laundering.sql'], ROOT);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('deploy: --flink <SQL Gateway URL> is missing');
  });
});

describe("Flink's errors", () => {
  it('keeps the telling lines of the exception chain, without the gateway wrappers and stack frames', () => {
    const detail = [
      '<Exception on server side:',
      'org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
      '\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)',
      'Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation 1.',
      "Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 2, column 8 to line 2, column 13: Column 'nosuch' not found in any table",
      '\tat org.apache.flink.table.planner.calcite.FlinkPlannerImpl.validate(FlinkPlannerImpl.scala:200)',
      "Caused by: org.apache.calcite.runtime.CalciteContextException: From line 2, column 8 to line 2, column 13: Column 'nosuch' not found in any table",
      "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Column 'nosuch' not found in any table",
      '\t... 40 more',
      '',
      'End of exception on server side>',
    ].join('\n');
    const message = flinkCause(detail);
    expect(message).toBe(
      "org.apache.flink.table.api.ValidationException: SQL validation failed. From line 2, column 8 to line 2, column 13: Column 'nosuch' not found in any table",
    );
    // Flink counts lines and columns from the statement's first character.
    expect(mapFlinkPositions(message, { file: 'job.sql', line: 40, col: 1 })).toBe(
      "org.apache.flink.table.api.ValidationException: SQL validation failed. From line 2, column 8 (job.sql:41:8) to line 2, column 13 (job.sql:41:13): Column 'nosuch' not found in any table",
    );
    expect(mapFlinkPositions('From line 1, column 8', { file: 'j.sql', line: 3, col: 5 })).toBe(
      'From line 1, column 8 (j.sql:3:12)',
    );
  });
});
