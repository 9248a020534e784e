// Mutation testing of the verifier and protocol code (issue #18): `npm run mutation`, or
// `npm run mutation -- --mutate 'src/core/ballot/*.ts'` for one folder. Slow (about two hours for
// everything on two cores), so not part of `npm test`. Results: reports/mutation/ (HTML and JSON),
// summarised with the survivors explained in test/mutation/README.md. `npm run mutation` is
// incremental: a rerun reuses the verdicts of unchanged code and tests kept (untracked) in
// test/mutation/stryker-incremental.json.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  coverageAnalysis: 'perTest',
  mutate: [
    // letters
    'src/core/bundle/bundle.ts',
    'src/core/letter/record.ts',
    'src/core/letter/letter.ts',
    'src/core/letter/tally.ts',
    'src/core/roster/roster.ts',
    // log (checkpoints, cosignatures, the witness's rules, the monitor)
    'src/core/log/*.ts',
    // what a member's client checks
    'src/core/member/*.ts',
    // sealed names and the trustees
    'src/core/bundle/bundle-sealed.ts',
    'src/core/sealed/reveal.ts',
    'src/core/sealed/sealed.ts',
    'src/core/trustee/committee.ts',
    'src/core/trustee/dkg.ts',
    'src/core/trustee/proofs.ts',
    'src/core/trustee/seal.ts',
    'src/core/trustee/threshold.ts',
    'src/core/trustee/group.ts',
    // ballots
    'src/core/ballot/ballot.ts',
    'src/core/ballot/elgamal.ts',
    'src/core/ballot/tally.ts',
    'src/core/ballot/entries.ts',
    // procedures
    'src/core/bundle/procedure-bundle.ts',
    'src/core/ballot/procedures.ts',
    'src/core/ballot/decision-rules.ts',
  ],
  ignorePatterns: ['dist', 'data', 'reports', 'test-results', 'docs/screenshots', 'bench/results', 'bench/data', '.stryker-tmp'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  incrementalFile: 'test/mutation/stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 60_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
