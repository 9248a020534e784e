/**
 * Secret ballots (docs/protocol.md §12). A ballot fixes its question, options, roster and trustee
 * committee; ballotId = SHA-256("undersigned/ballot/v1" ‖ 0x00 ‖ canonical JSON). A vote is a
 * Semaphore proof (scope = ballotId, message = hash of the vote action) carrying one exponential
 * ElGamal ciphertext per option, each proven to hold 0 or 1, and a proof that their sum holds
 * exactly 1: one option chosen, no more, no less, never a 2 or a −1. The latest vote per
 * nullifier counts. The tally is the homomorphic sum of the counted votes, which only k trustees
 * together can decrypt; no partial result exists before the close.
 */
import { z } from 'zod';
import { WitnessPolicySchema } from '../log/cosignature.ts';
import { taggedHash } from '../encoding.ts';
import { InstantSchema } from '../letter/letter.ts';
import { type Check, fail, pass } from '../result.ts';
import { RosterRefSchema } from '../roster/roster.ts';
import { type SemaphoreProof, SemaphoreProofSchema, hexToBigint, verifySemaphoreProof, type VerificationKeys } from '../crypto/semaphore.ts';
import { type Point, type Random, decodePoint, randomScalar } from '../trustee/group.ts';
import { namedSigner } from '../identity/identity.ts';
import { PRESETS } from './procedures.ts';
import { NamedSchema } from '../letter/record.ts';
import type { RosterMember } from '../roster/roster.ts';
import { type Ciphertext, addCiphertexts, decodeCiphertext, encodeCiphertext, encrypt, proveOneOf, verifyOneOf } from './elgamal.ts';

const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const CommitteeRefSchema = z.object({ id: hex32, publicKey: hex32, k: z.number().int().min(1), n: z.number().int().min(1) }).strict();
export type CommitteeRef = z.infer<typeof CommitteeRefSchema>;

export const BallotSchema = z
  .object({
    format: z.literal('undersigned-ballot/1'),
    question: z.string().min(1).max(1000),
    options: z.array(z.string().min(1).max(200)).min(2).max(50),
    roster: RosterRefSchema,
    committee: CommitteeRefSchema,
    deadline: InstantSchema,
    /** The procedure preset (src/core/ballot/procedures.ts) whose decision rule applies. */
    procedure: z.string().min(1).max(100),
    /** The notice letter that triggered this ballot, if any. */
    notice: hex32.nullable(),
    /** The witnesses whose cosignatures make a checkpoint count (absent: none), as in a letter. */
    witnesses: WitnessPolicySchema.optional(),
    nonce: z.string().regex(/^[0-9a-f]{32}$/),
  })
  .strict()
  .refine((b) => new Set(b.options).size === b.options.length, 'options must be distinct');
export type Ballot = z.infer<typeof BallotSchema>;

const CiphertextSchema = z.object({ a: hex32, b: hex32 }).strict();
const OneOfSchema = z.object({ c: z.array(hex32).max(51), s: z.array(hex32).max(51) }).strict();

export const EncryptedVoteSchema = z
  .object({
    format: z.literal('undersigned-vote/1'),
    ballotId: hex32,
    seq: z.number().int().min(1).max(1_000_000),
    choices: z.array(z.object({ ct: CiphertextSchema, proof: OneOfSchema }).strict()).max(50),
    sum: OneOfSchema,
  })
  .strict();

/**
 * A recorded vote, for rules that require each member's vote to be recorded (the Reform Act's
 * post-election adoption votes): the choice in clear, signed by the member's identity key over
 * (ballot, nullifier, choice), so it is tied to their name and to this one vote.
 */
export const RecordedVoteSchema = z
  .object({
    format: z.literal('undersigned-vote/1'),
    ballotId: hex32,
    seq: z.number().int().min(1).max(1_000_000),
    choice: z.string().min(1).max(200),
    named: NamedSchema,
  })
  .strict();

export const VoteActionSchema = z.union([EncryptedVoteSchema, RecordedVoteSchema]);
export type VoteAction = z.infer<typeof VoteActionSchema>;

export const VoteRecordSchema = z.object({ action: VoteActionSchema, proof: SemaphoreProofSchema }).strict();
export type VoteRecord = z.infer<typeof VoteRecordSchema>;

export function ballotId(ballot: Ballot): string {
  return taggedHash('undersigned/ballot/v1', ballot);
}

export function voteScope(id: string): bigint {
  return hexToBigint(id);
}

export function voteMessage(action: VoteAction): bigint {
  return hexToBigint(taggedHash('undersigned/vote/v1', action));
}

const optionContext = (id: string, nullifier: string, i: number) => `undersigned/vote-option/v1|${id}|${nullifier}|${i}`;
const sumContext = (id: string, nullifier: string) => `undersigned/vote-sum/v1|${id}|${nullifier}`;

/** Does this ballot's procedure record each vote by name (instead of a secret ballot)? */
export function isRecorded(ballot: Ballot): boolean {
  return PRESETS[ballot.procedure]?.ballot.secret === false;
}

export function recordedVoteMessage(ballotId: string, nullifier: string, choice: string): bigint {
  return hexToBigint(taggedHash('undersigned/recorded-vote/v1', { ballotId, nullifier, choice })) >> 8n;
}

/** Encrypt a choice (index into the options) with its proofs, for the voter whose nullifier is given. */
export function encryptChoice(ballot: Ballot, id: string, nullifier: string, choice: number, seq: number, random: Random): VoteAction {
  if (!Number.isInteger(choice) || choice < 0 || choice >= ballot.options.length) throw new RangeError('no such option');
  const Y = decodePoint(ballot.committee.publicKey, 'committee key');
  if (!Y.ok) throw new Error(Y.reason);
  const rs = ballot.options.map(() => randomScalar(random));
  const cts = ballot.options.map((_, i) => encrypt(i === choice ? 1 : 0, rs[i], Y.point));
  const choices = cts.map((ct, i) => ({
    ct: encodeCiphertext(ct),
    proof: proveOneOf(ct, i === choice ? 1 : 0, rs[i], [0, 1], Y.point, optionContext(id, nullifier, i), random),
  }));
  const total = addCiphertexts(cts);
  const R = rs.reduce((a, r) => a + r, 0n);
  return { format: 'undersigned-vote/1', ballotId: id, seq, choices, sum: proveOneOf(total, 1, R, [1], Y.point, sumContext(id, nullifier), random) };
}

/** Every rule a single vote must meet on its own (docs/protocol.md §12.2). */
export async function verifyVote(
  record: VoteRecord,
  ballot: Ballot,
  id: string,
  keys: VerificationKeys,
  byCommitment: ReadonlyMap<string, RosterMember> = new Map(),
  /** How the Semaphore proof is checked, last (a server batches concurrent votes: proof-batcher.ts). */
  verifyProof: (proof: SemaphoreProof) => Promise<boolean> = (p) => verifySemaphoreProof(p, keys),
): Promise<Check<{ cts: { a: Point; b: Point }[]; recorded: { choice: number; signer: RosterMember } | null }>> {
  const { action, proof } = record;
  if (action.ballotId !== id) return fail('wrong_ballot', 'the vote is for another ballot');
  if (proof.scope !== voteScope(id).toString()) return fail('wrong_scope', 'the proof is not scoped to this ballot');
  if (proof.merkleTreeRoot !== ballot.roster.root) return fail('wrong_root', 'the proof is against another roster root');
  if (proof.merkleTreeDepth !== ballot.roster.depth) return fail('wrong_depth', 'the proof uses another tree depth than the ballot');
  if (proof.message !== voteMessage(action).toString()) return fail('wrong_message', 'the proof does not commit to this vote');
  if ('choice' in action) {
    // A recorded vote: the choice in clear, signed by a roster member over this ballot and nullifier.
    if (!isRecorded(ballot)) return fail('bad_vote', 'this ballot is secret: a vote in clear is refused');
    const choice = ballot.options.indexOf(action.choice);
    if (choice < 0) return fail('bad_vote', `"${action.choice}" is not an option of this ballot`);
    const named = namedSigner(action.named, recordedVoteMessage(id, proof.nullifier, action.choice), byCommitment, 'the recorded vote');
    if (!named.ok) return fail(named.code, named.reason);
    const signer = named.signer;
    if (!(await verifyProof(proof))) return fail('bad_proof', 'proof does not verify');
    return pass({ cts: [], recorded: { choice, signer } });
  }
  if (isRecorded(ballot)) return fail('bad_vote', 'this ballot records each vote by name: an encrypted vote is refused');
  if (action.choices.length !== ballot.options.length) return fail('bad_vote', `a vote holds one ciphertext per option (${ballot.options.length})`);
  const Y = decodePoint(ballot.committee.publicKey, 'committee key');
  if (!Y.ok) return Y;
  const cts = [];
  for (const [i, c] of action.choices.entries()) {
    const ct = decodeCiphertext(c.ct, `option ${i} ciphertext`);
    if (!ct.ok) return fail('bad_vote', ct.reason);
    const ok = verifyOneOf(ct, [0, 1], Y.point, c.proof, optionContext(id, proof.nullifier, i));
    if (!ok.ok) return fail('bad_vote', `option ${i} is not proven to be 0 or 1`);
    cts.push(ct);
  }
  const sum = verifyOneOf(addCiphertexts(cts), [1], Y.point, action.sum, sumContext(id, proof.nullifier));
  if (!sum.ok) return fail('bad_vote', 'the vote is not proven to choose exactly one option');
  if (!(await verifyProof(proof))) return fail('bad_proof', 'proof does not verify');
  return pass({ cts, recorded: null });
}

/** The count of a recorded ballot: latest vote per nullifier, each member named once. */
export function tallyRecorded(votes: readonly { nullifier: string; seq: number; choice: number; signer: RosterMember }[], options: readonly string[]): Check<{ counts: number[]; voters: number; recorded: { name: string; choice: string }[] }> {
  const latest = new Map<string, (typeof votes)[number]>();
  for (const [i, v] of votes.entries()) {
    const prev = latest.get(v.nullifier);
    if (prev && v.seq <= prev.seq) return fail('replay', `vote ${i}: seq ${v.seq} does not follow seq ${prev.seq} of the same voter`);
    latest.set(v.nullifier, v);
  }
  const seen = new Set<number>();
  for (const v of latest.values()) {
    if (seen.has(v.signer.id)) return fail('named_twice', `${v.signer.name} is recorded as voting twice`);
    seen.add(v.signer.id);
  }
  const counts = options.map((_, j) => [...latest.values()].filter((v) => v.choice === j).length);
  const recorded = [...latest.values()].sort((a, b) => a.signer.id - b.signer.id).map((v) => ({ name: v.signer.name, choice: options[v.choice] }));
  return pass({ counts, voters: latest.size, recorded });
}

/** The homomorphic sum per option of the latest vote of each nullifier (votes in log order). */
export function tallyCiphertexts(votes: readonly { nullifier: string; seq: number; cts: { a: Point; b: Point }[] }[], options: number): Check<{ sums: Ciphertext[]; voters: number }> {
  const latest = new Map<string, (typeof votes)[number]>();
  for (const [i, v] of votes.entries()) {
    const prev = latest.get(v.nullifier);
    if (prev && v.seq <= prev.seq) return fail('replay', `vote ${i}: seq ${v.seq} does not follow seq ${prev.seq} of the same voter`);
    latest.set(v.nullifier, v);
  }
  const sums: Ciphertext[] = [];
  for (let j = 0; j < options; j++) sums.push(encodeCiphertext(addCiphertexts([...latest.values()].map((v) => v.cts[j]))));
  return pass({ sums, voters: latest.size });
}
