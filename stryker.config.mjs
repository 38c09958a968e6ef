// `npm run mutation`: StrykerJS over the "what changed" method, with only its unit tests (vitest.mutation.config.ts).
// Slow, so neither in `npm test` nor in CI. Another module to mutate: add its glob here and its tests to
// vitest.mutation.config.ts. The report is written to reports/mutation/index.html.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: ['shared/domain/changes*.ts', 'shared/domain/dispersion*.ts'],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'html'],
  clearTextReporter: { allowColor: false },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  thresholds: { high: 90, low: 85, break: 85 },
  concurrency: 2,
  tempDirName: '.stryker-tmp',
  // Generated output is not needed in the sandbox copies.
  ignorePatterns: ['/cdk.out', '/out', '/coverage', '/bench-data', '/.socpulse'],
};
