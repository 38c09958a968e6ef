// `npm run mutation`: StrykerJS over the pure engine, shared/domain (vitest.mutation.config.ts picks the tests).
// Slow, so neither in `npm test` nor in CI. Incremental: mutants whose code and covering tests did not change keep
// their last result (reports/mutation/incremental.json, git-ignored with reports/).
//
// One file at a time, against its own tests only (what the per-file scores in docs/testing are measured with):
//   MUTATION_TESTS=test/unit/staffing-budget.test.ts,test/unit/forecast.test.ts \
//     npx stryker run --mutate shared/domain/staffing.ts --concurrency 1 \
//     --incrementalFile reports/mutation/staffing.incremental.json
// The forecast and the KPI parts are measured with their fast hand-computed tests (the property tests in
// kpi-properties.test.ts and the 14-week forecasts in forecast.test.ts are too slow under Stryker's instrumentation):
//   forecast.ts:  MUTATION_TESTS=test/unit/forecast-estimators.test.ts,test/unit/forecast-parts.test.ts
//   kpi*.ts:      MUTATION_TESTS=test/unit/kpi.test.ts,test/unit/kpi-cohorts.test.ts,test/unit/kpi-parts.test.ts,test/unit/kpi-unavailable.test.ts
// Tests compute inside `it`, not while the file is collected: the vitest runner counts a mutant that throws during
// collection as survived (no test ran).
// The report is written to reports/mutation/index.html.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  // significant-incidents.ts is mutated with the KPI tests once it lands; group.ts is one line.
  mutate: ['shared/domain/**/*.ts'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/mutation/incremental.json',
  reporters: ['clear-text', 'html', 'json'],
  clearTextReporter: { allowColor: false },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
  concurrency: 2,
  tempDirName: '.stryker-tmp',
  // Generated output is not needed in the sandbox copies, nor the sandboxes of another run in the same checkout.
  ignorePatterns: ['/cdk.out', '/out', '/coverage', '/bench-data', '/.socpulse', '/reports', '/.stryker-tmp*'],
};
