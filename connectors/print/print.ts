// The 'print' connector: writes each row to stdout the way Flink's print sink does, `+I[a, b, c]`
// (`-U[...]`, `+U[...]`, `-D[...]` for the changes of an updating query),
// prefixed by 'print-identifier' when given.

import type { ConnectorDefinition, SinkWriter } from '../api.js';
import { INSERT, ROW_KIND_SHORT, type Row, type RowKind, type Schema } from '../../engine/types.js';
import { valueToText } from '../../engine/values.js';

class PrintSink implements SinkWriter {
  private lines: string[] = [];
  rowsWritten = 0;

  constructor(
    private readonly schema: Schema,
    private readonly prefix: string,
    private readonly out: NodeJS.WritableStream,
    private readonly outName: string,
  ) {}

  get pending(): number {
    return this.lines.length;
  }

  /** Every kind of change, printed as Flink prints it: +I[...], -U[...], +U[...], -D[...]. */
  readonly accepts = 'all';

  write(rows: readonly Row[], kinds?: readonly RowKind[]): void {
    rows.forEach((r, k) => {
      const vals = r.map((v, i) => valueToText(v, this.schema[i]!.type) ?? 'NULL');
      this.lines.push(`${this.prefix}${ROW_KIND_SHORT[kinds?.[k] ?? INSERT]}[${vals.join(', ')}]`);
    });
  }

  async flush(): Promise<void> {
    if (this.lines.length === 0) return;
    const text = this.lines.join('\n') + '\n';
    this.rowsWritten += this.lines.length;
    this.lines = [];
    await new Promise<void>((res) => (this.out.write(text) ? res() : this.out.once('drain', () => res())));
  }

  async close(): Promise<void> {
    await this.flush();
  }

  describe(): string {
    return `${this.rowsWritten} row${this.rowsWritten === 1 ? '' : 's'} → ${this.outName}`;
  }
}

export const printConnector: ConnectorDefinition = {
  name: 'print',
  usesFormat: false,
  metadata: new Map(),
  createSink(ctx) {
    const id = ctx.options.optionalString('print-identifier');
    // Flink's 'standard-error': print to stderr instead of stdout.
    const toStderr = ctx.options.bool('standard-error', false);
    ctx.options.accept('sink.parallelism');
    return new PrintSink(
      ctx.physical,
      id ? `${id}> ` : '',
      toStderr ? process.stderr : process.stdout,
      toStderr ? 'stderr' : 'stdout',
    );
  },
};
