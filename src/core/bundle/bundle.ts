/**
 * The result bundle (docs/bundle-format.md): everything needed to recompute a letter's result
 * offline, and the checks that do so. The verifier trusts nothing in the bundle but the
 * verification keys it was given and, when pinned, the log's verifier key.
 */
import { z } from 'zod';
import { assertCanonicalEncodable, bytesToHex, canonicalJson, sha256, utf8ToBytes } from '../encoding.ts';
import { type Letter, letterId as computeLetterId, proposalMessage, proposalScope } from '../letter/letter.ts';
import { verifyCheckpoint } from '../log/checkpoint.ts';
import { checkWitnessed, type WitnessPolicy, type WitnessSummary } from '../log/cosignature.ts';
import { type EntryOf, LogEntrySchema, entryLeafHash } from '../log/entry.ts';
import { checkInLog, labelled } from '../log/logged.ts';
import { rootFromLeafHashes } from '../log/merkle.ts';
import { checkRecordWithoutProof, verifyRecord, withProofVerdict } from '../letter/record.ts';
import { fail, pass, type Check } from '../result.ts';
import { type RootBuilder, RosterSnapshotSchema, checkRosterWith } from '../roster/roster.ts';
import { type SemaphoreProof, type VerificationKey, type VerificationKeys, verifySemaphoreProof } from '../crypto/semaphore.ts';
import { tally } from '../letter/tally.ts';
import { type SealedSummary, verifySealedPart } from './bundle-sealed.ts';

export const BUNDLE_FORMAT = 'undersigned-bundle/1';
const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

export const LoggedEntrySchema = z
  .object({ index: z.number().int().min(0), entry: LogEntrySchema, proof: z.array(hex32).max(64) })
  .strict();
export type LoggedEntry = z.infer<typeof LoggedEntrySchema>;

export const BundleSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    letterId: hex32,
    log: z
      .object({
        verifierKey: z.string().max(1000),
        checkpoint: z.string().max(10_000),
        /** Optional (§2.1): an RFC 9162 consistency proof from an earlier size to the checkpoint's, for a verifier that resumes. */
        consistency: z.object({ from: z.number().int().min(0), proof: z.array(hex32).max(128) }).strict().optional(),
      })
      .strict(),
    roster: RosterSnapshotSchema,
    opened: LoggedEntrySchema,
    records: z.array(LoggedEntrySchema),
    closed: LoggedEntrySchema,
    /** Letters with a trustee committee: its log entries (before the opening) and the reveal entries (after the close). */
    committee: z.array(LoggedEntrySchema).optional(),
    reveals: z.array(LoggedEntrySchema).optional(),
    result: z
      .object({
        count: z.number().int().min(0),
        rosterSize: z.number().int().min(0),
        named: z.array(z.string()),
        revealed: z.array(z.string()).optional(),
        sealed: z
          .object({
            total: z.number().int().min(0),
            revealed: z.number().int().min(0),
            stillSealed: z.number().int().min(0),
            invalid: z.array(z.string()),
            status: z.enum(['none', 'below-threshold', 'pending', 'revealed']),
          })
          .strict()
          .optional(),
      })
      .strict(),
    verificationKey: z.object({ name: z.literal('semaphore-v4'), depth: z.number().int().min(1).max(32), sha256: hex32 }).strict(),
  })
  .strict();
export type Bundle = z.infer<typeof BundleSchema>;

/** SHA-256 of the canonical JSON of a verification key: how a bundle names the key it expects. */
export function verificationKeyDigest(vkey: VerificationKey): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(vkey))));
}

export interface VerifyOptions {
  keys: VerificationKeys;
  /** A verifier key (C2SP note format) obtained out of band; when given, the log must be signed by it. */
  expectedVerifierKey?: string;
  /** A witness policy obtained out of band; when given, the letter must name exactly it. */
  expectedWitnesses?: WitnessPolicy;
  onProgress?: (done: number, total: number) => void;
  /**
   * Verifies many Semaphore proofs at once, answering as verifySemaphoreProof would for each (a
   * batch verifier, a worker pool: src/node/verify-pool.ts). When given, the proposal's proof and
   * every record's proof are checked with it, the records' from the start, while steps 2–7 run
   * (on a large bundle the proofs are most of the work and the pool's threads would otherwise wait);
   * the verdict and the first failure it reports are the same as without it.
   */
  verifyProofs?: (proofs: SemaphoreProof[]) => Promise<boolean[]>;
  /** Computes the roster tree's root (default: in this thread); the CLI passes one that uses every core. */
  rootOf?: RootBuilder;
  /**
   * What an earlier verification of this letter established (resume.ts, from the verifier's own
   * state file): the work whose outcome it fixes is skipped, every other check runs.
   */
  known?: KnownLetter;
}

/**
 * The outcome of an earlier full check of one letter, each fact bound by a hash to the exact bytes
 * it was established for: a proof verified once verifies again (it depends on nothing but the
 * entry, which its leaf hash fixes, and the verification key), and a roster whose digest matched
 * once hashes to the same root.
 */
export interface KnownLetter {
  letterId: string;
  /** The digest of the verification key the proofs were verified with (bundle `verificationKey.sha256`). */
  verificationKey: string;
  /** letter.roster.digest and letter.roster.root, the snapshot having been hashed to that root. */
  roster: { digest: string; root: string };
  /** Leaf hash (hex) of the opened entry whose proposal proof verified. */
  opened: string;
  /** Leaf hashes (hex) of the record entries whose proofs verified. */
  records: ReadonlySet<string>;
}

/** options.known if it is about this bundle's letter and verification key (step 5 then holds the key to ours). */
function knownFor(b: Bundle, options: VerifyOptions): KnownLetter | undefined {
  const k = options.known;
  return k && k.letterId === b.letterId && k.verificationKey === b.verificationKey.sha256 ? k : undefined;
}

export interface BundleSummary {
  letterId: string;
  title: string;
  recipient: string;
  count: number;
  rosterSize: number;
  named: string[];
  /** Sealed names revealed by the trustees (the letter reached its reveal threshold). */
  revealed: string[];
  sealed: SealedSummary;
  /** Trustees whose partial decryptions did not verify (ignored), and those used. */
  trustees: { used: number[]; misbehaving: { trustee: number; reason: string }[] };
  records: number;
  checkpoint: { origin: string; size: number; rootHash: string };
  verifierKey: string;
  /** The witnesses the letter names and who cosigned the checkpoint; null when it names none. */
  witnesses: WitnessSummary | null;
}

export type BundleVerdict = ({ valid: true } & BundleSummary) | { valid: false; code: string; reason: string };

const invalid = (code: string, reason: string): BundleVerdict => ({ valid: false, code, reason });

/** Parse untrusted JSON into a bundle; schema errors name the offending field. */
export function parseBundle(json: unknown): Check<{ bundle: Bundle }> {
  const parsed = BundleSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('bundle_malformed', `bundle field ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  // Every entry is hashed as canonical JSON, which refuses what the schema lets through (a lone surrogate).
  try {
    assertCanonicalEncodable(parsed.data);
  } catch (e) {
    return fail('bundle_malformed', `bundle: ${(e as Error).message}`);
  }
  return pass({ bundle: parsed.data });
}

/** Verify a bundle end to end (docs/bundle-format.md §4 lists these steps in this order). */
export async function verifyBundle(json: unknown, options: VerifyOptions): Promise<BundleVerdict> {
  // 1. Shape.
  const parsed = parseBundle(json);
  if (!parsed.ok) return invalid(parsed.code, parsed.reason);
  const b = parsed.bundle;
  // The record proofs start now; their verdicts are read at step 8.
  const { verifyProofs } = options;
  const known = knownFor(b, options)?.records;
  const skip = known ? (e: LoggedEntry) => known.has(bytesToHex(entryLeafHash(e.entry))) : undefined;
  return withEarlyProofs(verifyProofs && ((stop) => verifyRecordProofs(b.records, verifyProofs, options.onProgress, stop, skip)), (pending) => verifyBundleSteps(b, options, pending));
}

/**
 * Start proof verification now (`start`, given a stop flag), run `steps` with its pending
 * verdicts, and stop it (no new slice) as soon as the steps end, whatever they return.
 */
export async function withEarlyProofs<V>(
  start: ((stop: { requested: boolean }) => Promise<boolean[]>) | undefined,
  steps: (pending: Promise<boolean[]> | null) => Promise<V>,
): Promise<V> {
  const stop = { requested: false };
  const pending = start ? start(stop) : null;
  pending?.catch(() => {}); // awaited by the steps; an earlier return must not leave it unhandled
  try {
    return await steps(pending);
  } finally {
    stop.requested = true;
  }
}

async function verifyBundleSteps(b: Bundle, options: VerifyOptions, proofsPending: Promise<boolean[]> | null): Promise<BundleVerdict> {
  // 2. The signed checkpoint, and the key it is signed with.
  if (options.expectedVerifierKey !== undefined && options.expectedVerifierKey !== b.log.verifierKey) {
    return invalid('checkpoint_unexpected_key', 'the log is signed by another key than the one you expected');
  }
  const cp = verifyCheckpoint(b.log.checkpoint, b.log.verifierKey);
  if (!cp.ok) return invalid(cp.code, `checkpoint: ${cp.reason}`);

  // 3. Every entry is in the log at the position it claims, in order: opened < records < closed.
  const inLog = checkInLog([['opened entry', b.opened], ...labelled('record', b.records), ['closed entry', b.closed]], cp);
  if (!inLog.ok) return invalid(inLog.code, inLog.reason);

  // 4. The letter and its id.
  if (b.opened.entry.kind !== 'letter-opened') return invalid('wrong_entry_kind', 'opened entry is not a letter-opened entry');
  if (b.closed.entry.kind !== 'letter-closed') return invalid('wrong_entry_kind', 'closed entry is not a letter-closed entry');
  const opened = b.opened.entry;
  const closed = b.closed.entry;
  const letter: Letter = opened.letter;
  const id = computeLetterId(letter);
  if (id !== b.letterId || opened.letterId !== id) return invalid('letter_id_mismatch', 'the letter id is not the hash of the letter (its text or settings were changed)');
  if (closed.letterId !== id) return invalid('letter_id_mismatch', 'the close entry is for another letter');
  // 4b. The witnesses the letter names cosigned the checkpoint (a quorum of them).
  const witnessed = checkWitnessed(b.log.checkpoint, letter.witnesses, options.expectedWitnesses);
  if (!witnessed.ok) return invalid(witnessed.code, `witnesses: ${witnessed.reason}`);

  // 5. The verification key the bundle names is the one we hold.
  const vkey = await options.keys(letter.roster.depth);
  if (b.verificationKey.depth !== letter.roster.depth || b.verificationKey.sha256 !== verificationKeyDigest(vkey)) {
    return invalid('verification_key_mismatch', `the bundle names another verification key than Semaphore v4 depth ${letter.roster.depth}`);
  }

  // 6. The roster is the one the letter fixed.
  const known = knownFor(b, options);
  const roster = await checkRosterWith(b.roster, letter.roster, knownRoot(known, letter) ?? options.rootOf);
  if (!roster.ok) return invalid(roster.code, `roster: ${roster.reason}`);

  // 7. The letter was proposed by a member.
  const proposal = opened.proposal;
  if (
    proposal.merkleTreeRoot !== letter.roster.root ||
    proposal.merkleTreeDepth !== letter.roster.depth ||
    proposal.scope !== proposalScope(id).toString() ||
    proposal.message !== proposalMessage(id).toString() ||
    !(known?.opened === bytesToHex(inLog.leafHashes[0]) || (options.verifyProofs ? (await options.verifyProofs([proposal]))[0] === true : await verifySemaphoreProof(proposal, options.keys)))
  ) {
    return invalid('bad_proposal', 'the proposal is not a valid membership proof for this letter');
  }

  // 8. Each record on its own.
  const inputs = [];
  const total = b.records.length;
  const proofsValid = proofsPending ? await proofsPending : null;
  for (let i = 0; i < total; i++) {
    const entry = b.records[i].entry;
    if (entry.kind !== 'signature' || entry.letterId !== id) return invalid('wrong_entry_kind', `record ${i}: not a signature on this letter`);
    const ctx = { letterId: id, letter, byCommitment: roster.byCommitment, keys: options.keys };
    const seen = known?.records.has(bytesToHex(inLog.leafHashes[1 + i])) === true;
    const check = proofsValid || seen ? withProofVerdict(checkRecordWithoutProof(entry.record, ctx), seen || proofsValid![i]) : await verifyRecord(entry.record, ctx);
    if (!check.ok) return invalid(check.code, `record ${i}: ${check.reason}`);
    inputs.push({ nullifier: entry.record.proof.nullifier, action: entry.record.action, signerName: check.signer?.name ?? null, signerId: check.signer?.id ?? null });
    if (!proofsValid) options.onProgress?.(i + 1, total);
  }

  // 9. The set of records is exactly the one the close committed to: none added, dropped or reordered.
  const recordsRoot = bytesToHex(rootFromLeafHashes(inLog.leafHashes.slice(1, 1 + b.records.length)));
  if (closed.records.size !== b.records.length) {
    return invalid('records_set_mismatch', `the close committed to ${closed.records.size} records; the bundle holds ${b.records.length}`);
  }
  if (closed.records.root !== recordsRoot) return invalid('records_set_mismatch', 'the records differ from (or are in another order than) the set the close committed to');

  // 10. The count: latest action per nullifier.
  const t = tally(inputs);
  if (!t.ok) return invalid(t.code, t.reason);
  const named = t.tally.named.map((n) => n.name);
  if (closed.result.count !== t.tally.count) {
    return invalid('result_mismatch', `the close entry states ${closed.result.count} signatures; the records give ${t.tally.count}`);
  }
  if (canonicalJson(closed.result.named) !== canonicalJson(named)) return invalid('result_mismatch', 'the close entry names other signers than the records give');
  if (b.result.count !== t.tally.count) return invalid('result_mismatch', `the bundle claims ${b.result.count} signatures; the records give ${t.tally.count}`);
  if (b.result.rosterSize !== letter.roster.size) return invalid('result_mismatch', `the bundle claims a roster of ${b.result.rosterSize}; the letter fixed ${letter.roster.size}`);
  if (canonicalJson(b.result.named) !== canonicalJson(named)) return invalid('result_mismatch', 'the bundle claims other named signers than the records give');

  // 11. Sealed names: the committee, and what the trustees revealed (bundle-sealed.ts).
  const sealedPart = verifySealedPart({
    letter,
    letterId: id,
    checkpoint: cp,
    openedIndex: b.opened.index,
    closedIndex: b.closed.index,
    committee: b.committee,
    reveals: b.reveals,
    records: inputs,
    count: t.tally.count,
    byCommitment: roster.byCommitment,
  });
  if (!sealedPart.ok) return invalid(sealedPart.code, sealedPart.reason);
  const revealed = sealedPart.reveal?.revealed.map((r) => r.name) ?? [];
  if (!letter.committee && (b.result.revealed !== undefined || b.result.sealed !== undefined)) {
    return invalid('result_mismatch', 'the bundle claims sealed results for a letter that takes no sealed signatures');
  }
  if (letter.committee) {
    if (canonicalJson(b.result.revealed ?? null) !== canonicalJson(revealed)) return invalid('result_mismatch', 'the bundle claims other revealed names than the trustees revealed');
    if (canonicalJson(b.result.sealed ?? null) !== canonicalJson(sealedPart.sealed)) return invalid('result_mismatch', 'the bundle claims another sealed summary than the records give');
  }

  return {
    valid: true,
    letterId: id,
    title: letter.title,
    recipient: letter.recipient,
    count: t.tally.count,
    rosterSize: letter.roster.size,
    named,
    revealed,
    sealed: sealedPart.sealed,
    trustees: { used: sealedPart.reveal?.trustees ?? [], misbehaving: sealedPart.reveal?.misbehaving ?? [] },
    records: total,
    checkpoint: { origin: cp.origin, size: cp.size, rootHash: bytesToHex(cp.rootHash) },
    verifierKey: b.log.verifierKey,
    witnesses: witnessed.witnesses,
  };
}

/**
 * Step 6 with a known letter: the roster root it computed, when the letter fixes the same digest
 * and root (checkRosterWith compares the digest before it asks for the root: a snapshot that
 * passes is the one hashed then).
 */
function knownRoot(known: KnownLetter | undefined, letter: Letter): RootBuilder | undefined {
  if (!known || known.roster.digest !== letter.roster.digest || known.roster.root !== letter.roster.root) return undefined;
  const root = BigInt(letter.roster.root);
  return () => root;
}

/** Proofs per call of verifyProofs, so that progress is reported while a large bundle is checked. */
const PROOF_SLICE = 1024;
/** Slices handed over at a time: two keep a pool's threads busy across a slice's end. */
const SLICES_IN_FLIGHT = 2;

/**
 * Every proof's verdict from `verifyProofs`, PROOF_SLICE at a time, SLICES_IN_FLIGHT slices at a
 * time; no slice is started once `stop.requested` is set (an earlier step failed), and the
 * proofs not checked then count as rejected. onProgress(done, total) after each slice.
 */
export async function verifyProofsInSlices(
  proofs: readonly SemaphoreProof[],
  verifyProofs: (proofs: SemaphoreProof[]) => Promise<boolean[]>,
  stop: { requested: boolean },
  onProgress?: (done: number, total: number) => void,
): Promise<boolean[]> {
  const valid = proofs.map(() => false);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < proofs.length && !stop.requested) {
      const from = next;
      const to = Math.min(proofs.length, from + PROOF_SLICE);
      next = to; // taken: the other lane goes on from here while this one waits
      const verdicts = await verifyProofs(proofs.slice(from, to));
      for (let k = from; k < to; k++) valid[k] = verdicts[k - from] === true;
      done += to - from;
      if (!stop.requested) onProgress?.(done, proofs.length);
    }
  };
  await Promise.all(Array.from({ length: SLICES_IN_FLIGHT }, lane));
  return valid;
}

/** Step 8 with options.verifyProofs: every signature record's proof; true where there is none, or where `skip` says it verified before. */
async function verifyRecordProofs(
  records: readonly LoggedEntry[],
  verifyProofs: NonNullable<VerifyOptions['verifyProofs']>,
  onProgress: VerifyOptions['onProgress'],
  stop: { requested: boolean },
  skip?: (e: LoggedEntry) => boolean,
): Promise<boolean[]> {
  const valid = records.map(() => true);
  const withProof = records.flatMap((e, i) => (e.entry.kind === 'signature' && !skip?.(e) ? [{ i, proof: e.entry.record.proof }] : []));
  const verdicts = await verifyProofsInSlices(
    withProof.map((w) => w.proof),
    verifyProofs,
    stop,
    (done) => onProgress?.(done === withProof.length ? records.length : withProof[done - 1].i + 1, records.length),
  );
  withProof.forEach((w, k) => (valid[w.i] = verdicts[k]));
  return valid;
}

export type ClosedEntry = EntryOf<'letter-closed'>;
