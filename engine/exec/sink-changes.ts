// What reaches a sink of an updating query, by what the sink can apply (SinkWriter.accepts).

import { INSERT, UPDATE_AFTER, UPDATE_BEFORE, type Row, type RowKind } from '../types.js';
import { StatelessOperator } from './operator.js';

/**
 * Upsert sinks (a PRIMARY KEY) apply +I/+U as the key's new row and -D as its removal; the old
 * value (-U) tells them nothing. Flink drops it the same way (DropUpdateBeforeFunction).
 */
export class DropUpdateBefore extends StatelessOperator {
  process(row: Row, kind: RowKind): void {
    if (kind !== UPDATE_BEFORE) this.next.process(row, kind);
  }
}

/**
 * SET 'fintrans.sink.append-updates' = 'true': an append-only sink given an updating query writes
 * each new value (+I, +U) as a row of its own and nothing for -U/-D. A documented fintrans-sql
 * behaviour (Flink refuses such a sink), for alerting jobs where every new total is an alert.
 */
export class UpdatesAsInserts extends StatelessOperator {
  process(row: Row, kind: RowKind): void {
    if (kind === INSERT || kind === UPDATE_AFTER) this.next.process(row, INSERT);
  }
}
