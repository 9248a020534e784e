/**
 * Verification that resumes (src/core/bundle/resume.ts, docs/bundle-format.md §10): for any split
 * of a letter's records into those an earlier run verified and the rest, the resumed run reaches the
 * full run's verdict and re-verifies only the rest; tampering with what was verified before is
 * still caught; a state that does not apply is refused or ignored, never trusted.
 *
 * The logs are rebuilt around the good fixture's entries (test/corpus/forge.ts's key), so that a
 * log can grow and a consistency proof be made. Proof verdicts are memoized by the proof's JSON
 * (verifySemaphoreProof is a pure function of it and the key): every distinct proof is verified
 * for real once, and each run reports which proofs it asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { type Bundle, type LoggedEntry, verifyBundle, type VerifyOptions } from '../src/core/bundle/bundle.ts';
import { type VerifyState, VERIFY_STATE_FORMAT, sealState, verifyBundleResuming } from '../src/core/bundle/resume.ts';
import { bytesToHex, canonicalJson, sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { type SemaphoreProof, verifySemaphoreProof } from '../src/core/crypto/semaphore.ts';
import { entryLeafHash } from '../src/core/log/entry.ts';
import { leafHash, MerkleTree } from '../src/core/log/merkle.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { checkpointFor, forgerKey } from './corpus/forge.ts';

afterAll(releaseSnarkjs);

const good: Bundle = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/bad-bundles/good/letter.json'), 'utf8'));
const clone = <T>(x: T): T => structuredClone(x);
const K = good.records.length;

const verdictCache = new Map<string, Promise<boolean>>();
/** A run's options; `asked` collects the proofs the run had verified. */
function options(): VerifyOptions & { asked: SemaphoreProof[] } {
  const asked: SemaphoreProof[] = [];
  const verify = (p: SemaphoreProof) => {
    const key = JSON.stringify(p);
    if (!verdictCache.has(key)) verdictCache.set(key, verifySemaphoreProof(p, nodeVerificationKeys));
    return verdictCache.get(key)!;
  };
  return { keys: nodeVerificationKeys, asked, verifyProofs: (proofs) => (asked.push(...proofs), Promise.all(proofs.map(verify))) };
}

const filler = (i: number) => leafHash(utf8ToBytes(`another letter's entry ${i}`));

/**
 * A log: `before` other entries, the letter's entries (opened, records, closed), then `after`
 * others. `at(size, from?)` is the bundle of that letter against the checkpoint of that size
 * (with a consistency proof from `from`).
 */
function logOf(b: Bundle, before: number, after: number) {
  const entries: LoggedEntry[] = [b.opened, ...b.records, b.closed];
  const tree = new MerkleTree([...Array.from({ length: before }, (_, i) => filler(i)), ...entries.map((e) => entryLeafHash(e.entry)), ...Array.from({ length: after }, (_, i) => filler(before + i))]);
  return {
    tree,
    end: before + entries.length,
    at(size: number, from?: number): Bundle {
      const out = clone(b);
      [out.opened, ...out.records, out.closed].forEach((e, i) => {
        e.index = before + i;
        e.proof = tree.inclusionProof(before + i, size).map(bytesToHex);
      });
      const partial = new MerkleTree(Array.from({ length: size }, (_, i) => tree.leaf(i)));
      out.log = { verifierKey: forgerKey, checkpoint: checkpointFor(partial) };
      if (from !== undefined) out.log.consistency = { from, proof: tree.consistencyProof(from, size).map(bytesToHex) };
      return out;
    },
  };
}

/** The state an earlier verifier saved at checkpoint `size` of `tree`, having verified the records in `seen` of `b`. */
function stateAt(tree: MerkleTree, size: number, b: Bundle, seen: number[]): VerifyState {
  const opened = b.opened.entry as Extract<Bundle['opened']['entry'], { kind: 'letter-opened' }>;
  const closed = b.closed.entry as Extract<Bundle['closed']['entry'], { kind: 'letter-closed' }>;
  const partial = new MerkleTree(Array.from({ length: size }, (_, i) => tree.leaf(i)));
  return sealState({
    format: VERIFY_STATE_FORMAT,
    verifierKey: forgerKey,
    checkpoint: checkpointFor(partial),
    letters: {
      [b.letterId]: {
        verificationKey: b.verificationKey.sha256,
        roster: { digest: opened.letter.roster.digest, root: opened.letter.roster.root },
        opened: bytesToHex(entryLeafHash(b.opened.entry)),
        records: closed.records,
        seen: seen.map((i) => bytesToHex(entryLeafHash(b.records[i].entry))),
      },
    },
  });
}

/** Ways to change a record the earlier run verified. */
const tampers: ((b: Bundle, i: number) => void)[] = [
  (b, i) => {
    const e = b.records[i].entry as Extract<LoggedEntry['entry'], { kind: 'signature' }>;
    e.record.proof.points[0] = (BigInt(e.record.proof.points[0]) ^ 1n).toString();
  },
  (b, i) => {
    const e = b.records[i].entry as Extract<LoggedEntry['entry'], { kind: 'signature' }>;
    e.record.proof.nullifier = (BigInt(e.record.proof.nullifier) + 1n).toString();
  },
  (b, i) => void b.records.splice(i, 1),
];

describe('verification that resumes', () => {
  it('a first run saves a state from which the same bundle, later in the log, is checked without verifying a proof again', async () => {
    const log = logOf(good, 2, 3);
    const first = await verifyBundleResuming(log.at(log.end), null, options());
    if ('refused' in first) throw new Error(first.refused.reason);
    expect(first.verdict.valid).toBe(true);
    expect(first.note.mode).toBe('full');
    const o = options();
    const again = await verifyBundleResuming(log.at(log.end + 3, log.end), JSON.parse(JSON.stringify(first.state)), o);
    if ('refused' in again) throw new Error(again.refused.reason);
    expect(again.note).toMatchObject({ mode: 'resumed', reused: K });
    expect(o.asked).toEqual([]); // neither the records' proofs nor the proposal's
    expect(again.verdict).toEqual(await verifyBundle(log.at(log.end + 3, log.end), options()));
    expect(again.state?.checkpoint).toBe(log.at(log.end + 3).log.checkpoint);
  });

  it('for any split of the records into verified before and new, the resumed verdict is the full one, and only the new proofs are verified', async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray([...Array(K).keys()]), fc.boolean(), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), async (seen, stateAfterLetter, before, grow) => {
        const log = logOf(good, before, 4);
        const savedSize = stateAfterLetter ? log.end : before;
        const later = log.at(Math.min(log.end + grow, log.tree.size), savedSize);
        const o = options();
        const resumed = await verifyBundleResuming(later, stateAt(log.tree, savedSize, good, seen), o);
        if ('refused' in resumed) throw new Error(resumed.refused.reason);
        expect(resumed.verdict).toEqual(await verifyBundle(later, options()));
        expect(resumed.note).toMatchObject({ mode: 'resumed', reused: seen.length });
        const fresh = good.records.filter((_, i) => !seen.includes(i)).map((r) => canonicalJson((r.entry as { record: { proof: unknown } }).record.proof));
        expect(o.asked.map((p) => canonicalJson(p))).toEqual(fresh); // and not the proposal's: the state has it
      }),
      { numRuns: 20 },
    );
  });

  it('tampering with a record verified before is caught: refused as a fork when it is in the saved log, the full verdict when it came after', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: K - 1 }), fc.integer({ min: 0, max: tampers.length - 1 }), fc.boolean(), async (i, t, stateAfterLetter) => {
        const before = 2;
        const honest = logOf(good, before, 2);
        const savedSize = stateAfterLetter ? honest.end : before;
        const state = stateAt(honest.tree, savedSize, good, [...Array(K).keys()]);
        const bad = clone(good);
        tampers[t](bad, i);
        const forged = logOf(bad, before, 3); // the log key holder rebuilds the log around the change
        const later = forged.at(forged.tree.size, savedSize);
        const full = await verifyBundle(later, options());
        expect(full.valid).toBe(false);
        const resumed = await verifyBundleResuming(later, state, options());
        if ('refused' in resumed) expect(stateAfterLetter && resumed.refused.code).toBe('log_not_consistent');
        else {
          expect(stateAfterLetter).toBe(false);
          expect(resumed.verdict).toEqual(full);
          expect(resumed.state).toBeNull();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('a state file changed by hand, or cut short, is refused (verify_state_corrupt)', async () => {
    const log = logOf(good, 1, 1);
    const state = stateAt(log.tree, log.end, good, [0, 1]);
    const edited = { ...state, letters: { ...state.letters } };
    edited.letters[good.letterId] = { ...edited.letters[good.letterId], seen: [...edited.letters[good.letterId].seen, bytesToHex(sha256(utf8ToBytes('x')))] };
    for (const bad of [edited, { ...state, digest: undefined }, { format: VERIFY_STATE_FORMAT }, 'not a state', { ...state, checkpoint: state.checkpoint.replace('\n\n', '\n') }]) {
      const r = await verifyBundleResuming(log.at(log.tree.size, log.end), bad, options());
      expect(r).toMatchObject({ refused: { code: 'verify_state_corrupt' } });
    }
  });

  it('a state about another log is refused (verify_state_other_log)', async () => {
    const log = logOf(good, 1, 1);
    const state = stateAt(log.tree, log.end, good, [0]);
    const body = { ...state, verifierKey: good.log.verifierKey, checkpoint: good.log.checkpoint };
    delete (body as { digest?: string }).digest;
    const r = await verifyBundleResuming(log.at(log.tree.size, log.end), sealState(body), options());
    expect(r).toMatchObject({ refused: { code: 'verify_state_other_log' } });
  });

  it('a checkpoint of the saved size with another root, or a consistency proof that fails, is refused (log_not_consistent)', async () => {
    const log = logOf(good, 2, 2);
    const state = stateAt(log.tree, log.end, good, [0]);
    const fork = logOf(good, 1, 1); // the letter's entries elsewhere: a tree of the saved size, another root
    expect(fork.tree.size).toBe(log.end);
    expect(await verifyBundleResuming(fork.at(log.end), state, options())).toMatchObject({ refused: { code: 'log_not_consistent' } });
    const grown = logOf(good, 3, 1);
    const wrongProof = grown.at(grown.tree.size, log.end);
    expect(await verifyBundleResuming(wrongProof, state, options())).toMatchObject({ refused: { code: 'log_not_consistent' } });
  });

  it('a bundle older than the state, or without a consistency proof from the saved size, is verified in full and the state kept', async () => {
    const log = logOf(good, 1, 4);
    const state = stateAt(log.tree, log.end + 2, good, [...Array(K).keys()]);
    for (const b of [log.at(log.end), log.at(log.tree.size), log.at(log.tree.size, log.end)]) {
      const o = options();
      const r = await verifyBundleResuming(b, state, o);
      if ('refused' in r) throw new Error(r.refused.reason);
      expect(r.note.mode).toBe('full');
      expect(r.state).toBeNull();
      expect(r.verdict).toEqual(await verifyBundle(b, options()));
      expect(o.asked.length).toBe(K + 1);
    }
  });

  it('a bundle without the consistency field (every bundle before it existed) still verifies, and one with it verifies alike without a state', async () => {
    const log = logOf(good, 1, 2);
    const plain = await verifyBundle(log.at(log.tree.size), options());
    expect(plain.valid).toBe(true);
    expect(await verifyBundle(log.at(log.tree.size, log.end), options())).toEqual(plain);
    expect((await verifyBundle(good, options())).valid).toBe(true);
  });

  it('the state is bound to the verification key: one saved for another key digest re-verifies every proof', async () => {
    const log = logOf(good, 1, 2);
    const state = stateAt(log.tree, log.end, good, [...Array(K).keys()]);
    const body = clone(state);
    delete (body as { digest?: string }).digest;
    body.letters[good.letterId].verificationKey = '00'.repeat(32);
    const o = options();
    const r = await verifyBundleResuming(log.at(log.tree.size, log.end), sealState(body), o);
    if ('refused' in r) throw new Error(r.refused.reason);
    expect(r.verdict.valid).toBe(true);
    expect(o.asked.length).toBe(K + 1);
  });
});
