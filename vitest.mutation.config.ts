import { defineConfig } from 'vitest/config';

// Only for `npm run mutation` (stryker.config.json): the unit tests of the modules Stryker mutates. Stryker's vitest
// runner then runs, per mutant, only the tests that cover it. A new module to mutate brings its tests here.
export default defineConfig({
  test: {
    include: ['test/unit/what-changed*.test.ts', 'test/unit/changes*.test.ts', 'test/unit/dispersion*.test.ts'],
    environment: 'node',
    // Stryker instruments every branch for per-test coverage: the property tests run several times slower.
    testTimeout: 60_000,
  },
});
