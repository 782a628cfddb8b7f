import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
    // Server-backed suites (Kafka, search node) start one process each; keep files serial on 2 cores.
    fileParallelism: false,
  },
});
