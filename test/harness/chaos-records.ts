/**
 * The chaos harness's pre-made records (test/harness/chaos.ts): real Semaphore proofs, made once
 * and kept in a cache file, so that a run spends its time crashing the server, not proving.
 *
 * Everything they depend on is deterministic: the members' identities (from fixed private keys),
 * their names and enrollment order (so the roster, its root and digest), the letter (fixed nonce,
 * deadline in 2099), so the letter id. A fresh instance set up the same way accepts them. The cache
 * is keyed by the letter id and the plan: a change of format gives a new id and new records.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { type Identity, identityFromPrivateKey } from '../../src/core/identity/identity.ts';
import { type Letter, letterId as computeLetterId } from '../../src/core/letter/letter.ts';
import { type ActionChoice, type ProverContext, proveAction, proveProposal } from '../../src/core/letter/prove.ts';
import type { SignatureRecord } from '../../src/core/letter/record.ts';
import { type RosterSnapshot, rosterRef } from '../../src/core/roster/roster.ts';
import type { SemaphoreProof } from '../../src/core/crypto/semaphore.ts';
import { nodeArtifacts } from '../../src/node/artifacts.ts';

export interface RecordPlan {
  /** Members who sign (enrolled before the letter opens). */
  signers: number;
  /** Actions per signer: support, withdraw, support… (seq 1, 2, 3…). */
  seqs: number;
}

export interface ChaosRecords {
  plan: RecordPlan;
  names: string[];
  /** The commitments to enroll, in order (member i+1 gets leaf i). */
  commitments: string[];
  letter: Letter;
  letterId: string;
  proposal: SemaphoreProof;
  /** records[i][s]: signer i's action seq s+1. */
  records: SignatureRecord[][];
}

export const memberName = (i: number) => `Chaos Member ${String(i + 1).padStart(3, '0')}`;

function identity(i: number): Identity {
  return identityFromPrivateKey(sha256(new TextEncoder().encode(`undersigned chaos harness member ${i}`)));
}

/** The letter the records sign, on the roster of `plan.signers` enrolled members. */
function letterFor(plan: RecordPlan): { letter: Letter; letterId: string; ctx: (i: number) => ProverContext; identities: Identity[]; names: string[] } {
  const identities = Array.from({ length: plan.signers }, (_, i) => identity(i));
  const names = identities.map((_, i) => memberName(i));
  const snapshot: RosterSnapshot = { leafCount: plan.signers, members: identities.map((id, i) => ({ id: i + 1, name: names[i], leaf: i, commitment: id.commitment.toString() })) };
  const computed = rosterRef(snapshot);
  if (!computed.ok) throw new Error(computed.reason);
  const letter: Letter = {
    format: 'undersigned-letter/1',
    title: 'Chaos harness letter',
    text: 'Signed and withdrawn again and again while the server is killed.',
    recipient: 'The harness',
    roster: computed.ref,
    deadline: '2099-01-01T00:00:00Z',
    revealThreshold: 0,
    visibility: 'live',
    nonce: 'c4a05c4a05c4a05c4a05c4a05c4a05c4',
  };
  const letterId = computeLetterId(letter);
  const ctx = (i: number): ProverContext => ({ identity: identities[i], group: computed.group, letter, letterId, artifacts: nodeArtifacts });
  return { letter, letterId, ctx, identities, names };
}

/** Signer i's action number s (0-based): support (every fourth signer by name), withdraw, support… */
function choice(i: number, s: number): ActionChoice {
  return s % 2 === 1 ? { action: 'withdraw', seq: s + 1 } : { action: 'support', display: i % 4 === 0 ? 'named' : 'anonymous', seq: s + 1 };
}

/** The records for `plan`, from the cache in `cacheDir` or made now (and cached). */
export async function chaosRecords(plan: RecordPlan, cacheDir: string, progress: (line: string) => void): Promise<ChaosRecords> {
  const made = letterFor(plan);
  const file = join(cacheDir, `records-${made.letterId.slice(0, 16)}-${plan.signers}x${plan.seqs}.json`);
  if (existsSync(file)) {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as ChaosRecords;
    if (cached.letterId === made.letterId && cached.records.length === plan.signers && cached.records.every((r) => r.length === plan.seqs)) return cached;
  }
  progress(`making ${plan.signers * plan.seqs + 1} proofs once (cached in ${file})…`);
  const proposal = await proveProposal(made.ctx(0));
  const records: SignatureRecord[][] = [];
  for (let i = 0; i < plan.signers; i++) {
    const mine: SignatureRecord[] = [];
    for (let s = 0; s < plan.seqs; s++) mine.push(await proveAction(made.ctx(i), choice(i, s)));
    records.push(mine);
    progress(`  signer ${i + 1} of ${plan.signers}`);
  }
  const out: ChaosRecords = {
    plan,
    names: made.names,
    commitments: made.identities.map((id) => id.commitment.toString()),
    letter: made.letter,
    letterId: made.letterId,
    proposal,
    records,
  };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(out));
  renameSync(`${file}.tmp`, file);
  return out;
}
