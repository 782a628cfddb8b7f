// WHERE and HAVING: passes rows whose compiled predicate is TRUE.

import type { Row, RowKind } from '../types.js';
import { StatelessOperator, type Operator } from './operator.js';

export class FilterOperator extends StatelessOperator {
  constructor(
    private readonly predicate: (row: Row) => boolean,
    next: Operator,
  ) {
    super(next);
  }

  process(row: Row, kind: RowKind): void {
    if (this.predicate(row)) this.next.process(row, kind);
  }
}
