// The 'blackhole' connector: swallows rows (Flink has it too); for benchmarks and dry runs.

import type { ConnectorDefinition, SinkWriter } from '../api.js';

export const blackholeConnector: ConnectorDefinition = {
  name: 'blackhole',
  usesFormat: false,
  metadata: new Map(),
  createSink(): SinkWriter {
    let rows = 0;
    return {
      // Like Flink's blackhole: any change is swallowed.
      accepts: 'all',
      get pending() {
        return 0;
      },
      get rowsWritten() {
        return rows;
      },
      write(batch) {
        rows += batch.length;
      },
      async flush() {},
      async close() {},
      describe: () => `${rows} rows → blackhole`,
    };
  },
};
