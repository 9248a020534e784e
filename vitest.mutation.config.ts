/**
 * The tests `npm run mutation` (stryker.config.mjs) runs against each mutant: the ones that need
 * no server and make no proof, so that a mutant costs seconds, not a world's set-up. The bundle
 * corpus (test/fixtures/bad-bundles/) is what lets the verifiers be tested this way.
 */
import { defineConfig } from 'vitest/config';

export const MUTATION_TESTS = [
  'test/bad-bundles.test.ts',
  'test/bundle-tampering.test.ts',
  'test/rfc9162-merkle.test.ts',
  'test/c2sp-checkpoint.test.ts',
  'test/rfc9496-trustee-crypto.test.ts',
  'test/constructions-kat.test.ts',
  'test/ballot-crypto.test.ts',
  'test/ballot-tally-rules.test.ts',
  'test/reveal-rules.test.ts',
  'test/member-receipt.test.ts',
  'test/member-committee-ref.test.ts',
  'test/member-witnessed-log.test.ts',
  'test/member-seen-log.test.ts',
  'test/cosignature.test.ts',
  'test/witness.test.ts',
  'test/witness-rules.test.ts',
  'test/dkg-signed-responses.test.ts',
  'test/procedures.test.ts',
  'test/count-model.property.test.ts',
  'test/encoding.test.ts',
  'test/mutation/*.test.ts',
];

export default defineConfig({
  test: {
    include: MUTATION_TESTS,
    // Stryker runs the tests on a worker thread, where snarkjs needs this to load.
    setupFiles: ['test/mutation/snarkjs-on-a-thread.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
