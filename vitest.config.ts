import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'kernel/**/*.test.ts',
      'core-extensions/**/*.test.ts',
      'extensions/**/*.test.ts',
      'test/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Each test file builds its own kernel on its own database, so files need no
    // fresh module graph: sharing one per worker saves importing the kernel (about
    // 1.5 s) once per file, a quarter of the suite's time. A test that replaces a
    // global restores it (kernel/mcp/response-text.test.ts).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
