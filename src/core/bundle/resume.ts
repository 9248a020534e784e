/**
 * Verification that resumes (docs/bundle-format.md §10): a verifier keeps what it verified in a
 * state file (the log checkpoint, and per letter the roster digest and root, the record set the
 * close committed to, and the leaf hashes of the entries whose proofs verified); the next run with
 * a later bundle of the same log proves, with the bundle's RFC 9162 consistency proof, that the
 * log only grew since the saved checkpoint, then re-checks only what is new. Every other check of
 * verifyBundle runs as in a full run, so the verdict is the full run's.
 *
 * The state is the verifier's own earlier work, trusted like a pinned key (docs/threat-model.md):
 * its digest catches corruption, not an attacker who can write it. A state that does not parse or
 * whose digest is wrong, or that is about another log, is refused (`verify_state_*`); a bundle that
 * cannot be joined to it (older, or without a consistency proof from the saved size) is verified in
 * full and the state is left as it was; two checkpoints no consistency proof joins are refused
 * (`log_not_consistent`): that is evidence of a fork.
 */
import { z } from 'zod';
import { bytesToHex, canonicalJson, hexToBytes, sha256, utf8ToBytes } from '../encoding.ts';
import { verifyCheckpoint } from '../log/checkpoint.ts';
import { entryLeafHash } from '../log/entry.ts';
import { verifyConsistency } from '../log/merkle.ts';
import { type Bundle, type BundleVerdict, type KnownLetter, type VerifyOptions, parseBundle, verifyBundle } from './bundle.ts';

export const VERIFY_STATE_FORMAT = 'undersigned-verify-state/1';
const hex32 = z.string().regex(/^[0-9a-f]{64}$/);

const LetterStateSchema = z
  .object({
    verificationKey: hex32,
    roster: z.object({ digest: hex32, root: z.string().regex(/^[0-9]{1,80}$/) }).strict(),
    opened: hex32,
    /** The record set the close committed to (bundle-format §3.7). */
    records: z.object({ size: z.number().int().min(0), root: hex32 }).strict(),
    /** Leaf hashes of the records whose proofs verified (a full run: all of them, in log order). */
    seen: z.array(hex32).max(10_000_000),
  })
  .strict();

const StateBodySchema = z
  .object({
    format: z.literal(VERIFY_STATE_FORMAT),
    verifierKey: z.string().max(1000),
    checkpoint: z.string().max(10_000),
    letters: z.record(hex32, LetterStateSchema),
  })
  .strict();
export type VerifyStateBody = z.infer<typeof StateBodySchema>;
/** The state file: its body and SHA-256 over the body's canonical JSON. */
export type VerifyState = VerifyStateBody & { digest: string };

export interface ResumeNote {
  /** `resumed`: the saved state applied; `full`: verified from scratch (why in `reason`). */
  mode: 'resumed' | 'full';
  reason: string;
  /** Record proofs not verified again because the state holds them. */
  reused: number;
}

export type ResumedVerdict =
  | { verdict: BundleVerdict; note: ResumeNote; /** The state to save, or null: keep the file as it is. */ state: VerifyState | null }
  | { refused: { code: string; reason: string } };

function digestOf(body: VerifyStateBody): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(body))));
}

/** A state file's content: the body with its digest (what verifyBundleResuming returns to save). */
export function sealState(body: VerifyStateBody): VerifyState {
  return { ...body, digest: digestOf(body) };
}

/** A state file's JSON, checked: shape, digest, and a checkpoint that its own log key signed. */
export function parseVerifyState(json: unknown): { ok: true; state: VerifyState } | { ok: false; code: string; reason: string } {
  const withDigest = z.object({ digest: hex32 }).passthrough().safeParse(json);
  if (!withDigest.success) return { ok: false, code: 'verify_state_corrupt', reason: 'the state file has no digest' };
  const { digest, ...rest } = withDigest.data;
  const body = StateBodySchema.safeParse(rest);
  if (!body.success) {
    const issue = body.error.issues[0];
    return { ok: false, code: 'verify_state_corrupt', reason: `state field ${issue.path.join('.') || '(root)'}: ${issue.message}` };
  }
  if (digestOf(body.data) !== digest) return { ok: false, code: 'verify_state_corrupt', reason: 'the state file was changed since this verifier wrote it (its digest does not match)' };
  const cp = verifyCheckpoint(body.data.checkpoint, body.data.verifierKey);
  if (!cp.ok) return { ok: false, code: 'verify_state_corrupt', reason: `the saved checkpoint: ${cp.reason}` };
  return { ok: true, state: { ...body.data, digest } };
}

/**
 * Verify `json` starting from `saved` (a state file's parsed JSON; null for a first run). The
 * verdict is verifyBundle's on the same bundle whenever the state is not refused.
 */
export async function verifyBundleResuming(json: unknown, saved: unknown | null, options: VerifyOptions): Promise<ResumedVerdict> {
  let state: VerifyState | null = null;
  if (saved !== null) {
    const parsed = parseVerifyState(saved);
    if (!parsed.ok) return { refused: { code: parsed.code, reason: parsed.reason } };
    state = parsed.state;
  }
  const bundle = parseBundle(json);
  // A bundle that does not parse is refused as the full run refuses it; the state stays.
  if (!bundle.ok) return { verdict: await verifyBundle(json, options), note: { mode: 'full', reason: 'the bundle is malformed', reused: 0 }, state: null };
  const b = bundle.bundle;
  const join = state ? joinState(state, b) : ({ kind: 'first' } as const);
  if (join.kind === 'refuse') return { refused: join };
  const known = join.kind === 'extends' ? knownLetter(state!, b) : undefined;
  const verdict = await verifyBundle(json, { ...options, known });
  const reused = known ? b.records.filter((r) => known.records.has(bytesToHex(entryLeafHash(r.entry)))).length : 0;
  const note: ResumeNote =
    join.kind === 'extends'
      ? { mode: 'resumed', reason: join.reason, reused }
      : { mode: 'full', reason: join.kind === 'first' ? 'no saved state yet' : join.reason, reused: 0 };
  // Only a valid verdict on a checkpoint proven to extend the saved one (or a first run) moves the state.
  if (!verdict.valid || join.kind === 'keep') return { verdict, note, state: null };
  return { verdict, note, state: nextState(join.kind === 'first' ? null : state, b) };
}

type Join = { kind: 'first' } | { kind: 'extends'; reason: string } | { kind: 'keep'; reason: string } | { kind: 'refuse'; code: string; reason: string };

/** How the bundle's checkpoint stands to the saved one: it extends it (proven), or it cannot be joined, or the two cannot both be true. */
function joinState(state: VerifyState, b: Bundle): Join {
  if (b.log.verifierKey !== state.verifierKey) {
    return { kind: 'refuse', code: 'verify_state_other_log', reason: 'the state file is about another log (another key): use another state file for it' };
  }
  const before = verifyCheckpoint(state.checkpoint, state.verifierKey);
  const now = verifyCheckpoint(b.log.checkpoint, b.log.verifierKey);
  if (!before.ok) return { kind: 'refuse', code: 'verify_state_corrupt', reason: `the saved checkpoint: ${before.reason}` };
  // A bundle whose own checkpoint does not verify is refused by the full run: nothing to join.
  if (!now.ok) return { kind: 'keep', reason: 'the bundle checkpoint does not verify' };
  if (now.origin !== before.origin) return { kind: 'refuse', code: 'verify_state_other_log', reason: `the state file is about log ${before.origin}, the bundle about ${now.origin}` };
  if (now.size < before.size) return { kind: 'keep', reason: `the bundle is older (log size ${now.size}) than the saved checkpoint (${before.size}); verified in full, state kept` };
  const proof = now.size === before.size ? [] : b.log.consistency?.from === before.size ? b.log.consistency.proof : null;
  if (proof === null) {
    return { kind: 'keep', reason: `the bundle carries no consistency proof from the saved size ${before.size} (ask for it with ?from=${before.size}); verified in full, state kept` };
  }
  const c = verifyConsistency({ size1: before.size, size2: now.size, root1: before.rootHash, root2: now.rootHash, proof: proof.map(hexToBytes) });
  if (!c.ok) {
    return { kind: 'refuse', code: 'log_not_consistent', reason: `the log at size ${now.size} does not extend the one this verifier saw at size ${before.size} (${c.reason}): keep both as evidence of a fork` };
  }
  return { kind: 'extends', reason: `the log grew from ${before.size} to ${now.size} (consistency proven)` };
}

function knownLetter(state: VerifyState, b: Bundle): KnownLetter | undefined {
  const l = state.letters[b.letterId];
  if (!l) return undefined;
  return { letterId: b.letterId, verificationKey: l.verificationKey, roster: l.roster, opened: l.opened, records: new Set(l.seen) };
}

/** The state after a valid verdict on `b`: the bundle's checkpoint, and this letter as verified now. */
function nextState(previous: VerifyState | null, b: Bundle): VerifyState {
  const closed = b.closed.entry;
  if (closed.kind !== 'letter-closed' || b.opened.entry.kind !== 'letter-opened') throw new Error('a valid bundle has opened and closed entries');
  const letters = { ...(previous?.letters ?? {}) };
  letters[b.letterId] = {
    verificationKey: b.verificationKey.sha256,
    roster: { digest: b.opened.entry.letter.roster.digest, root: b.opened.entry.letter.roster.root },
    opened: bytesToHex(entryLeafHash(b.opened.entry)),
    records: { size: closed.records.size, root: closed.records.root },
    seen: b.records.map((r) => bytesToHex(entryLeafHash(r.entry))),
  };
  return sealState({ format: VERIFY_STATE_FORMAT, verifierKey: b.log.verifierKey, checkpoint: b.log.checkpoint, letters });
}
