import { defineConfig } from 'vitest/config';

// Four suites, one folder each: `npm test` runs all; `npm run test:<name>` runs one.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // One `cdk synth` (bundling and cdk-nag included) shared by every infra test file.
          globalSetup: ['test/infra/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 } },
    ],
  },
});
