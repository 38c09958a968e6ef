import { defineConfig } from 'vitest/config';

// The tests run the compiled CLI as a user does: dist/ is brought up to date first (unchanged files are kept).
const BUILD_CLI = ['test/setup/build-cli.ts'];

// Four suites, one folder each: `npm test` runs all; `npm run test:<name>` runs one.
export default defineConfig({
  test: {
    // Vitest's default on 2 cores is ONE file at a time (cores - 1): the e2e and integration files mostly wait on
    // child processes and stand-ins, so three at once keep both cores busy. The projects share this pool: they run
    // in parallel, the slowest files (by the last run's durations) first.
    maxWorkers: 3,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          // The unit files share their workers' module cache (no global state is left behind: no env writes, spies
          // restored, and file-scope.ts undoes the rest): importing the engine, zod and fast-check once per worker
          // instead of once per file saves about a third of the project's CPU.
          isolate: false,
          setupFiles: ['test/setup/file-scope.ts'],
          globalSetup: BUILD_CLI,
          // Property tests run thousands of cases: beside two other files on 2 cores, 5 s is too tight.
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: BUILD_CLI,
          // The files share their workers' module cache (the AWS and MCP SDKs are imported once per worker, not once
          // per file); file-scope.ts undoes what a file changes globally (process.env, vi.setConfig, spies).
          isolate: false,
          setupFiles: ['test/setup/file-scope.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'infra',
          include: ['test/infra/**/*.test.ts'],
          // aws-cdk-lib imported once per worker, not once per file (file-scope.ts as above).
          isolate: false,
          setupFiles: ['test/setup/file-scope.ts'],
          // One `cdk synth` (bundling and cdk-nag included) shared by every infra test file.
          globalSetup: ['test/infra/global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
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
