import { defineConfig } from 'vitest/config';

// Only for `npm run mutation` (stryker.config.mjs): the unit tests of shared/domain. Stryker's vitest runner then
// runs, per mutant, only the tests that cover it. MUTATION_TESTS (comma-separated paths or globs) narrows the set to
// one module's own tests, which keeps a one-file run fast.
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);

export default defineConfig({
  test: {
    include: only?.length ? only : ['test/unit/**/*.test.ts'],
    exclude: ['test/unit/architecture.test.ts', '**/node_modules/**'],
    environment: 'node',
    // Stryker instruments every branch for per-test coverage: the property tests run several times slower.
    testTimeout: 60_000,
  },
});
