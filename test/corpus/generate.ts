/**
 * Writes the bundle corpus (test/fixtures/bad-bundles/): three good bundles made by a real
 * instance with real proofs (a letter, a sealed letter, a leadership-review procedure), and one
 * file per tampered case with the code the verifier must answer, listed in manifest.json
 * (README.md there says how to use it from another verifier).
 *
 *   node --import tsx test/corpus/generate.ts [DIR]     (npm run corpus; DIR defaults to the fixtures)
 *
 * The files are committed; test/bad-bundles.test.ts walks them, and
 * test/bad-bundles-generator.test.ts checks that this generator still gives the same manifest.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { releaseSnarkjs } from '../../src/node/artifacts.ts';
import { forgerKey } from './forge.ts';
import { letterCases } from './letter-cases.ts';
import { procedureCases } from './procedure-cases.ts';
import { FIXTURES, type Manifest, type ManifestCase } from './manifest.ts';
import { type Corpus, makeCorpus } from './worlds.ts';

const GOOD = {
  letter: { file: 'good/letter.json', verifier: 'letter' as const, expect: { valid: true, title: 'Request for a leadership review', recipient: 'The caucus chair', count: 3, rosterSize: 8, named: ['Member B'], revealed: [], sealed: { total: 0, revealed: 0, stillSealed: 0, invalid: [], status: 'none' }, trustees: { used: [], misbehaving: [] }, records: 5 } },
  sealed: {
    file: 'good/sealed-letter.json',
    verifier: 'letter' as const,
    expect: { valid: true, count: 3, rosterSize: 8, named: [], revealed: ['Member A', 'Member B'], sealed: { total: 2, revealed: 2, stillSealed: 0, invalid: [], status: 'revealed' }, trustees: { used: [1, 3], misbehaving: [] }, records: 3 },
  },
  procedure: {
    file: 'good/procedure.json',
    verifier: 'procedure' as const,
    expect: { valid: true, procedure: 'ca-leadership-review', question: 'Should the leader of the party be replaced?', rosterSize: 8, voters: 4, tally: { yes: 3, no: 1 }, decision: 'not-removed', notice: { count: 2, rosterSize: 8, needed: 2 }, trustees: { used: [1, 2], misbehaving: [] } },
  },
};

/** A file name from a case name: lower case, words joined by dashes. */
export function slug(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[’']/g, '')
    .replace(/−/g, 'minus-')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

export function buildManifestAndFiles(corpus: Corpus): { manifest: Manifest; files: Map<string, unknown> } {
  const files = new Map<string, unknown>();
  const good = { letter: corpus.letter, sealed: corpus.sealed, procedure: corpus.procedure };
  for (const [k, g] of Object.entries(GOOD)) files.set(g.file, good[k as keyof typeof good]);
  const cases: ManifestCase[] = [];
  const all = [...letterCases.map((c) => ({ ...c, run: () => c.tamper(structuredClone(good[c.from]), corpus) })), ...procedureCases.map((c) => ({ ...c, run: () => c.tamper(structuredClone(good.procedure), corpus) }))];
  for (const c of all) {
    const file = `${slug(c.name)}.json`;
    if (files.has(file)) throw new Error(`two cases named ${file}`);
    const bundle = c.run();
    if (isDeepStrictEqual(bundle, good[c.from])) throw new Error(`case "${c.name}" changes nothing`);
    files.set(file, bundle);
    const from = GOOD[c.from];
    cases.push({ file, name: c.name, verifier: from.verifier, from: from.file, code: c.code, where: c.where, why: c.why, forgedLog: (bundle as { log?: { verifierKey?: string } }).log?.verifierKey === forgerKey });
  }
  return {
    manifest: {
      format: 'undersigned-bad-bundles/1',
      about:
        'Bundles an undersigned verifier must refuse. Each case names the file, the verifier (letter: undersigned-bundle/1; procedure: undersigned-procedure/1), the good bundle it was made from, the error code and a fragment of the reason that undersigned gives, and why. forgedLog: signed by a log key of the forger’s (pinning verifierKey refuses it at the checkpoint). See README.md.',
      verifierKey: corpus.letter.log.verifierKey,
      forgerKey,
      good: Object.values(GOOD),
      cases,
    },
    files,
  };
}

/** Replace `dir`'s JSON files with the corpus. */
export function writeCorpus(dir: string, built: { manifest: Manifest; files: Map<string, unknown> }): void {
  mkdirSync(join(dir, 'good'), { recursive: true });
  for (const sub of ['.', 'good']) for (const f of readdirSync(join(dir, sub))) if (f.endsWith('.json')) rmSync(join(dir, sub, f));
  for (const [file, value] of built.files) writeFileSync(join(dir, file), `${JSON.stringify(value)}\n`);
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(built.manifest, null, 2)}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dir = process.argv[2] ?? FIXTURES;
  const started = Date.now();
  try {
    const built = buildManifestAndFiles(await makeCorpus());
    writeCorpus(dir, built);
    console.log(`${built.manifest.cases.length} cases and ${built.manifest.good.length} good bundles written to ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await releaseSnarkjs();
  }
  // A prover thread pool (two MessagePorts) outlives releaseSnarkjs here; the work is done and written.
  process.exit(0);
}
