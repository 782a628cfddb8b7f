// The target type of a CAST as node-sql-parser writes it ({ dataType: 'DECIMAL', length, scale }).

import { SqlError, type SourcePos } from '../errors.js';
import { T, type SqlType } from '../types.js';

export function sqlTypeFromCast(
  target: { dataType?: string; length?: number; scale?: number } | undefined,
  pos: SourcePos,
): SqlType {
  const name = String(target?.dataType ?? '').toUpperCase();
  switch (name) {
    case 'STRING':
    case 'TEXT':
      return T.string();
    // Flink cuts the text to n code points (and does not pad CHAR); CHAR alone is CHAR(1), VARCHAR
    // alone is unlimited. The length rides on the type's precision (engine/exec/compile.ts cast).
    case 'VARCHAR':
      return target?.length === undefined
        ? T.string()
        : { name: 'STRING', precision: target.length, nullable: true };
    case 'CHAR':
      return { name: 'STRING', precision: target?.length ?? 1, nullable: true };
    case 'BOOLEAN':
    case 'BOOL':
      return T.boolean();
    case 'TINYINT':
      return { name: 'TINYINT', nullable: true };
    case 'SMALLINT':
      return { name: 'SMALLINT', nullable: true };
    case 'INT':
    case 'INTEGER':
      return T.int();
    case 'BIGINT':
      return T.bigint();
    case 'FLOAT':
    case 'REAL':
      return { name: 'FLOAT', nullable: true };
    case 'DOUBLE':
      return T.double();
    case 'DECIMAL':
    case 'NUMERIC':
    case 'DEC':
      return T.decimal(target?.length ?? 10, target?.scale ?? 0);
    case 'TIMESTAMP':
      return T.timestamp(target?.length ?? 3);
    case 'DATE':
      return T.date();
    case 'TIME': {
      const precision = target?.length ?? 0;
      if (precision > 3)
        throw new SqlError(
          pos,
          `TIME(${precision}) is not supported: TIME values are held in milliseconds`,
          `write TIME(0) to TIME(3)`,
        );
      return T.time(precision);
    }
    default:
      throw new SqlError(
        pos,
        `cannot CAST to ${name || 'this type'}`,
        `CAST to STRING, BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s), DATE, TIME or TIMESTAMP(3)`,
      );
  }
}
