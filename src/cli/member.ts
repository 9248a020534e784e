/**
 * A member from the command line: enroll, check one's roster entry, propose, sign, withdraw,
 * check a receipt. Every answer from the server is checked here before it is believed: the
 * letter id is recomputed, the roster snapshot is checked against the letter, receipts are
 * verified against the log key pinned in the identity file at enrollment.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { hexToBytes } from '../core/encoding.ts';
import { identityFromPrivateKey, type Identity } from '../core/identity/identity.ts';
import { openIdentityFile, sealIdentityFile } from '../core/identity/identity-file.ts';
import { type Letter, LetterSchema, letterId as computeLetterId, signatureScope } from '../core/letter/letter.ts';
import { verifyCheckpoint } from '../core/log/checkpoint.ts';
import type { LogEntry } from '../core/log/entry.ts';
import { verifyConsistency, verifyInclusion } from '../core/log/merkle.ts';
import { expectedNullifier, proveAction, proveProposal } from '../core/letter/prove.ts';
import { type RosterRef, type RosterSnapshot, checkRoster } from '../core/roster/roster.ts';
import { nodeArtifacts } from '../node/artifacts.ts';
import type { WitnessPolicy } from '../core/log/cosignature.ts';
import { type LogView, checkCommitteeOnLog, checkOpenedOnLog } from '../core/member/witnessed-log.ts';
import { type Receipt, checkReceipt as checkReceiptInLog } from '../core/member/receipt.ts';
import { Client } from './client.ts';
import { type Ballot, voteScope } from '../core/ballot/ballot.ts';
import { proveVote } from '../core/ballot/prove-vote.ts';
import { CliError } from './errors.ts';
import { SeenHead } from './seen-head.ts';

export interface MemberContext {
  client: Client;
  identity: Identity;
  /** The log's verifier key, pinned in the identity file when the member enrolled. */
  verifierKey: string;
  /** The latest checkpoint seen, kept next to the identity file: what the server shows must extend it. */
  seen?: SeenHead;
}

interface InstanceInfo {
  name: string;
  origin: string;
  verifierKey: string;
  checkpoint: string;
}

/** Make an identity on this machine, save it encrypted, then enroll its commitment with the code. */
export async function enroll(options: { server: string; code: string; out: string; passphrase: string; kdfN?: number }) {
  if (existsSync(options.out)) throw new CliError('file_exists', `${options.out} already exists: choose another --identity file`, 2);
  if (options.passphrase.length < 8) throw new CliError('weak_passphrase', 'choose a passphrase of at least 8 characters', 2);
  const client = new Client(options.server);
  const info = await client.get<InstanceInfo>('api/instance');
  const privateKey = new Uint8Array(randomBytes(32));
  const identity = identityFromPrivateKey(privateKey);
  const file = await sealIdentityFile({
    privateKey,
    passphrase: options.passphrase,
    salt: new Uint8Array(randomBytes(16)),
    nonce: new Uint8Array(randomBytes(24)),
    label: { instance: info.verifierKey },
    kdf: options.kdfN ? { N: options.kdfN, r: 8, p: 1 } : undefined,
  });
  // Saved before enrolling: a commitment on the roster whose secret was lost helps nobody.
  writeFileSync(options.out, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  const result = await client.post<{ member: { id: number; name: string }; leaf: number; receipt: Receipt }>('api/enroll', {
    code: options.code,
    commitment: identity.commitment.toString(),
  });
  checkReceipt(result.receipt, { kind: 'member-enrolled', member: result.member.id, leaf: result.leaf, commitment: identity.commitment.toString() }, info.verifierKey);
  return { ...result, commitment: identity.commitment.toString() };
}

export async function loadMember(options: { server: string; identity: string; passphrase: string }): Promise<MemberContext> {
  let text: string;
  try {
    text = readFileSync(options.identity, 'utf8');
  } catch (e) {
    throw new CliError('identity_file_unreadable', `cannot read ${options.identity}: ${(e as Error).message}`, 2);
  }
  const opened = await openIdentityFile(text, options.passphrase);
  if (!opened.ok) throw new CliError(opened.code, `${options.identity}: ${opened.reason}`);
  const client = new Client(options.server);
  const info = await client.get<InstanceInfo>('api/instance');
  const pinned = opened.label.instance;
  if (pinned && pinned !== info.verifierKey) {
    throw new CliError('server_key_changed', `this server signs its log with another key than when you enrolled (${pinned}); do not trust it until the organizer explains`);
  }
  const verifierKey = pinned ?? info.verifierKey;
  const seen = new SeenHead(options.identity, verifierKey, async (from, to) => (await client.get<{ proof: string[] }>(`api/log/consistency?from=${from}&to=${to}`)).proof);
  return { client, identity: identityFromPrivateKey(opened.privateKey), verifierKey, seen };
}

/** Check that a receipt proves `entry` is in a log signed with `verifierKey` (src/core/member/receipt.ts). */
export function checkReceipt(receipt: Receipt, entry: LogEntry, verifierKey: string): void {
  const checked = checkReceiptInLog(receipt, entry, verifierKey);
  if (!checked.ok) throw new CliError(checked.code, `the server's ${checked.reason.replace(/^the /, '')}`);
}

/**
 * Check a committee reference against the committee's own entries on the log (never the server's
 * word): entries with inclusion proofs against a checkpoint signed by the pinned log key and, when
 * the letter or ballot names witnesses, cosigned by their quorum (core/member/witnessed-log.ts).
 */
async function checkCommitteeRef(ctx: MemberContext, ref: NonNullable<Letter['committee']>, what: 'letter' | 'ballot', witnesses: WitnessPolicy | undefined): Promise<void> {
  const view = await ctx.client.get<LogView>('api/committee/proofs');
  const checked = checkCommitteeOnLog(view, ref, { verifierKey: ctx.verifierKey, witnesses }, what, '');
  if (!checked.ok) throw new CliError(checked.code, checked.code === 'committee_mismatch' ? `${checked.reason}: do not seal your name to it` : checked.reason);
  await ctx.seen?.check(view.checkpoint);
}

/** The instance's witness policy, as the server states it (a new letter must name it). */
async function currentPolicy(ctx: MemberContext): Promise<WitnessPolicy | undefined> {
  const { policy } = await ctx.client.get<{ policy: WitnessPolicy | null }>('api/log/witnesses');
  return policy ?? undefined;
}

/**
 * A letter or ballot as its opening on the witnessed log gives it (core/member/witnessed-log.ts):
 * the witnesses are the ones it names itself, which its id commits to.
 */
async function openedOnLog<W extends 'letter' | 'ballot'>(ctx: MemberContext, what: W, id: string): Promise<W extends 'letter' ? Letter : Ballot> {
  const view = await ctx.client.get<LogView>(`api/${what}s/${id}/opened`);
  const anchor = { verifierKey: ctx.verifierKey, witnesses: 'as-named' } as const;
  const checked = what === 'letter' ? checkOpenedOnLog(view, id, anchor, 'letter') : checkOpenedOnLog(view, id, anchor, 'ballot');
  if (!checked.ok) throw new CliError(checked.code, `${checked.reason}: do not sign or vote on what the server shows`);
  await ctx.seen?.check(view.checkpoint);
  return ('letter' in checked ? checked.letter : checked.ballot) as W extends 'letter' ? Letter : Ballot;
}

/** Fetch a letter (from its opening on the witnessed log) and the roster it fixed, and check both (never trust the server's word). */
async function fetchLetter(ctx: MemberContext, id: string) {
  const status = await ctx.client.get<{ letter: Letter; status: string }>(`api/letters/${id}`);
  const letter = await openedOnLog(ctx, 'letter', id);
  const { snapshot } = await ctx.client.get<{ snapshot: RosterSnapshot }>(`api/letters/${id}/roster`);
  const roster = checkRoster(snapshot, letter.roster);
  if (!roster.ok) throw new CliError(roster.code, `the roster the server sent does not match the letter: ${roster.reason}`);
  if (roster.group.indexOf(ctx.identity.commitment) < 0) throw new CliError('not_on_roster', 'your identity is not on the roster this letter counts against');
  return { letter, group: roster.group, status: status.status };
}

export async function sign(ctx: MemberContext, id: string, choice: { action: 'support' | 'withdraw'; display?: 'anonymous' | 'named' | 'sealed' }) {
  const { letter, group } = await fetchLetter(ctx, id);
  const nullifier = expectedNullifier(ctx.identity, signatureScope(id));
  const state = await ctx.client.post<{ seq: number; action: string | null }>(`api/letters/${id}/nullifier`, { nullifier });
  if (choice.action === 'withdraw' && state.action !== 'support') {
    throw new CliError('nothing_to_withdraw', 'you have not signed this letter (or already withdrew)');
  }
  if (choice.display === 'sealed' && !letter.committee) throw new CliError('sealed_without_committee', 'this letter takes no sealed signatures (it has no trustee committee)');
  if (choice.display === 'sealed') await checkCommitteeRef(ctx, letter.committee!, 'letter', letter.witnesses);
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const record = await proveAction({ identity: ctx.identity, group, letter, letterId: id, artifacts: nodeArtifacts }, { ...choice, seq: state.seq + 1, random });
  const { receipt } = await ctx.client.post<{ receipt: Receipt }>(`api/letters/${id}/records`, { record });
  checkReceipt(receipt, { kind: 'signature', letterId: id, record }, ctx.verifierKey);
  await ctx.seen?.check(receipt.checkpoint);
  return { receipt, record, letterId: id };
}

/** Propose a letter anonymously: fix the current roster, then prove membership for this letter. */
export async function propose(ctx: MemberContext, fields: Omit<Letter, 'format' | 'roster' | 'nonce' | 'committee'>, options: { sealed?: boolean } = {}) {
  let committee: Letter['committee'];
  const witnesses = await currentPolicy(ctx);
  if (options.sealed) {
    const ref = await ctx.client.get<{ committee: Letter['committee'] | null }>('api/committee/ref');
    if (!ref.committee) throw new CliError('committee_not_ready', 'this instance has no trustee committee ready: sealed signatures are not possible yet');
    committee = ref.committee;
    await checkCommitteeRef(ctx, committee, 'letter', witnesses);
  }
  const { snapshot, ref } = await ctx.client.get<{ snapshot: RosterSnapshot; ref: RosterRef }>('api/roster');
  const roster = checkRoster(snapshot, ref);
  if (!roster.ok) throw new CliError(roster.code, `the roster the server sent is inconsistent: ${roster.reason}`);
  if (roster.group.indexOf(ctx.identity.commitment) < 0) throw new CliError('not_on_roster', 'your identity is not on the current roster');
  const parsed = LetterSchema.safeParse({ ...fields, format: 'undersigned-letter/1', roster: ref, ...(committee ? { committee } : {}), ...(witnesses ? { witnesses } : {}), nonce: Buffer.from(randomBytes(16)).toString('hex') });
  if (!parsed.success) throw new CliError('bad_letter', `letter ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`, 2);
  const letter = parsed.data;
  const id = computeLetterId(letter);
  const proposal = await proveProposal({ identity: ctx.identity, group: roster.group, letter, letterId: id, artifacts: nodeArtifacts });
  const result = await ctx.client.post<{ letterId: string; receipt: Receipt }>('api/letters', { letter, proposal });
  checkReceipt(result.receipt, { kind: 'letter-opened', letterId: id, letter, proposal }, ctx.verifierKey);
  await ctx.seen?.check(result.receipt.checkpoint);
  return { letterId: id, letter, receipt: result.receipt };
}

/** A member's roster entry, compared with the identity they hold. */
export async function check(ctx: MemberContext) {
  const { snapshot } = await ctx.client.get<{ snapshot: RosterSnapshot }>('api/roster');
  const mine = ctx.identity.commitment.toString();
  const entry = snapshot.members.find((m) => m.commitment === mine) ?? null;
  return { commitment: mine, entry };
}

/** Check a kept receipt against the log as it is now: still included, and the log only grew. */
export async function checkKeptReceipt(client: Client, receipt: Receipt, verifierKey: string, seen?: SeenHead) {
  const old = verifyCheckpoint(receipt.checkpoint, verifierKey);
  if (!old.ok) throw new CliError('bad_receipt', `the receipt's checkpoint: ${old.reason}`);
  // The receipt's own entry must be in its checkpoint's tree; consistency below carries it forward.
  const inc = verifyInclusion({ leafHash: hexToBytes(receipt.leafHash), index: receipt.index, size: old.size, proof: receipt.proof.map(hexToBytes), root: old.rootHash });
  if (!inc.ok) throw new CliError('bad_receipt', `the receipt does not prove its entry is in the log: ${inc.reason}`);
  const latest = await client.text('api/log/checkpoint');
  const now = verifyCheckpoint(latest, verifierKey);
  if (!now.ok) throw new CliError('bad_checkpoint', `the server's current checkpoint: ${now.reason}`);
  if (now.size < old.size) throw new CliError('log_fork', `the log shrank from ${old.size} to ${now.size} entries: the server rewrote history`);
  const { proof } = await client.get<{ proof: string[] }>(`api/log/consistency?from=${old.size}&to=${now.size}`);
  const c = verifyConsistency({ size1: old.size, size2: now.size, root1: old.rootHash, root2: now.rootHash, proof: proof.map(hexToBytes) });
  if (!c.ok) throw new CliError('log_fork', `the current log is not an extension of the one your receipt was made in (${c.reason}): the server may be showing different logs to different people`);
  await seen?.check(latest);
  return { from: old.size, to: now.size };
}

/** Vote on a ballot: the choice is encrypted to the committee; the latest vote counts. */
export async function vote(ctx: MemberContext, id: string, choiceName: string) {
  const parsed = await openedOnLog(ctx, 'ballot', id);
  const choice = parsed.options.indexOf(choiceName);
  if (choice < 0) throw new CliError('usage', `--choice must be one of: ${parsed.options.join(', ')}`, 2);
  await checkCommitteeRef(ctx, parsed.committee, 'ballot', parsed.witnesses);
  const { snapshot } = await ctx.client.get<{ snapshot: RosterSnapshot }>(`api/ballots/${id}/roster`);
  const roster = checkRoster(snapshot, parsed.roster);
  if (!roster.ok) throw new CliError(roster.code, `the roster the server sent does not match the ballot: ${roster.reason}`);
  const nullifier = expectedNullifier(ctx.identity, voteScope(id));
  const state = await ctx.client.post<{ seq: number }>(`api/ballots/${id}/nullifier`, { nullifier });
  const random = (n: number) => new Uint8Array(randomBytes(n));
  const record = await proveVote({ identity: ctx.identity, group: roster.group, ballot: parsed, ballotId: id, artifacts: nodeArtifacts }, choice, state.seq + 1, random);
  const { receipt } = await ctx.client.post<{ receipt: Receipt }>(`api/ballots/${id}/votes`, { record });
  checkReceipt(receipt, { kind: 'vote', ballotId: id, record }, ctx.verifierKey);
  await ctx.seen?.check(receipt.checkpoint);
  return { receipt, revote: state.seq > 0 };
}
