/**
 * Where the bad-bundle corpus lives and what its manifest says (test/fixtures/bad-bundles/README.md):
 * what the tests that read the corpus need, without the generator's real world (generate.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'bad-bundles');

export type Verifier = 'letter' | 'procedure';

export interface ManifestCase {
  file: string;
  name: string;
  verifier: Verifier;
  /** The good bundle it was made from. */
  from: string;
  code: string;
  where: string;
  why: string;
  /** Signed by a log key of the forger's: pinning the real key refuses it at step 2. */
  forgedLog: boolean;
}

export interface Manifest {
  format: 'undersigned-bad-bundles/1';
  about: string;
  /** The real log's verifier key (the good bundles are signed by it). */
  verifierKey: string;
  forgerKey: string;
  good: { file: string; verifier: Verifier; expect: Record<string, unknown> }[];
  cases: ManifestCase[];
}
