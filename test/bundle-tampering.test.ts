/**
 * The letter bundle verifier (src/core/bundle/bundle.ts) against what the bad-bundle corpus cannot hold
 * as files: the good bundle of the corpus (test/fixtures/bad-bundles/good/letter.json, a real
 * world of 8 members, five records and the close) verified with several threads, left unchanged
 * by verification, re-signed by another log key; and `verifyBundle` must never throw: random JSON
 * and random single-field mutations of the good bundle are refused with a result, never an
 * exception. Every tampered case with its expected code is a file of the corpus, walked by
 * test/bad-bundles.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { rootOfLeavesParallel } from '../src/node/roster-tree-pool.ts';
import { type Bundle, type BundleVerdict, verifyBundle } from '../src/core/bundle/bundle.ts';
import { signNote } from '../src/core/log/checkpoint.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { ORIGIN, forgerKey, forgerSecret, relog } from './corpus/forge.ts';
import { FIXTURES } from './corpus/manifest.ts';

const good = JSON.parse(readFileSync(join(FIXTURES, 'good', 'letter.json'), 'utf8')) as Bundle;
const realKey = good.log.verifierKey;

afterAll(releaseSnarkjs);

const verify = (b: unknown, expectedVerifierKey?: string) => verifyBundle(b, { keys: nodeVerificationKeys, expectedVerifierKey });
const clone = (b: Bundle): Bundle => structuredClone(b);

describe('the good bundle', () => {
  it('verifies: 3 of 8, Member B named, five records', async () => {
    const v = await verify(good, realKey);
    expect(v).toMatchObject({ valid: true, count: 3, rosterSize: 8, named: ['Member B'], records: 5, verifierKey: realKey });
  });

  it('gives the same verdicts with the roster tree hashed on several threads (what the CLI does)', async () => {
    const rootOf = (leaves: bigint[]) => rootOfLeavesParallel(leaves, { threads: 2, minLeaves: 2 });
    const parallel = (b: unknown) => verifyBundle(b, { keys: nodeVerificationKeys, expectedVerifierKey: realKey, rootOf });
    expect(await parallel(good)).toEqual(await verify(good, realKey));
    const renamed = clone(good);
    renamed.roster.members[1].name = 'Someone Else';
    expect(await parallel(renamed)).toEqual(await verify(renamed, realKey));
    expect((await parallel(renamed)).valid).toBe(false);
  });

  it('is left unchanged by verification (the verifier does not mutate its input)', async () => {
    const copy = clone(good);
    await verify(copy, realKey);
    expect(copy).toEqual(good);
  });
});

describe('another log key', () => {
  it('the verifier key swapped for another key that re-signed the same checkpoint: valid, unless the real key is pinned', async () => {
    // Self-consistent: only a key obtained out of band tells it from the real one.
    const b = clone(good);
    const body = b.log.checkpoint.slice(0, b.log.checkpoint.indexOf('\n\n') + 1);
    b.log = { verifierKey: forgerKey, checkpoint: signNote(body, { name: ORIGIN, secretKey: forgerSecret }) };
    expect(await verify(b)).toMatchObject({ valid: true, count: 3, verifierKey: forgerKey });
    expect(await verify(b, realKey)).toMatchObject({ valid: false, code: 'checkpoint_unexpected_key' });
  });

  it('a re-logged bundle with nothing else changed verifies, unless the real log key is pinned', async () => {
    // The verifier key swapped for another key, the checkpoint re-signed with it: the bundle is
    // self-consistent, and only a key obtained out of band tells it from the real one.
    const forged = relog(clone(good));
    expect(await verify(forged)).toMatchObject({ valid: true, count: 3, verifierKey: forgerKey });
    expect(await verify(forged, realKey)).toMatchObject({ valid: false, code: 'checkpoint_unexpected_key' });
  });
});

// --- never throw ---------------------------------------------------------------------------------

type Path = (string | number)[];

/** Every path in a JSON value, containers included. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);
}

/** Set (or, with `remove`, delete) the value at a non-empty path of a deep copy. */
function mutateAt(root: Bundle, path: Path, replacement: { remove: true } | { value: unknown }): unknown {
  const copy = clone(root) as unknown as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1];
  if ('remove' in replacement) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string | number, unknown>)[key];
  } else {
    (parent as Record<string | number, unknown>)[key] = replacement.value;
  }
  return copy;
}

/** Values close to an original: a neighbour number, a one-character edit, another JSON value. */
/** Any UTF-16 code unit, lone surrogates included (which JSON can carry and canonical JSON refuses). */
const codeUnit = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })).map((u) => String.fromCharCode(u));

function replacementFor(original: unknown): fc.Arbitrary<{ remove: true } | { value: unknown }> {
  const near: fc.Arbitrary<unknown>[] = [fc.jsonValue(), fc.string({ unit: codeUnit, maxLength: 4 }), fc.integer(), fc.constant(null)];
  if (typeof original === 'number') near.push(fc.integer({ min: -2, max: 2 }).map((d) => original + d), fc.constant(2 ** 31 - 1));
  if (typeof original === 'string' && original.length > 0) {
    near.push(
      fc
        .tuple(fc.nat(original.length - 1), codeUnit)
        .map(([i, c]) => original.slice(0, i) + c + original.slice(i + 1)),
      fc.constant(original + original),
    );
  }
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ remove: true as const }) },
    { weight: 5, arbitrary: fc.oneof(...near).map((value) => ({ value })) },
  );
}

describe('verifyBundle never throws', () => {
  it('on random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.anything()), async (value) => {
        const v: BundleVerdict = await verify(value);
        expect(v.valid).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('on random single-field mutations of the good bundle (valid only when nothing changed)', async () => {
    const all = paths(good).filter((p) => p.length > 0);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(all.length - 1).chain((i) => replacementFor(getAt(good, all[i])).map((r) => [all[i], r] as const)),
        async ([path, replacement]) => {
          const mutated = mutateAt(good, path, replacement);
          const v = await verify(mutated);
          expect(v.valid, `${path.join('.')}: ${JSON.stringify(v)}`).toBe(isDeepStrictEqual(mutated, good));
        },
      ),
      { numRuns: 250 },
    );
  });
});
