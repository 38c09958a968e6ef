import { defineConfig } from 'vitest/config';

// The tests run the compiled CLI as a user does: dist/ is brought up to date first (unchanged files are kept).
const BUILD_CLI = ['test/setup/build-cli.ts'];

// Four suites, one folder each: `npm test` runs all; `npm run test:<name>` runs one.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node', globalSetup: BUILD_CLI } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: BUILD_CLI,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      { test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: BUILD_CLI,
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
