/**
 * The roster: the group's public membership, and the Semaphore group (LeanIMT) of identity
 * commitments that proofs of membership are made against.
 *
 * A snapshot lists the active members by id, each with their tree leaf once enrolled. Leaves are
 * assigned in enrollment order; a removed member's leaf becomes 0 and a replaced identity takes
 * over its member's leaf, so the tree is always `leaves[i] = commitment of the member at leaf i,
 * else 0` (docs/protocol.md §3). The digest binds names to commitments, which the Semaphore root
 * alone does not.
 */
import type { Group } from '@semaphore-protocol/group';
import { z } from 'zod';
import { taggedHash } from '../encoding.ts';
import { fail, pass, type Check } from '../result.ts';
import { groupOfLeaves, leanTreeRoot } from './roster-tree.ts';
import { SNARK_FIELD } from '../crypto/semaphore.ts';

const decimal = z.string().regex(/^[1-9][0-9]{0,77}$/);

export const RosterMemberSchema = z
  .object({
    id: z.number().int().min(1),
    name: z.string().min(1).max(200),
    leaf: z.number().int().min(0).nullable(),
    commitment: decimal.nullable(),
  })
  .strict();
export type RosterMember = z.infer<typeof RosterMemberSchema>;

export const RosterSnapshotSchema = z
  .object({
    members: z.array(RosterMemberSchema),
    // A forged bundle must not make the verifier build an unbounded tree (2^21 leaves is 20 times the largest roster we plan for).
    leafCount: z.number().int().min(0).max(2 ** 21),
  })
  .strict();
export type RosterSnapshot = z.infer<typeof RosterSnapshotSchema>;

/** What a letter or ballot fixes about the roster it counts against. */
export const RosterRefSchema = z
  .object({
    root: z.string().regex(/^(0|[1-9][0-9]{0,77})$/),
    depth: z.number().int().min(1).max(32),
    size: z.number().int().min(0),
    enrolled: z.number().int().min(0),
    digest: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type RosterRef = z.infer<typeof RosterRefSchema>;

/** Structural rules of a snapshot; returns the tree leaves when they hold. */
export function rosterLeaves(snapshot: RosterSnapshot): Check<{ leaves: bigint[] }> {
  const leaves: bigint[] = new Array(snapshot.leafCount).fill(0n);
  const seenIds = new Set<number>();
  const seenCommitments = new Set<string>();
  let previousId = 0;
  for (const m of snapshot.members) {
    if (m.id <= previousId) return fail('roster_order', `member ${m.id} is out of order: members are sorted by id`);
    previousId = m.id;
    seenIds.add(m.id);
    if ((m.leaf === null) !== (m.commitment === null)) {
      return fail('roster_member_invalid', `member ${m.id} (${m.name}) has a leaf without a commitment or the reverse`);
    }
    if (m.leaf === null || m.commitment === null) continue;
    if (m.leaf >= snapshot.leafCount) return fail('roster_member_invalid', `member ${m.id}: leaf ${m.leaf} is beyond the tree`);
    if (leaves[m.leaf] !== 0n) return fail('roster_member_invalid', `member ${m.id}: leaf ${m.leaf} is used twice`);
    const c = BigInt(m.commitment);
    if (c >= SNARK_FIELD) return fail('roster_member_invalid', `member ${m.id}: commitment is not a field element`);
    if (seenCommitments.has(m.commitment)) return fail('roster_member_invalid', `member ${m.id}: commitment appears twice`);
    seenCommitments.add(m.commitment);
    leaves[m.leaf] = c;
  }
  return pass({ leaves });
}

/** Semaphore's tree depth for a number of leaves (at least 1: the smallest circuit). */
export function treeDepth(leafCount: number): number {
  return Math.max(1, Math.ceil(Math.log2(Math.max(leafCount, 1))));
}

export function rosterDigest(snapshot: RosterSnapshot): string {
  return taggedHash('undersigned/roster/v1', snapshot);
}

/**
 * The Semaphore group of these leaves (0 for an empty or removed leaf), hashed bottom-up once per
 * node as the circuit does (roster-tree.ts). Not `new Group(leaves)`: @zk-kit/lean-imt's bulk
 * insert treats a zero right sibling as absent (it tests truthiness) while its `update` and the
 * circuit hash it, so that tree would disagree with the proofs members make (docs/protocol.md §3.2).
 */
export function rosterGroup(leaves: bigint[]): Group {
  return groupOfLeaves(leaves);
}

function refOf(snapshot: RosterSnapshot, root: bigint, digest = rosterDigest(snapshot)): RosterRef {
  return {
    root: root.toString(),
    depth: treeDepth(snapshot.leafCount),
    size: snapshot.members.length,
    enrolled: snapshot.members.filter((m) => m.commitment !== null).length,
    digest,
  };
}

/** The reference a letter fixes, computed from a snapshot. */
export function rosterRef(snapshot: RosterSnapshot): Check<{ ref: RosterRef; group: Group }> {
  const leaves = rosterLeaves(snapshot);
  if (!leaves.ok) return leaves;
  const group = rosterGroup(leaves.leaves);
  return pass({ group, ref: refOf(snapshot, group.root) });
}

/**
 * The root of a roster's tree from its leaves: leanTreeRoot, or the same root hashed on several
 * threads (src/node/roster-tree-pool.ts). A verifier needs the root only, not the whole tree.
 */
export type RootBuilder = (leaves: bigint[]) => bigint | Promise<bigint>;

function compare(snapshot: RosterSnapshot, c: RosterRef, ref: RosterRef): Check<{ byCommitment: Map<string, RosterMember> }> {
  if (c.digest !== ref.digest) return fail('roster_digest_mismatch', 'the roster (a name, a commitment or a leaf) differs from the one the letter fixed');
  if (c.root !== ref.root) return fail('roster_root_mismatch', 'the roster tree root differs from the one the letter fixed');
  if (c.size !== ref.size || c.enrolled !== ref.enrolled || c.depth !== ref.depth) {
    return fail('roster_size_mismatch', 'the roster size or depth differs from the one the letter fixed');
  }
  const byCommitment = new Map<string, RosterMember>();
  for (const m of snapshot.members) if (m.commitment) byCommitment.set(m.commitment, m);
  return pass({ byCommitment });
}

/** Check a snapshot against the reference a letter fixed; each mismatch has its own code. */
export function checkRoster(snapshot: RosterSnapshot, ref: RosterRef): Check<{ group: Group; byCommitment: Map<string, RosterMember> }> {
  // Before building a tree of `leafCount` leaves: a count the letter's depth cannot hold is refused cheaply.
  if (treeDepth(snapshot.leafCount) !== ref.depth) return fail('roster_size_mismatch', 'the roster size or depth differs from the one the letter fixed');
  const computed = rosterRef(snapshot);
  if (!computed.ok) return computed;
  const same = compare(snapshot, computed.ref, ref);
  return same.ok ? pass({ group: computed.group, byCommitment: same.byCommitment }) : same;
}

/**
 * checkRoster for a verifier: the root computed by `rootOf` (the CLI verifier hashes a large roster
 * on every core), the digest computed once and compared before any hashing.
 */
export async function checkRosterWith(snapshot: RosterSnapshot, ref: RosterRef, rootOf: RootBuilder = leanTreeRoot): Promise<Check<{ byCommitment: Map<string, RosterMember> }>> {
  if (treeDepth(snapshot.leafCount) !== ref.depth) return fail('roster_size_mismatch', 'the roster size or depth differs from the one the letter fixed');
  const leaves = rosterLeaves(snapshot);
  if (!leaves.ok) return leaves;
  // The digest first: a roster that differs is refused before its tree is hashed.
  const digest = rosterDigest(snapshot);
  if (digest !== ref.digest) return fail('roster_digest_mismatch', 'the roster (a name, a commitment or a leaf) differs from the one the letter fixed');
  const root = await rootOf(leaves.leaves);
  return compare(snapshot, refOf(snapshot, root, digest), ref);
}
