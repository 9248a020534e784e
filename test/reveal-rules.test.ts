/**
 * Revealing sealed names (src/core/sealed/reveal.ts, docs/protocol.md §11.3), one rule a test, each
 * asserting the code and reason: which records are revealed at all, and what a trustee's reveal
 * entry must be. A 2-of-2 key shared by hand (x = 2·x1 − x2 over indices 1 and 2), real seals,
 * real partial decryptions with DLEQ proofs.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { trusteeSign } from '../src/core/trustee/committee.ts';
import { identityFromPrivateKey } from '../src/core/identity/identity.ts';
import type { Action } from '../src/core/letter/record.ts';
import { type RevealEntry, type SealedRecord, checkRevealEntry, computeReveal, makeRevealEntry, sealedToReveal } from '../src/core/sealed/reveal.ts';
import { sealName } from '../src/core/sealed/sealed.ts';
import { G, mul, randomScalar } from '../src/core/trustee/group.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const letterId = 'ab'.repeat(32);
const committeeId = 'cd'.repeat(32);
const x = [randomScalar(random), randomScalar(random)];
const publicShares = x.map((s) => mul(G, s));
const Y = publicShares[0].multiply(2n).subtract(publicShares[1]);
const transport = [randomScalar(random), randomScalar(random)];
const transportKeys = transport.map((t) => mul(G, t));

const people = ['Geneviève Côté', 'Amrit Singh'].map((name, i) => ({ name, id: 7 + i, identity: identityFromPrivateKey(random(32)) }));
const byCommitment = new Map(people.map((p, i) => [p.identity.commitment.toString(), { id: p.id, name: p.name, leaf: i, commitment: p.identity.commitment.toString() }]));
const nullifiers = ['111', '222'];
const sealed: SealedRecord[] = people.map((p, i) => ({ record: i, nullifier: nullifiers[i], sealed: sealName(p.identity, letterId, nullifiers[i], Y, random) }));

const entryOf = (trustee: 1 | 2, over: Partial<{ letterId: string; committeeId: string; share: bigint; sealed: SealedRecord[] }> = {}): RevealEntry =>
  makeRevealEntry(
    {
      letterId: over.letterId ?? letterId,
      committeeId: over.committeeId ?? committeeId,
      trustee,
      share: over.share ?? x[trustee - 1],
      publicShare: publicShares[trustee - 1],
      transportSecret: transport[trustee - 1],
      sealed: over.sealed ?? sealed,
    },
    random,
  );
/** An edited entry, signed again by its own trustee (misbehaving, not forged). */
function resigned(e: RevealEntry): RevealEntry {
  const { signature: _, ...body } = e;
  return { ...body, signature: trusteeSign(transport[e.trustee - 1], 'reveal', body, random) };
}

const input = { letterId, committeeId, publicShares, transportKeys, sealed };
const revealOf = (entries: RevealEntry[], count = 5, threshold = 3) => computeReveal({ ...input, k: 2, count, threshold, entries, byCommitment });

describe('which sealed names are ever revealed', () => {
  const support = (display: 'sealed' | 'anonymous', seq: number): Action =>
    display === 'sealed' ? { format: 'undersigned-action/1', letterId, action: 'support', display, seq, sealed: sealed[0].sealed } : { format: 'undersigned-action/1', letterId, action: 'support', display, seq };
  const withdraw = (seq: number): Action => ({ format: 'undersigned-action/1', letterId, action: 'withdraw', seq });

  it('only the latest action of a nullifier counts: a sealed support withdrawn, or replaced by an anonymous one, stays sealed forever', () => {
    expect(sealedToReveal([{ nullifier: '1', action: support('sealed', 1) }, { nullifier: '1', action: withdraw(2) }])).toEqual([]);
    expect(sealedToReveal([{ nullifier: '1', action: support('sealed', 1) }, { nullifier: '1', action: support('anonymous', 2) }])).toEqual([]);
  });

  it('the sealed supports to reveal come in record order, each at the position of its latest record, skipping positions that hold no signature', () => {
    const list = sealedToReveal([
      { nullifier: '2', action: support('anonymous', 1) },
      null,
      { nullifier: '1', action: support('sealed', 1) },
      { nullifier: '2', action: support('sealed', 2) },
    ]);
    expect(list.map((s) => [s.record, s.nullifier])).toEqual([
      [2, '1'],
      [3, '2'],
    ]);
  });
});

describe('a trustee’s reveal entry', () => {
  it('a well-made entry gives one partial per sealed record', () => {
    const c = checkRevealEntry(input, entryOf(1));
    expect(c.ok && [...c.D.keys()]).toEqual(nullifiers);
  });

  it('an entry for another letter or another committee is refused, and names its trustee', () => {
    expect(checkRevealEntry(input, entryOf(1, { letterId: 'ef'.repeat(32) }))).toEqual({ ok: false, code: 'bad_reveal', reason: 'trustee 1: partials for another letter or committee' });
    expect(checkRevealEntry(input, entryOf(2, { committeeId: 'ef'.repeat(32) }))).toEqual({ ok: false, code: 'bad_reveal', reason: 'trustee 2: partials for another letter or committee' });
  });

  it('an entry in the name of a trustee the committee does not have is refused', () => {
    expect(checkRevealEntry(input, { ...entryOf(1), trustee: 3 })).toEqual({ ok: false, code: 'bad_reveal', reason: 'trustee 3 is not on the committee' });
  });

  it('an entry must cover exactly the sealed records: no fewer, and none twice or outside them', () => {
    const e = entryOf(1);
    expect(checkRevealEntry(input, resigned({ ...e, partials: e.partials.slice(0, 1) }))).toEqual({ ok: false, code: 'bad_reveal', reason: 'trustee 1: partials must cover exactly the 2 sealed signatures' });
    expect(checkRevealEntry(input, resigned({ ...e, partials: [e.partials[0], e.partials[0]] }))).toEqual({ ok: false, code: 'bad_reveal', reason: 'trustee 1: a partial for a record that is not to be revealed' });
    expect(checkRevealEntry(input, resigned({ ...e, partials: [e.partials[0], { ...e.partials[1], nullifier: '333' }] }))).toEqual({ ok: false, code: 'bad_reveal', reason: 'trustee 1: a partial for a record that is not to be revealed' });
  });

  it('a partial made with a wrong share does not verify, and says which record', () => {
    expect(checkRevealEntry(input, entryOf(2, { share: x[1] + 1n }))).toEqual({ ok: false, code: 'bad_partial', reason: "trustee 2's partial decryption for record 0 does not verify" });
  });
});

describe('the reveal from the entries', () => {
  it('at the threshold, k entries open every sealed name, listed by member id', () => {
    expect(revealOf([entryOf(2), entryOf(1)])).toEqual({
      ok: true,
      result: {
        revealed: [
          { record: 0, nullifier: '111', id: 7, name: 'Geneviève Côté' },
          { record: 1, nullifier: '222', id: 8, name: 'Amrit Singh' },
        ],
        invalid: [],
        stillSealed: 0,
        misbehaving: [],
        trustees: [2, 1],
      },
    });
  });

  it('a trustee’s second entry is ignored; one trustee alone opens nothing', () => {
    expect(revealOf([entryOf(1), entryOf(1)])).toMatchObject({ ok: true, result: { revealed: [], stillSealed: 2, trustees: [] } });
  });

  it('a signed wrong entry names its trustee, and the names stay sealed without another', () => {
    expect(revealOf([entryOf(2, { share: 5n }), entryOf(1)])).toMatchObject({
      ok: true,
      result: { revealed: [], stillSealed: 2, misbehaving: [{ trustee: 2, reason: "trustee 2's partial decryption for record 0 does not verify" }] },
    });
  });

  it('a letter with no reveal threshold (0) never reveals: any partial is a breach', () => {
    expect(revealOf([entryOf(1), entryOf(2)], 5, 0)).toEqual({
      ok: false,
      code: 'reveal_below_threshold',
      reason: 'trustees published partial decryptions although the count (5) is below the reveal threshold (0)',
    });
    expect(revealOf([], 5, 0)).toMatchObject({ ok: true, result: { revealed: [], stillSealed: 2 } });
  });

  it('a sealed name that opens to no roster member is reported by record and names nobody', () => {
    const stranger = { ...sealed[1], sealed: sealName(identityFromPrivateKey(random(32)), letterId, nullifiers[1], Y, random) };
    const withStranger = [sealed[0], stranger];
    const entries = [entryOf(1, { sealed: withStranger }), entryOf(2, { sealed: withStranger })];
    const r = computeReveal({ ...input, sealed: withStranger, k: 2, count: 5, threshold: 3, entries, byCommitment });
    expect(r).toMatchObject({ ok: true, result: { revealed: [{ name: 'Geneviève Côté' }], stillSealed: 0 } });
    expect(r.ok && r.result.invalid.map((i) => i.record)).toEqual([1]);
  });
});
