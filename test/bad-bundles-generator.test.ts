/**
 * The bad-bundle generator (test/corpus/generate.ts) still works and still gives the committed
 * corpus: a fresh real world (real proofs, a trustee committee, a ballot) yields the same cases,
 * each with the same code and reason fragment as test/fixtures/bad-bundles/manifest.json, and
 * every fresh tampered bundle is refused with that code. Regenerate with `npm run corpus` when
 * a case is added or the bundle format changes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { verifyBundle } from '../src/core/bundle/bundle.ts';
import { verifyProcedureBundle } from '../src/core/bundle/procedure-bundle.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildManifestAndFiles } from './corpus/generate.ts';
import { FIXTURES, type Manifest } from './corpus/manifest.ts';
import { makeCorpus } from './corpus/worlds.ts';

afterAll(releaseSnarkjs);

it('a fresh run of the generator gives the committed manifest, and its bundles fail as stated', async () => {
  const committed = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8')) as Manifest;
  const fresh = buildManifestAndFiles(await makeCorpus());
  // The good bundles differ (fresh identities, keys, proofs); the cases and their verdicts do not.
  const { verifierKey: _a, ...freshRest } = fresh.manifest;
  const { verifierKey: _b, ...committedRest } = committed;
  expect(freshRest).toEqual(committedRest);
  for (const c of fresh.manifest.cases) {
    const b = fresh.files.get(c.file);
    const v = c.verifier === 'letter' ? await verifyBundle(b, { keys: nodeVerificationKeys }) : await verifyProcedureBundle(b, { keys: nodeVerificationKeys });
    expect(v, c.file).toMatchObject({ valid: false, code: c.code });
    if (!v.valid) expect(v.reason, c.file).toContain(c.where);
  }
}, 300_000);
