/**
 * docs/protocol.md §10.6: a trustee's response to the dealing (one `dkg-ack` or one `dkg-complaint`
 * entry) is signed with its transport key over the whole entry, so the operator who logs it can
 * neither drop a complaint (to keep a cheating dealer qualified) nor respond in a trustee's name.
 * Each attack below is played by whoever holds the log, with everything public plus its own keys.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CommitteeEntry, evaluateCommittee, trusteeSign, trusteeVerify } from '../src/core/trustee/committee.ts';
import { type Committee, type Contribution, committeeId, encodeKey, makeContribution, transportEntry } from '../src/core/trustee/dkg.ts';
import { type TrusteeApi, trusteeStep } from '../src/core/trustee/duties.ts';
import { G, decodePoint, encodeScalar, mul, randomScalar } from '../src/core/trustee/group.ts';
import { seal } from '../src/core/trustee/seal.ts';
import { nodeVerificationKeys } from '../src/node/artifacts.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
type Complaint = Extract<CommitteeEntry, { kind: 'dkg-complaint' }>;
type Ack = Extract<CommitteeEntry, { kind: 'dkg-ack' }>;

function committeeOf(secrets: bigint[], k: number): Committee {
  const name = 'Test trustees';
  return { format: 'undersigned-committee/1', name, k, n: secrets.length, trustees: secrets.map((s, i) => ({ index: i + 1, name: `Trustee ${i + 1}`, ...transportEntry(s, name, i + 1, random) })) };
}

/** Dealer `dealer`'s contribution with trustee `victim`'s share replaced by a wrong value (sealed correctly). */
function cheating(committee: Committee, dealer: number, secret: bigint, victim: number): Contribution {
  const c = makeContribution(committee, dealer, secret, random);
  const E = decodePoint(committee.trustees[victim - 1].transportKey, 'E');
  if (!E.ok) throw new Error(E.reason);
  c.shares[victim - 1] = seal(new TextEncoder().encode(encodeScalar(12345n)), E.point, `undersigned/dkg-share/v1|${c.committeeId}|${dealer}|${victim}`, random);
  return c;
}

/** The log as the server keeps it: an entry is appended only if the history still replays; the key follows. */
function inMemoryLog(committee: Committee): { entries: CommitteeEntry[]; api: TrusteeApi } {
  const entries: CommitteeEntry[] = [{ kind: 'committee-created', committeeId: committeeId(committee), committee }];
  const api: TrusteeApi = {
    committeeEntries: async () => structuredClone(entries),
    submitCommitteeEntry: async (entry) => {
      const next = evaluateCommittee([...entries, entry]);
      if (!next.ok) throw new Error(`${next.code}: ${next.reason}`);
      entries.push(entry);
      if (next.state.key) entries.push({ kind: 'committee-ready', committeeId: next.state.id, ...encodeKey(next.state.key) });
    },
    closedSealedLetters: async () => [],
    bundle: async () => Promise.reject(new Error('no letters here')),
    submitReveal: async () => undefined,
    closedBallots: async () => [],
    procedureBundle: async () => Promise.reject(new Error('no ballots here')),
    submitTally: async () => undefined,
  };
  return { entries, api };
}

/**
 * Four trustees, threshold 2; dealers 3 and 4 send trustee 1 a bad share. Everyone but trustee 1
 * has dealt; `respond()` runs trustee 1's real duty (trusteeStep), which complains about both.
 */
async function dealtWithTwoCheats() {
  const secrets = Array.from({ length: 4 }, () => randomScalar(random));
  const committee = committeeOf(secrets, 2);
  const { entries, api } = inMemoryLog(committee);
  await trusteeStep(api, secrets[0], nodeVerificationKeys, random); // trustee 1 deals honestly
  await trusteeStep(api, secrets[1], nodeVerificationKeys, random);
  for (const dealer of [3, 4]) {
    const contribution = cheating(committee, dealer, secrets[dealer - 1], 1);
    await api.submitCommitteeEntry({ kind: 'dkg-contribution', contribution, signature: trusteeSign(secrets[dealer - 1], 'contribution', contribution, random) });
  }
  const dealt = structuredClone(entries);
  await trusteeStep(api, secrets[0], nodeVerificationKeys, random);
  const complaint = entries[entries.length - 1] as Complaint;
  return { secrets, committee, entries, api, dealt, complaint };
}

describe('signed DKG responses (protocol §10.6)', () => {
  it('an honest trustee’s complaint is signed, accepted, disqualifies the cheats, and the key still forms', async () => {
    const { secrets, entries, api, complaint } = await dealtWithTwoCheats();
    expect(complaint).toMatchObject({ kind: 'dkg-complaint', accuser: 1, complaints: [{ dealer: 3 }, { dealer: 4 }], signature: { c: expect.any(String), s: expect.any(String) } });
    for (const s of secrets.slice(1)) await trusteeStep(api, s, nodeVerificationKeys, random);
    const replay = evaluateCommittee(entries);
    expect(replay.ok && replay.state.key?.qualified).toEqual([1, 2]);
    expect(entries[entries.length - 1].kind).toBe('committee-ready');
  });

  it('a complaint dropped after the accuser signed (to keep a cheating dealer qualified) is refused', async () => {
    const { dealt, complaint } = await dealtWithTwoCheats();
    const trimmed: Complaint = { ...complaint, complaints: complaint.complaints.slice(0, 1) };
    expect(evaluateCommittee([...dealt, complaint]).ok).toBe(true);
    expect(evaluateCommittee([...dealt, trimmed])).toMatchObject({ ok: false, code: 'unsigned_complaint', reason: expect.stringContaining('trustee 1') });
  });

  it('a complaint entry without its signature, or signed by another trustee’s key, is refused', async () => {
    const { secrets, dealt, complaint } = await dealtWithTwoCheats();
    const { signature: _, ...body } = complaint;
    expect(evaluateCommittee([...dealt, body as Complaint])).toMatchObject({ ok: false, code: 'unsigned_complaint' });
    // The operator re-signs the trimmed entry with a key it holds (trustee 2's, say): still not trustee 1's.
    const trimmed = { ...body, complaints: body.complaints.slice(0, 1) };
    const byOther: Complaint = { ...trimmed, signature: trusteeSign(secrets[1], 'complaint', trimmed, random) };
    expect(evaluateCommittee([...dealt, byOther])).toMatchObject({ ok: false, code: 'unsigned_complaint' });
  });

  it('an ack in a trustee’s name signed by another trustee’s key is refused (the key cannot form before that trustee checked its shares)', async () => {
    const { secrets, dealt } = await dealtWithTwoCheats();
    const body = { committeeId: (dealt[0] as Extract<CommitteeEntry, { kind: 'committee-created' }>).committeeId, trustee: 1 };
    const forged: Ack = { kind: 'dkg-ack', ...body, signature: trusteeSign(secrets[1], 'ack', body, random) };
    expect(evaluateCommittee([...dealt, forged])).toMatchObject({ ok: false, code: 'bad_ack', reason: expect.stringContaining('not signed by trustee 1') });
    const own: Ack = { kind: 'dkg-ack', ...body, signature: trusteeSign(secrets[0], 'ack', body, random) };
    expect(evaluateCommittee([...dealt, own]).ok).toBe(true);
  });

  it('a complaint entry replayed onto another committee of the same trustees is refused', async () => {
    const { secrets, complaint } = await dealtWithTwoCheats();
    // Same transport keys, another threshold: another committee id.
    const other = committeeOf(secrets, 3);
    const { entries: otherDealt, api } = inMemoryLog(other);
    for (const s of secrets) await trusteeStep(api, s, nodeVerificationKeys, random);
    expect(evaluateCommittee([...otherDealt, complaint])).toMatchObject({ ok: false, code: 'bad_complaint' });
    // Rewriting the committee ids breaks the accuser's signature over them.
    const id = committeeId(other);
    const moved: Complaint = { ...complaint, committeeId: id, complaints: complaint.complaints.map((c) => ({ ...c, committeeId: id })) };
    expect(evaluateCommittee([...otherDealt, moved])).toMatchObject({ ok: false, code: 'unsigned_complaint' });
  });

  it('a signature the accuser made for another kind of entry over the same bytes does not sign a complaint', async () => {
    const { secrets, dealt, complaint } = await dealtWithTwoCheats();
    const { signature: _, ...body } = complaint;
    for (const what of ['reveal', 'tally', 'ack', 'contribution'] as const) {
      const reused: Complaint = { ...body, signature: trusteeSign(secrets[0], what, body, random) };
      expect(evaluateCommittee([...dealt, reused])).toMatchObject({ ok: false, code: 'unsigned_complaint' });
    }
    // And the other way: the complaint's own signature does not sign a reveal of the same body.
    const E1 = mul(G, secrets[0]);
    expect(trusteeVerify(E1, 'complaint', body, complaint.signature)).toBe(true);
    expect(trusteeVerify(E1, 'reveal', body, complaint.signature)).toBe(false);
  });
});
