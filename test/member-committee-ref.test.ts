/**
 * Before a member seals a name or encrypts a vote, their client checks that the committee key the
 * letter or ballot names is the one the trustees generated on the log (src/core/member/committee-ref.ts),
 * with the committee entries of the bad-bundle corpus: the real ones, and another committee's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Bundle } from '../src/core/bundle/bundle.ts';
import { checkCommitteeRef } from '../src/core/member/committee-ref.ts';
import { FIXTURES } from './corpus/manifest.ts';

const read = (file: string) => JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Bundle;
const sealed = read('good/sealed-letter.json');
const entries = sealed.committee!.map((e) => e.entry);
const other = read('sealed-re-logged-the-committee-entries-of-another-committee.json').committee!.map((e) => e.entry);
const opened = sealed.opened.entry;
if (opened.kind !== 'letter-opened' || !opened.letter.committee) throw new Error('the corpus changed: a sealed letter is expected');
const ref = opened.letter.committee;

describe('a member checks the committee a letter or ballot names', () => {
  it('the committee the trustees generated on the log is accepted', () => {
    expect(checkCommitteeRef(entries, ref)).toEqual({ ok: true });
    expect(checkCommitteeRef(entries, ref, 'ballot')).toEqual({ ok: true });
  });

  it('a key the server put in the letter, other than the logged one, is refused before any name is sealed', () => {
    const invented = { ...ref, publicKey: other.find((e) => e.kind === 'committee-ready')!.publicKey };
    expect(checkCommitteeRef(entries, invented)).toMatchObject({ ok: false, code: 'sealed_committee_mismatch', reason: expect.stringContaining('this letter names') });
    expect(checkCommitteeRef(entries, invented, 'ballot')).toMatchObject({ ok: false, code: 'committee_mismatch', reason: expect.stringContaining('this ballot names') });
    expect(checkCommitteeRef(entries, { ...ref, k: ref.k + 1 })).toMatchObject({ ok: false, code: 'sealed_committee_mismatch' });
    expect(checkCommitteeRef(entries, { ...ref, n: ref.n + 1 })).toMatchObject({ ok: false, code: 'sealed_committee_mismatch' });
  });

  it('another committee’s entries (a self-consistent key generation the server made up) do not match the letter', () => {
    expect(checkCommitteeRef(other, ref)).toMatchObject({ ok: false, code: 'sealed_committee_mismatch' });
  });

  it('entries that do not replay, or are not entries at all, leave the committee unverified', () => {
    expect(checkCommitteeRef(entries.slice(1), ref)).toMatchObject({ ok: false, code: 'sealed_committee_unverified' });
    expect(checkCommitteeRef(entries.slice(0, 2), ref)).toMatchObject({ ok: false, code: 'sealed_committee_unverified' });
    expect(checkCommitteeRef([null, 7], ref, 'ballot', '')).toMatchObject({ ok: false, code: 'committee_unverified' });
  });
});
