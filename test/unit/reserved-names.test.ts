// A reserved word of Flink SQL that names a CTE, a view or a table is refused where it is defined,
// as Flink refuses it (node-sql-parser would take `WITH running AS (...)`); in backticks it is fine.

import { describe, expect, it } from 'vitest';
import { parseSqlFile } from '../../engine/sql/parse.js';

const TABLES = `CREATE TABLE t (sender BIGINT, amount BIGINT) WITH ('connector' = 'filesystem', 'path' = 't.csv', 'format' = 'csv');
CREATE TABLE o (sender BIGINT, amount BIGINT) WITH ('connector' = 'print');
`;
const parse = (sql: string) => () => parseSqlFile(TABLES + sql, 'job.sql');

describe('reserved words as defined names', () => {
  it('refuses RUNNING as a CTE, in first place or later in the WITH list', () => {
    expect(parse('INSERT INTO o WITH running AS (SELECT * FROM t) SELECT * FROM `running`;')).toThrow(
      /job\.sql:3:20: 'running' is a reserved word in Flink SQL/,
    );
    expect(
      parse(
        'INSERT INTO o WITH a AS (SELECT * FROM t), RUNNING AS (SELECT * FROM a) SELECT * FROM `RUNNING`;',
      ),
    ).toThrow(/job\.sql:3:44: 'RUNNING' is a reserved word/);
  });

  it('says to rename a CTE (a back-quoted CTE name is not parsed yet)', () => {
    expect(parse('INSERT INTO o WITH running AS (SELECT * FROM t) SELECT * FROM t;')).toThrow(
      /hint: rename the CTE \(e\.g\. running_rows\)/,
    );
  });

  it('refuses it as a view or a table name', () => {
    expect(parse('CREATE VIEW running AS SELECT * FROM t;')).toThrow(/job\.sql:3:13: 'running'/);
    expect(parse("CREATE TABLE IF NOT EXISTS running (a BIGINT) WITH ('connector' = 'print');")).toThrow(
      /job\.sql:3:28: 'running'/,
    );
  });

  it('takes it in backticks, and takes names that are not reserved', () => {
    expect(parse('CREATE VIEW `running` AS SELECT * FROM t;')).not.toThrow();
    expect(parse('INSERT INTO o WITH runs AS (SELECT * FROM t) SELECT * FROM runs;')).not.toThrow();
  });
});
