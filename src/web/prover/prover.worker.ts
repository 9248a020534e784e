/**
 * The prover, in a Web Worker so the page stays responsive: identity creation and backup
 * encryption (scrypt), opening a backup, and the Semaphore proofs that propose, sign, withdraw and
 * open a membership session. It uses the same src/core code as the server and the CLI.
 *
 * Circuit artifacts come only from this instance (/artifacts/semaphore-<depth>.*): the worker
 * fetches them once with a progress report, and snarkjs then reads them from the HTTP cache.
 * BN254 arithmetic runs single-threaded here (single-thread-curve.ts says why).
 */
import '../jitless.ts';
import { generateProof } from '@semaphore-protocol/proof';
import { BallotSchema, ballotId as computeBallotId, isRecorded, voteScope } from '../../core/ballot/ballot.ts';
import { proveVote } from '../../core/ballot/prove-vote.ts';
import { bytesToHex, hexToBytes } from '../../core/encoding.ts';
import { identityFromPrivateKey } from '../../core/identity/identity.ts';
import { openIdentityFile, sealIdentityFile } from '../../core/identity/identity-file.ts';
import { LetterSchema, letterId as computeLetterId, signatureScope } from '../../core/letter/letter.ts';
import { checkReceipt } from '../../core/member/receipt.ts';
import { expectedNullifier, proveAction, proveProposal } from '../../core/letter/prove.ts';
import { checkRoster, rosterRef, type RosterRef, type RosterSnapshot } from '../../core/roster/roster.ts';
import { sessionMessage, sessionScope } from '../../core/identity/session.ts';
import type { SemaphoreProof } from '../../core/crypto/semaphore.ts';
import { ProverFailure as Refusal, type Handlers, serveCalls } from '../worker-calls.ts';
import type { CommitteeOnLog, Progress, ProverCalls } from './protocol.ts';
import { singleThreadedCurve } from './single-thread-curve.ts';
import { checkCommitteeOnLog, checkOpenedOnLog, checkPolicyPinned } from '../../core/member/witnessed-log.ts';
import type { Ballot } from '../../core/ballot/ballot.ts';
import type { Letter } from '../../core/letter/letter.ts';

const scope = self as unknown as { location: { origin: string }; crypto: Crypto };


// --- artifacts and the curve -------------------------------------------------------------------

const artifactUrl = (depth: number, ext: 'wasm' | 'zkey') => `${scope.location.origin}/artifacts/semaphore-${depth}.${ext}`;
const artifacts = (depth: number) => ({ wasm: artifactUrl(depth, 'wasm'), zkey: artifactUrl(depth, 'zkey') });
const fetched = new Set<number>();

async function fetchArtifacts(depth: number, progress: (p: Progress) => void): Promise<void> {
  if (fetched.has(depth)) return;
  const urls = [artifactUrl(depth, 'wasm'), artifactUrl(depth, 'zkey')];
  const responses = await Promise.all(urls.map((u) => fetch(u)));
  for (const r of responses) if (!r.ok) throw new Refusal('artifacts_unavailable', `the server did not send the circuit (${r.status})`);
  const total = responses.reduce((s, r) => s + Number(r.headers.get('content-length') ?? 0), 0);
  let loaded = 0;
  await Promise.all(
    responses.map(async (r) => {
      const reader = r.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        loaded += value.length;
        progress({ stage: 'artifacts', loaded, total });
      }
    }),
  );
  fetched.add(depth);
}

// --- the calls -----------------------------------------------------------------------------------

const random = (n: number) => scope.crypto.getRandomValues(new Uint8Array(n));
const identityOf = (privateKeyHex: string) => identityFromPrivateKey(hexToBytes(privateKeyHex));

/**
 * The group of a roster reference, checked against the snapshot once and kept for the next call:
 * a tree already checked against this root and digest is the tree of any snapshot that matches
 * them (a 100,000-member tree costs tens of seconds of BigInt Poseidon here).
 */
let lastGroup: { key: string; group: ReturnType<typeof checkRosterGroup> } | null = null;
const checkRosterGroup = (snapshot: RosterSnapshot, ref: RosterRef) => {
  const roster = checkRoster(snapshot, ref);
  if (!roster.ok) throw new Refusal('roster_mismatch', `the roster the server sent does not match: ${roster.reason}`);
  return roster.group;
};
function groupFor(snapshot: RosterSnapshot, ref: RosterRef) {
  const key = `${ref.root}|${ref.digest}|${ref.depth}|${ref.size}|${ref.enrolled}`;
  if (lastGroup?.key !== key) lastGroup = { key, group: checkRosterGroup(snapshot, ref) };
  return lastGroup.group;
}

/**
 * Nothing is sealed or encrypted to a committee key before this passes: the letter or ballot
 * names the witness policy this device pinned, and its committee is the one the witnessed log
 * gives (docs/protocol.md §2, §11; core/member/witnessed-log.ts). Throws the refusal's code.
 */
function requireCommitteeOnLog(named: Pick<Letter, 'committee' | 'witnesses'> | Ballot, on: CommitteeOnLog | undefined, what: 'letter' | 'ballot'): void {
  const noCommittee = what === 'letter' ? 'sealed_without_committee' : 'committee_unverified';
  if (!named.committee) throw new Refusal(noCommittee, `this ${what} names no trustee committee`);
  const prefix = what === 'letter' ? 'sealed_' : '';
  if (!on) throw new Refusal(`${prefix}committee_unverified`, 'the committee on the witnessed log was not given');
  const policy = checkPolicyPinned(named.witnesses, on.anchor, what);
  if (!policy.ok) throw new Refusal(policy.code, policy.reason);
  const proven = checkCommitteeOnLog(on.view, named.committee, on.anchor, what);
  if (!proven.ok) throw new Refusal(proven.code, proven.reason);
}

/**
 * The letter or ballot as its opening on the witnessed log gives it (core/member/witnessed-log.ts
 * checkOpenedOnLog): nothing is signed or voted on that is not on the log every witness and
 * monitor sees. Throws the refusal's code.
 */
function loggedLetter(letterId: string, on: CommitteeOnLog | undefined): Letter {
  if (!on) throw new Refusal('letter_not_on_log', 'the letter on the witnessed log was not given');
  const r = checkOpenedOnLog(on.view, letterId, on.anchor, 'letter');
  if (!r.ok) throw new Refusal(r.code, r.reason);
  return r.letter;
}
function loggedBallot(ballotId: string, on: CommitteeOnLog | undefined): Ballot {
  if (!on) throw new Refusal('ballot_not_on_log', 'the ballot on the witnessed log was not given');
  const r = checkOpenedOnLog(on.view, ballotId, on.anchor, 'ballot');
  if (!r.ok) throw new Refusal(r.code, r.reason);
  return r.ballot;
}

const handlers: Handlers<ProverCalls, Progress> = {
  async 'create-identity'({ passphrase, label }, progress) {
    progress({ stage: 'kdf' });
    const privateKey = random(32);
    const file = await sealIdentityFile({ privateKey, passphrase, salt: random(16), nonce: random(24), label });
    return { file, privateKey: bytesToHex(privateKey), commitment: file.commitment };
  },

  async 'open-identity'({ text, passphrase }, progress) {
    progress({ stage: 'kdf' });
    const opened = await openIdentityFile(text, passphrase);
    if (!opened.ok) throw new Refusal(opened.code, opened.reason);
    return { privateKey: bytesToHex(opened.privateKey), commitment: opened.commitment, label: opened.label };
  },

  async commitment({ privateKey }) {
    return { commitment: identityOf(privateKey).commitment.toString() };
  },

  async 'check-letter'({ letterId, letter }) {
    const parsed = LetterSchema.safeParse(letter);
    if (!parsed.success) throw new Refusal('letter_malformed', 'the server sent a letter that is not well formed');
    if (computeLetterId(parsed.data) !== letterId) throw new Refusal('letter_id_mismatch', 'the server sent a letter whose id does not match its words');
    return { letter: parsed.data };
  },

  async nullifier({ privateKey, letterId }) {
    return { nullifier: expectedNullifier(identityOf(privateKey), signatureScope(letterId)) };
  },

  async 'prove-action'({ privateKey, letterId, opened, snapshot, choice, committee }, progress) {
    const letter = loggedLetter(letterId, opened);
    // Seal the name only to the key the trustees generated on the witnessed public log (docs/protocol.md §11).
    if (choice.display === 'sealed') requireCommitteeOnLog(letter, committee, 'letter');
    const identity = identityOf(privateKey);
    const group = groupFor(snapshot, letter.roster);
    if (group.indexOf(identity.commitment) < 0) throw new Refusal('not_on_roster', 'your identity is not on the roster this letter counts against');
    await fetchArtifacts(letter.roster.depth, progress);
    await singleThreadedCurve();
    progress({ stage: 'proving' });
    const start = performance.now();
    const record = await proveAction({ identity, group, letter, letterId, artifacts }, { ...choice, random });
    return { record, ms: performance.now() - start };
  },

  async 'prove-proposal'({ privateKey, fields, snapshot, ref, nonce, committee }, progress) {
    if (fields.committee) requireCommitteeOnLog(fields, committee, 'letter');
    const identity = identityOf(privateKey);
    const group = groupFor(snapshot, ref);
    if (group.indexOf(identity.commitment) < 0) throw new Refusal('not_on_roster', 'your identity is not on the current roster');
    const parsed = LetterSchema.safeParse({ ...fields, format: 'undersigned-letter/1', roster: ref, nonce });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Refusal('bad_letter', `letter ${issue.path.join('.')}: ${issue.message}`);
    }
    const letter = parsed.data;
    const letterId = computeLetterId(letter);
    await fetchArtifacts(ref.depth, progress);
    await singleThreadedCurve();
    progress({ stage: 'proving' });
    const proposal = await proveProposal({ identity, group, letter, letterId, artifacts });
    return { letter, letterId, proposal };
  },

  async 'prove-session'({ privateKey, snapshot, ref, challenge }, progress) {
    const identity = identityOf(privateKey);
    const computed = rosterRef(snapshot);
    if (!computed.ok || computed.ref.root !== ref.root || computed.ref.digest !== ref.digest) {
      throw new Refusal('roster_mismatch', 'the roster the server sent is inconsistent');
    }
    const group = computed.group;
    const index = group.indexOf(identity.commitment);
    if (index < 0) throw new Refusal('not_on_roster', 'your identity is not on the current roster');
    await fetchArtifacts(ref.depth, progress);
    await singleThreadedCurve();
    progress({ stage: 'proving' });
    const merkleProof = group.generateMerkleProof(index);
    const p = await generateProof(
      identity,
      { ...merkleProof, siblings: [...merkleProof.siblings] },
      sessionMessage(challenge),
      sessionScope(challenge),
      ref.depth,
      artifacts(ref.depth),
    );
    const proof: SemaphoreProof = {
      merkleTreeDepth: p.merkleTreeDepth,
      merkleTreeRoot: p.merkleTreeRoot.toString(),
      nullifier: p.nullifier.toString(),
      message: p.message.toString(),
      scope: p.scope.toString(),
      points: p.points.map(String),
    };
    return { proof };
  },

  async 'check-ballot'({ ballotId, ballot }) {
    const parsed = BallotSchema.safeParse(ballot);
    if (!parsed.success) throw new Refusal('ballot_malformed', 'the server sent a ballot that is not well formed');
    if (computeBallotId(parsed.data) !== ballotId) throw new Refusal('ballot_id_mismatch', 'the server sent a ballot whose id does not match its question');
    return { ballot: parsed.data };
  },

  async 'vote-nullifier'({ privateKey, ballotId }) {
    return { nullifier: expectedNullifier(identityOf(privateKey), voteScope(ballotId)) };
  },

  async 'prove-vote'({ privateKey, ballotId, opened, snapshot, committee, choice, seq }, progress) {
    const ballot = loggedBallot(ballotId, opened);
    if (!Number.isInteger(choice) || choice < 0 || choice >= ballot.options.length) throw new Refusal('bad_choice', 'choose one of the options');
    // Encrypt only to the key the trustees generated on the witnessed public log, never to one the server names.
    if (!isRecorded(ballot)) requireCommitteeOnLog(ballot, committee, 'ballot');
    const identity = identityOf(privateKey);
    const group = groupFor(snapshot, ballot.roster);
    if (group.indexOf(identity.commitment) < 0) throw new Refusal('not_on_roster', 'your identity is not on the roster this ballot counts');
    await fetchArtifacts(ballot.roster.depth, progress);
    await singleThreadedCurve();
    progress({ stage: 'proving' });
    const start = performance.now();
    const record = await proveVote({ identity, group, ballot, ballotId, artifacts }, choice, seq, random);
    return { record, ms: performance.now() - start };
  },

  async prepare({ depth }, progress) {
    await fetchArtifacts(depth, progress);
    await singleThreadedCurve();
    return {};
  },

  async 'check-receipt'({ receipt, entry, verifierKey }) {
    const checked = checkReceipt(receipt, entry, verifierKey);
    if (!checked.ok) throw new Refusal(checked.code, checked.reason);
    return { size: checked.size };
  },
};

serveCalls<ProverCalls, Progress>(handlers, 'prover_failed');
