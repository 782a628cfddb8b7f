// SELECT list: builds each output row with one compiled function.

import type { Row, RowKind } from '../types.js';
import { StatelessOperator, type Operator } from './operator.js';

export class ProjectOperator extends StatelessOperator {
  constructor(
    private readonly projection: (row: Row) => Row,
    next: Operator,
  ) {
    super(next);
  }

  process(row: Row, kind: RowKind): void {
    this.next.process(this.projection(row), kind);
  }
}
