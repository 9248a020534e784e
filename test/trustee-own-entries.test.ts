/**
 * Issue 13 item 3: a trustee watches the log for entries in its name that it did not make
 * (src/core/trustee/own-entries.ts), and its key is shown as fingerprint words to be compared
 * out of band (src/core/trustee/key-fingerprint.ts). Each forgery below is what an operator who
 * holds the log can write: everything public, its own keys, and (for a copied trustee file) the
 * victim's key used somewhere the victim's record does not know about.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type CommitteeEntry, trusteeSign } from '../src/core/trustee/committee.ts';
import { fingerprintWords } from '../src/core/fingerprint-words.ts';
import { type Committee, committeeId, makeContribution, transportEntry } from '../src/core/trustee/dkg.ts';
import { randomScalar } from '../src/core/trustee/group.ts';
import { transportKeyFingerprint, trusteesOfCommittee } from '../src/core/trustee/key-fingerprint.ts';
import { type OwnRecord, describeAlarm, entriesNotMine, newOwnRecord, ownTransportKey, withMade } from '../src/core/trustee/own-entries.ts';

const random = (n: number) => new Uint8Array(randomBytes(n));
const NAME = 'Trustees';

function committeeOf(keys: bigint[]): Committee {
  return { format: 'undersigned-committee/1', name: NAME, k: 2, n: keys.length, trustees: keys.map((s, i) => ({ index: i + 1, name: `Trustee ${i + 1}`, ...transportEntry(s, NAME, i + 1, random) })) };
}
const created = (c: Committee): CommitteeEntry => ({ kind: 'committee-created', committeeId: committeeId(c), committee: c });
const contribution = (c: Committee, dealer: number, secret: bigint): CommitteeEntry => {
  const contribution = makeContribution(c, dealer, secret, random);
  return { kind: 'dkg-contribution', contribution, signature: trusteeSign(secret, 'contribution', contribution, random) };
};
const ack = (c: Committee, trustee: number, signingSecret: bigint): CommitteeEntry => {
  const body = { committeeId: committeeId(c), trustee };
  return { kind: 'dkg-ack', ...body, signature: trusteeSign(signingSecret, 'ack', body, random) };
};

/** Three trustees; trustee 1 ("me") made its record at join and recorded each entry it sent. */
function honestLog() {
  const secrets = [randomScalar(random), randomScalar(random), randomScalar(random)];
  const committee = committeeOf(secrets);
  const log: CommitteeEntry[] = [created(committee), ...secrets.map((s, i) => contribution(committee, i + 1, s)), ...secrets.map((s, i) => ack(committee, i + 1, s))];
  let record = newOwnRecord(ownTransportKey(secrets[0]), { index: 1, committee: NAME }, 0);
  record = withMade(record, log[1]);
  record = withMade(record, log[4]);
  // Log indexes start at 10: the instance's own entries come first.
  const served = (entries: unknown[]) => entries.map((entry, i) => ({ index: 10 + i, entry }));
  return { secrets, committee, log, record, served };
}

describe('entries in a trustee’s name that it did not make', () => {
  it('an honest log raises no alarm: every entry in my name is one I recorded', () => {
    const { log, record, served } = honestLog();
    expect(entriesNotMine(record, served(log))).toEqual([]);
  });

  it('a committee-created entry with an invented transport key in my slot raises slot_not_mine, at its index', () => {
    const { secrets, record, served } = honestLog();
    const operator = randomScalar(random);
    // The operator joins slot 1 with its own key: the join proof verifies (it knows that secret).
    const invented = committeeOf([operator, secrets[1], secrets[2]]);
    const alarms = entriesNotMine(record, served([null, created(invented)]));
    expect(alarms).toEqual([{ code: 'slot_not_mine', index: 11, slot: 1, transportKey: ownTransportKey(operator) }]);
    expect(describeAlarm(alarms[0])).toContain('log entry 11 (committee-created)');
  });

  it('my key moved to another slot is caught by the slot I joined', () => {
    const { secrets, record, served } = honestLog();
    const operator = randomScalar(random);
    const moved = committeeOf([operator, secrets[0], secrets[2]]);
    expect(entriesNotMine(record, served([created(moved)])).map((a) => a.code)).toEqual(['slot_not_mine']);
  });

  it('without a record of the slot joined, a committee without my key cannot be judged (no alarm, no index)', () => {
    const { secrets, served } = honestLog();
    const record = newOwnRecord(ownTransportKey(secrets[0]), null, 0);
    const invented = committeeOf([randomScalar(random), secrets[1], secrets[2]]);
    expect(entriesNotMine(record, served([created(invented)]))).toEqual([]);
  });

  it('an ack in my name signed with another key is not_made_here, not signed by me (a forgery the replay refuses)', () => {
    const { committee, log, record, served } = honestLog();
    const forged = ack(committee, 1, randomScalar(random));
    const alarms = entriesNotMine(record, served([...log.slice(0, 4), forged]));
    expect(alarms).toEqual([{ code: 'not_made_here', index: 14, kind: 'dkg-ack', signedByMe: false }]);
    expect(describeAlarm(alarms[0])).toContain('not signed with your key');
  });

  it('an ack signed with my key but not made with my record is not_made_here, signed by me (the file used elsewhere)', () => {
    const { secrets, committee, log, record, served } = honestLog();
    const elsewhere = ack(committee, 1, secrets[0]);
    const alarms = entriesNotMine(record, served([...log.slice(0, 4), elsewhere]));
    expect(alarms).toEqual([{ code: 'not_made_here', index: 14, kind: 'dkg-ack', signedByMe: true }]);
    expect(describeAlarm(alarms[0])).toContain('used elsewhere');
  });

  it('my own ack logged a second time is made_twice, pointing at the first copy', () => {
    const { log, record, served } = honestLog();
    expect(entriesNotMine(record, served([...log, log[4]]))).toEqual([{ code: 'made_twice', index: 17, kind: 'dkg-ack', first: 14 }]);
  });

  it('reveal and tally entries in my name are judged too; a complaint in my name is', () => {
    const { secrets, committee, record, served } = honestLog();
    const id = committeeId(committee);
    const reveal = { kind: 'reveal-partials', letterId: 'a'.repeat(64), committeeId: id, trustee: 1, partials: [] };
    const tally = { kind: 'tally-partials', ballotId: 'b'.repeat(64), committeeId: id, trustee: 1, partials: [] };
    const complaint = { kind: 'dkg-complaint', committeeId: id, accuser: 1, complaints: [] };
    const entries = [
      { ...reveal, signature: trusteeSign(secrets[0], 'reveal', reveal, random) },
      { ...tally, signature: trusteeSign(randomScalar(random), 'tally', tally, random) },
      { ...complaint, signature: trusteeSign(secrets[0], 'complaint', complaint, random) },
    ];
    expect(entriesNotMine(record, served(entries)).map((a) => a.code === 'not_made_here' && [a.kind, a.signedByMe])).toEqual([
      ['reveal-partials', true],
      ['tally-partials', false],
      ['dkg-complaint', true],
    ]);
  });

  it('other trustees’ entries, members’ entries and hidden (null) entries raise nothing', () => {
    const { secrets, committee, log, record, served } = honestLog();
    const others = [ack(committee, 2, randomScalar(random)), { kind: 'signature', letterId: 'c'.repeat(64), record: {} }, null, contribution(committee, 3, secrets[2])];
    expect(entriesNotMine(record, served([...log, ...others]))).toEqual([]);
  });

  it('an entry before the record began (since) is not judged not_made_here; one after it is', () => {
    const { secrets, committee, log, served } = honestLog();
    const late: OwnRecord = newOwnRecord(ownTransportKey(secrets[0]), null, 16);
    const elsewhere = ack(committee, 1, secrets[0]);
    expect(entriesNotMine(late, served(log))).toEqual([]);
    expect(entriesNotMine(late, served([...log.slice(0, 6), log[6], elsewhere])).map((a) => a.index)).toEqual([17]);
  });

  it('withMade returns a new record and leaves the caller’s as it was', () => {
    const { log, record } = honestLog();
    const before = structuredClone(record);
    const after = withMade(record, log[2]);
    expect(record).toEqual(before);
    expect(after.made).toHaveLength(3);
    expect(withMade(after, log[2])).toBe(after);
  });
});

describe('trustee key fingerprints', () => {
  it('come from a tagged hash of the key, so every word of the list is reachable and two keys differ', () => {
    const a = ownTransportKey(randomScalar(random));
    const b = ownTransportKey(randomScalar(random));
    expect(transportKeyFingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(transportKeyFingerprint(a).slice(0, 16)).not.toBe(a.slice(0, 16));
    expect(fingerprintWords(transportKeyFingerprint(a), 'en')).not.toEqual(fingerprintWords(transportKeyFingerprint(b), 'en'));
    expect(fingerprintWords(transportKeyFingerprint(a), 'fr')).toHaveLength(8);
  });

  it('the trustees listed are those of the committee the id names, never of another or an altered one', () => {
    const { committee, log } = honestLog();
    const id = committeeId(committee);
    expect(trusteesOfCommittee(log, id)?.map((t) => [t.index, t.name, t.transportKey])).toEqual(committee.trustees.map((t) => [t.index, t.name, t.transportKey]));
    expect(trusteesOfCommittee(log, 'f'.repeat(64))).toBeNull();
    // The entry's stated id kept, a key swapped: the committee no longer hashes to the id.
    const swapped = structuredClone(log[0]) as Extract<CommitteeEntry, { kind: 'committee-created' }>;
    swapped.committee.trustees[0].transportKey = ownTransportKey(randomScalar(random));
    expect(trusteesOfCommittee([swapped], id)).toBeNull();
    expect(trusteesOfCommittee([null, 'x', { kind: 'committee-created' }], id)).toBeNull();
  });
});
