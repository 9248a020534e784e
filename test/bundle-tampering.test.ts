/**
 * The bundle verifier (src/core/bundle.ts, steps 1–10) against tampered bundles.
 *
 * One real bundle is built once: a world of 8 members, a letter, five records (anonymous, named,
 * a withdraw and a re-sign of the same nullifier), the close. Each row of the table below is a
 * pure function bundle → bundle with a comment saying why it must fail, and the code and place
 * the verifier must report. Two kinds of tampering:
 *   - plain: someone edits the file. Every logged entry is then caught by its inclusion proof
 *     (step 3), so these rows mostly exercise steps 1–3, 5, 6 and 10.
 *   - re-logged: a malicious server that controls its own log key rebuilds a log holding exactly
 *     the bundle's entries and signs a fresh checkpoint, so the bundle is self-consistent as a log.
 *     These rows reach the semantic checks (steps 4–10). Pinning the real verifier key
 *     (`expectedVerifierKey`) stops them all at step 2, which the last check of the table asserts.
 * Finally, `verifyBundle` must never throw: random JSON and random single-field mutations of the
 * good bundle are refused with a result, never an exception.
 */
import { isDeepStrictEqual } from 'node:util';
import { ed25519 } from '@noble/curves/ed25519.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rootOfLeavesParallel } from '../src/node/roster-tree-pool.ts';
import { type Bundle, type BundleVerdict, verifyBundle } from '../src/core/bundle.ts';
import { bytesToHex, sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { letterId as computeLetterId } from '../src/core/letter.ts';
import { formatCheckpoint, signNote, verifierKey as makeVerifierKey } from '../src/core/log/checkpoint.ts';
import { type LogEntry, entryLeafHash } from '../src/core/log/entry.ts';
import { MerkleTree, rootFromLeafHashes } from '../src/core/log/merkle.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { type World, makeWorld, openLetter } from './support/world.ts';

let world: World;
let good: Bundle;
let realKey: string;

beforeAll(async () => {
  world = await makeWorld({ members: 8 });
  const letter = await openLetter(world);
  await letter.sign(0, { action: 'support', display: 'anonymous', seq: 1 }); // record 0
  await letter.sign(1, { action: 'support', display: 'named', seq: 1 }); // record 1: Member B, named
  await letter.sign(2, { action: 'support', display: 'anonymous', seq: 1 }); // record 2
  await letter.sign(2, { action: 'withdraw', seq: 2 }); // record 3: the same nullifier withdraws
  await letter.sign(2, { action: 'support', display: 'anonymous', seq: 3 }); // record 4: and signs again
  await world.instance.closeLetter(letter.id);
  good = await world.instance.bundle(letter.id);
  realKey = world.instance.verifierKey();
});

afterAll(async () => {
  await world?.close();
  await releaseSnarkjs();
});

const verify = (b: unknown, expectedVerifierKey?: string) => verifyBundle(b, { keys: nodeVerificationKeys, expectedVerifierKey });
const clone = (b: Bundle): Bundle => structuredClone(b);

// --- what a malicious server with its own log key can do -------------------------------------------

/** A fresh log key (deterministic), under the same origin as the real log. */
const forgerSecret = sha256(utf8ToBytes('forger'));
const forgerKey = makeVerifierKey('test.invalid/caucus', ed25519.getPublicKey(forgerSecret));

/** Sign a checkpoint for a tree with `key` (default: the forger's). */
function checkpointFor(tree: MerkleTree, secretKey = forgerSecret): string {
  return signNote(formatCheckpoint({ origin: 'test.invalid/caucus', size: tree.size, rootHash: tree.root() }), { name: 'test.invalid/caucus', secretKey });
}

/**
 * Rebuild a log holding exactly the bundle's entries (opened, records, closed, at positions
 * 0..n+1) and sign it with the forger's key: the bundle becomes self-consistent as a log.
 */
function relog(b: Bundle): Bundle {
  const logged = [b.opened, ...b.records, b.closed];
  const tree = new MerkleTree(logged.map((l) => entryLeafHash(l.entry)));
  logged.forEach((l, i) => {
    l.index = i;
    l.proof = tree.inclusionProof(i).map(bytesToHex);
  });
  b.log = { verifierKey: forgerKey, checkpoint: checkpointFor(tree) };
  return b;
}

/** Make the close commit to the bundle's records as they now are (then re-log). */
function reclose(b: Bundle): Bundle {
  if (b.closed.entry.kind !== 'letter-closed') throw new Error('not a close');
  b.closed.entry.records = { size: b.records.length, root: bytesToHex(rootFromLeafHashes(b.records.map((r) => entryLeafHash(r.entry)))) };
  return relog(b);
}

/** Narrow a logged entry to its kind for editing. */
function entry<K extends LogEntry['kind']>(e: LogEntry, kind: K): Extract<LogEntry, { kind: K }> {
  if (e.kind !== kind) throw new Error(`expected a ${kind} entry, got ${e.kind}`);
  return e as Extract<LogEntry, { kind: K }>;
}

/** Add one to a decimal string. */
const bump = (s: string) => (BigInt(s) + 1n).toString();

/** Change one character of the base64 signature of a signed note, keeping it canonical base64. */
function flipSignature(note: string): string {
  const lines = note.split('\n');
  const i = lines.findIndex((l) => l.startsWith('\u2014 '));
  const at = lines[i].length - 10; // inside the signature bytes, away from key ID and padding
  lines[i] = lines[i].slice(0, at) + (lines[i][at] === 'A' ? 'B' : 'A') + lines[i].slice(at + 1);
  return lines.join('\n');
}

/** Replace the checkpoint's body line `line` (0 origin, 1 size, 2 root), keeping the signature. */
function editCheckpointLine(note: string, line: number, value: (old: string) => string): string {
  const lines = note.split('\n');
  lines[line] = value(lines[line]);
  return lines.join('\n');
}

interface Row {
  name: string;
  tamper: (b: Bundle) => Bundle;
  code: string;
  /** A fragment of the reason: where the verifier saw the problem. */
  where: string | RegExp;
}

const rows: Row[] = [
  // --- step 1: shape -------------------------------------------------------------------------
  {
    // `format` is a literal: another version must not be read as this one.
    name: 'format changed',
    tamper: (b) => ({ ...b, format: 'undersigned-bundle/2' as never }),
    code: 'bundle_malformed',
    where: 'bundle field format',
  },
  {
    // The schema is strict: a field the verifier does not know might carry a meaning it ignores.
    name: 'unknown field added at top level',
    tamper: (b) => ({ ...b, comment: 'trust me' }) as Bundle,
    code: 'bundle_malformed',
    where: /bundle field \(root\).*comment/,
  },

  {
    // JSON can carry a lone surrogate, canonical JSON (how entries are hashed) cannot.
    name: 'a lone surrogate in a roster name',
    tamper: (b) => ((b.roster.members[0].name = 'Member \uD800'), b),
    code: 'bundle_malformed',
    where: 'UTF-16',
  },

  // --- step 2: the checkpoint ----------------------------------------------------------------
  {
    // One character of the Ed25519 signature changes: it no longer verifies under the log key.
    name: 'checkpoint signature changed',
    tamper: (b) => ((b.log.checkpoint = flipSignature(b.log.checkpoint)), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    // A bigger tree size is not what the log key signed.
    name: 'checkpoint body changed (size)',
    tamper: (b) => ((b.log.checkpoint = editCheckpointLine(b.log.checkpoint, 1, (s) => String(Number(s) + 1))), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    // Another root hash is not what the log key signed.
    name: 'checkpoint body changed (root)',
    tamper: (b) => ((b.log.checkpoint = editCheckpointLine(b.log.checkpoint, 2, () => Buffer.alloc(32, 7).toString('base64'))), b),
    code: 'checkpoint_bad_signature',
    where: 'checkpoint:',
  },
  {
    // The bundle names another key than the one that signed the checkpoint.
    name: 'verifier key swapped without re-signing',
    tamper: (b) => ((b.log.verifierKey = forgerKey), b),
    code: 'checkpoint_unknown_key',
    where: 'checkpoint:',
  },

  // --- step 3: every entry is in the log, in order ---------------------------------------------
  {
    // The opened entry's bytes change, so its leaf hash is not the one logged.
    name: 'letter text changed',
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letter.text += ' And resign.'), b),
    code: 'not_in_log',
    where: 'opened entry',
  },
  {
    name: 'letter title changed',
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letter.title = 'A vote of confidence'), b),
    code: 'not_in_log',
    where: 'opened entry',
  },
  {
    // A record's proof is part of its log entry.
    name: 'a proof point changed',
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.points[3] = bump(p.points[3]);
      return b;
    },
    code: 'not_in_log',
    where: 'record 2',
  },
  {
    name: 'a proof nullifier changed',
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.nullifier = bump(p.nullifier);
      return b;
    },
    code: 'not_in_log',
    where: 'record 2',
  },
  {
    // The close (count, named) is logged: it cannot be edited to agree with a claimed result.
    name: 'close entry result changed',
    tamper: (b) => ((entry(b.closed.entry, 'letter-closed').result.count += 1), b),
    code: 'not_in_log',
    where: 'closed entry',
  },
  {
    // The inclusion path no longer leads to the signed root.
    name: 'inclusion proof hash altered',
    tamper: (b) => ((b.records[2].proof[0] = b.records[2].proof[0].replace(/^./, (c) => (c === '0' ? '1' : '0'))), b),
    code: 'not_in_log',
    where: 'record 2',
  },
  {
    // The same entry and path at another position lead elsewhere.
    name: 'entry index changed (opened entry moved back one)',
    tamper: (b) => ((b.opened.index -= 1), b),
    code: 'not_in_log',
    where: 'opened entry',
  },
  {
    // The close is the last entry: one further is beyond the tree.
    name: 'entry index changed (closed entry beyond the tree)',
    tamper: (b) => ((b.closed.index += 1), b),
    code: 'not_in_log',
    where: 'closed entry',
  },
  {
    // Record 0 claims the opened entry's position: order is checked before inclusion.
    name: 'entry index changed (record 0 onto the opened entry)',
    tamper: (b) => ((b.records[0].index = b.opened.index), b),
    code: 'entries_out_of_order',
    where: 'record 0',
  },
  {
    // The same logged record twice: the copy is not after the original.
    name: 'a record duplicated',
    tamper: (b) => (b.records.splice(3, 0, clone(b).records[2]), b),
    code: 'entries_out_of_order',
    where: 'record 3',
  },
  {
    // Swapped records are out of log order.
    name: 'two records swapped',
    tamper: (b) => (([b.records[1], b.records[2]] = [b.records[2], b.records[1]]), b),
    code: 'entries_out_of_order',
    where: 'record 2',
  },

  // --- step 4: the letter and its id -----------------------------------------------------------
  {
    // The bundle says it is about another letter than the one opened.
    name: 'top-level letter id changed',
    tamper: (b) => ((b.letterId = 'ab'.repeat(32)), b),
    code: 'letter_id_mismatch',
    where: 'letter id',
  },

  // --- step 5: verification key --------------------------------------------------------------
  {
    // Proofs would be checked against a key the verifier does not hold.
    name: 'verification key digest changed',
    tamper: (b) => ((b.verificationKey.sha256 = '00'.repeat(32)), b),
    code: 'verification_key_mismatch',
    where: 'depth',
  },
  {
    name: 'verification key depth changed',
    tamper: (b) => ((b.verificationKey.depth += 1), b),
    code: 'verification_key_mismatch',
    where: 'depth',
  },

  // --- step 6: the roster --------------------------------------------------------------------
  {
    // The digest binds names: a signer cannot be shown under another name.
    name: 'a roster name changed',
    tamper: (b) => ((b.roster.members[1].name = 'Someone Else'), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },
  {
    // The digest binds commitments to names.
    name: 'a roster commitment changed',
    tamper: (b) => ((b.roster.members[4].commitment = bump(b.roster.members[4].commitment!)), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },
  {
    // M is the roster the letter fixed; a shorter roster would change "N of M".
    name: 'a roster member dropped',
    tamper: (b) => (b.roster.members.splice(5, 1), b),
    code: 'roster_digest_mismatch',
    where: 'roster:',
  },
  {
    // A leaf count the letter's tree depth cannot hold is refused before the tree is built.
    name: 'roster leaf count inflated beyond any roster (refused before any tree is built)',
    tamper: (b) => ((b.roster.leafCount = 2 ** 31 - 1), b),
    code: 'bundle_malformed',
    where: 'roster.leafCount',
  },
  {
    name: 'roster leaf count inflated within bounds but beyond the letter depth',
    tamper: (b) => ((b.roster.leafCount = 2 ** 20), b),
    code: 'roster_size_mismatch',
    where: 'roster:',
  },

  // --- step 9: the record set ----------------------------------------------------------------
  {
    // Dropping a withdraw would raise the count; the close committed to 5 records.
    name: 'a record dropped',
    tamper: (b) => (b.records.splice(3, 1), b),
    code: 'records_set_mismatch',
    where: 'the close committed to 5 records; the bundle holds 4',
  },

  // --- step 10: the result -------------------------------------------------------------------
  {
    name: 'claimed count changed',
    tamper: (b) => ((b.result.count += 1), b),
    code: 'result_mismatch',
    where: 'the bundle claims 4 signatures; the records give 3',
  },
  {
    name: 'claimed rosterSize changed',
    tamper: (b) => ((b.result.rosterSize -= 1), b),
    code: 'result_mismatch',
    where: 'roster of 7',
  },
  {
    // Naming someone who signed anonymously (or not at all) is exactly what must not happen.
    name: 'claimed named list changed',
    tamper: (b) => (b.result.named.push('Member A'), b),
    code: 'result_mismatch',
    where: 'named signers',
  },

  // --- a server with its own log key: self-consistent logs, semantic checks ---------------------
  {
    // The log is consistent now, but the letter no longer hashes to its id.
    name: 're-logged: letter text changed',
    tamper: (b) => ((entry(b.opened.entry, 'letter-opened').letter.text += ' And resign.'), relog(b)),
    code: 'letter_id_mismatch',
    where: 'the letter id is not the hash of the letter',
  },
  {
    // Even with every id rewritten to the new letter's, the proposal proof is for the old id.
    name: 're-logged: letter title changed and every id rewritten',
    tamper: (b) => {
      const opened = entry(b.opened.entry, 'letter-opened');
      opened.letter.title = 'A vote of confidence';
      const id = computeLetterId(opened.letter);
      b.letterId = opened.letterId = entry(b.closed.entry, 'letter-closed').letterId = id;
      for (const r of b.records) entry(r.entry, 'signature').letterId = id;
      return reclose(b);
    },
    code: 'bad_proposal',
    where: 'proposal',
  },
  {
    // The zero-knowledge proof itself fails.
    name: 're-logged: a proof point changed',
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.points[3] = bump(p.points[3]);
      return reclose(b);
    },
    code: 'bad_proof',
    where: 'record 2',
  },
  {
    // Another nullifier is another signer: the proof's public signals no longer match.
    name: 're-logged: a proof nullifier changed',
    tamper: (b) => {
      const p = entry(b.records[2].entry, 'signature').record.proof;
      p.nullifier = bump(p.nullifier);
      return reclose(b);
    },
    code: 'bad_proof',
    where: 'record 2',
  },
  {
    // A named signature binds its nullifier: moving the name onto another nullifier breaks it
    // (caught before the proof is even checked).
    name: 're-logged: the nullifier of the named record changed',
    tamper: (b) => {
      const p = entry(b.records[1].entry, 'signature').record.proof;
      p.nullifier = bump(p.nullifier);
      return reclose(b);
    },
    code: 'named_bad_signature',
    where: 'record 1',
  },
  {
    // The proof committed to `withdraw`: the action cannot be flipped to support.
    name: 're-logged: a withdraw turned into a support',
    tamper: (b) => {
      const rec = entry(b.records[3].entry, 'signature').record;
      rec.action = { format: 'undersigned-action/1', letterId: rec.action.letterId, action: 'support', display: 'anonymous', seq: rec.action.seq };
      return reclose(b);
    },
    code: 'wrong_message',
    where: 'record 3',
  },
  {
    // A record of this letter's shape that names another letter.
    name: 're-logged: a record moved to another letter id',
    tamper: (b) => ((entry(b.records[0].entry, 'signature').letterId = 'cd'.repeat(32)), reclose(b)),
    code: 'wrong_entry_kind',
    where: 'record 0',
  },
  {
    // Without re-committing the close, a dropped record is still caught by the records root...
    name: 're-logged: a record dropped',
    tamper: (b) => (b.records.splice(3, 1), relog(b)),
    code: 'records_set_mismatch',
    where: 'the close committed to 5 records; the bundle holds 4',
  },
  {
    // ...and with the close's record set re-committed too, its stated result still gives it away:
    // without the re-sign the records give 2 signatures, the close says 3.
    name: 're-logged and re-closed: the re-sign dropped',
    tamper: (b) => (b.records.splice(4, 1), reclose(b)),
    code: 'result_mismatch',
    where: 'the close entry states 3 signatures; the records give 2',
  },
  {
    // A duplicate of a record, logged at its own position with its own valid inclusion proof:
    // the close committed to another set.
    name: 're-logged: a record added (a duplicate of record 0)',
    tamper: (b) => (b.records.push(clone(b).records[0]), relog(b)),
    code: 'records_set_mismatch',
    where: 'the close committed to 5 records; the bundle holds 6',
  },
  {
    // With the close re-committed as well, every record verifies on its own and the set matches:
    // the count itself refuses the copy, whose seq does not follow the original's.
    name: 're-logged and re-closed: a record added (a duplicate of record 0)',
    tamper: (b) => (b.records.push(clone(b).records[0]), reclose(b)),
    code: 'replay',
    where: 'record 5: seq 1 does not follow seq 1',
  },
  {
    // Records in another order than the close committed to.
    name: 're-logged: two records swapped',
    tamper: (b) => (([b.records[0], b.records[1]] = [b.records[1], b.records[0]]), relog(b)),
    code: 'records_set_mismatch',
    where: 'another order',
  },
  {
    // Reordering one signer's actions (withdraw before the re-sign... here: re-sign before withdraw)
    // is a replay in log order, whatever the close says.
    name: 're-logged and re-closed: a withdraw swapped with the re-sign',
    tamper: (b) => (([b.records[3], b.records[4]] = [b.records[4], b.records[3]]), reclose(b)),
    code: 'replay',
    where: 'record 4: seq 2 does not follow seq 3',
  },
  {
    // The close's stated result disagrees with the records.
    name: 're-logged: close entry result changed',
    tamper: (b) => ((entry(b.closed.entry, 'letter-closed').result.count += 1), relog(b)),
    code: 'result_mismatch',
    where: 'the close entry states 4 signatures; the records give 3',
  },
  {
    // The close names someone the records do not name.
    name: 're-logged: close entry named list changed',
    tamper: (b) => (entry(b.closed.entry, 'letter-closed').result.named.push('Member C'), relog(b)),
    code: 'result_mismatch',
    where: 'the close entry names other signers',
  },
];


describe('the good bundle', () => {
  it('verifies: 3 of 8, Member B named, five records', async () => {
    const v = await verify(good, realKey);
    expect(v).toMatchObject({ valid: true, count: 3, rosterSize: 8, named: ['Member B'], records: 5, verifierKey: realKey });
  });

  it('survives a JSON round trip (what a file on disk is)', async () => {
    expect((await verify(JSON.parse(JSON.stringify(good)), realKey)).valid).toBe(true);
  });

  it('gives the same verdicts with the roster tree hashed on several threads (what the CLI does)', async () => {
    const rootOf = (leaves: bigint[]) => rootOfLeavesParallel(leaves, { threads: 2, minLeaves: 2 });
    const parallel = (b: unknown) => verifyBundle(b, { keys: nodeVerificationKeys, expectedVerifierKey: realKey, rootOf });
    expect(await parallel(good)).toEqual(await verify(good, realKey));
    const renamed = clone(good);
    renamed.roster.members[1].name = 'Someone Else';
    expect(await parallel(renamed)).toEqual(await verify(renamed, realKey));
    expect((await parallel(renamed)).valid).toBe(false);
  });

  it('is left unchanged by verification (the verifier does not mutate its input)', async () => {
    const copy = clone(good);
    await verify(copy, realKey);
    expect(copy).toEqual(good);
  });
});

describe('tampered bundles', () => {
  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_, row) => {
    const tampered = row.tamper(clone(good));
    expect(tampered).not.toEqual(good);
    const v = await verify(tampered);
    expect(v, JSON.stringify(v)).toMatchObject({ valid: false, code: row.code });
    if (v.valid) return;
    if (typeof row.where === 'string') expect(v.reason).toContain(row.where);
    else expect(v.reason).toMatch(row.where);
  });

  it('the verifier key swapped for another key that re-signed the same checkpoint: valid, unless the real key is pinned', async () => {
    // Self-consistent: only a key obtained out of band tells it from the real one.
    const b = clone(good);
    const body = b.log.checkpoint.slice(0, b.log.checkpoint.indexOf('\n\n') + 1);
    b.log = { verifierKey: forgerKey, checkpoint: signNote(body, { name: 'test.invalid/caucus', secretKey: forgerSecret }) };
    expect(await verify(b)).toMatchObject({ valid: true, count: 3, verifierKey: forgerKey });
    expect(await verify(b, realKey)).toMatchObject({ valid: false, code: 'checkpoint_unexpected_key' });
  });

  it('a re-logged bundle with nothing else changed verifies, unless the real log key is pinned', async () => {
    // The verifier key swapped for another key, the checkpoint re-signed with it: the bundle is
    // self-consistent, and only a key obtained out of band tells it from the real one.
    const forged = relog(clone(good));
    expect(await verify(forged)).toMatchObject({ valid: true, count: 3, verifierKey: forgerKey });
    expect(await verify(forged, realKey)).toMatchObject({ valid: false, code: 'checkpoint_unexpected_key' });
  });

  it('the real log key, when pinned, refuses every re-logged row at step 2', async () => {
    for (const row of rows.filter((r) => r.name.startsWith('re-logged'))) {
      expect(await verify(row.tamper(clone(good)), realKey), row.name).toMatchObject({ valid: false, code: 'checkpoint_unexpected_key' });
    }
  });
});

// --- never throw ---------------------------------------------------------------------------------

type Path = (string | number)[];

/** Every path in a JSON value, containers included. */
function paths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function getAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root);
}

/** Set (or, with `remove`, delete) the value at a non-empty path of a deep copy. */
function mutateAt(root: Bundle, path: Path, replacement: { remove: true } | { value: unknown }): unknown {
  const copy = clone(root) as unknown as Record<string | number, unknown>;
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = path[path.length - 1];
  if ('remove' in replacement) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string | number, unknown>)[key];
  } else {
    (parent as Record<string | number, unknown>)[key] = replacement.value;
  }
  return copy;
}

/** Values close to an original: a neighbour number, a one-character edit, another JSON value. */
/** Any UTF-16 code unit, lone surrogates included (which JSON can carry and canonical JSON refuses). */
const codeUnit = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })).map((u) => String.fromCharCode(u));

function replacementFor(original: unknown): fc.Arbitrary<{ remove: true } | { value: unknown }> {
  const near: fc.Arbitrary<unknown>[] = [fc.jsonValue(), fc.string({ unit: codeUnit, maxLength: 4 }), fc.integer(), fc.constant(null)];
  if (typeof original === 'number') near.push(fc.integer({ min: -2, max: 2 }).map((d) => original + d), fc.constant(2 ** 31 - 1));
  if (typeof original === 'string' && original.length > 0) {
    near.push(
      fc
        .tuple(fc.nat(original.length - 1), codeUnit)
        .map(([i, c]) => original.slice(0, i) + c + original.slice(i + 1)),
      fc.constant(original + original),
    );
  }
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({ remove: true as const }) },
    { weight: 5, arbitrary: fc.oneof(...near).map((value) => ({ value })) },
  );
}

describe('verifyBundle never throws', () => {
  it('on random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.anything()), async (value) => {
        const v: BundleVerdict = await verify(value);
        expect(v.valid).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('on random single-field mutations of the good bundle (valid only when nothing changed)', async () => {
    const all = paths(good).filter((p) => p.length > 0);
    await fc.assert(
      fc.asyncProperty(
        fc.nat(all.length - 1).chain((i) => replacementFor(getAt(good, all[i])).map((r) => [all[i], r] as const)),
        async ([path, replacement]) => {
          const mutated = mutateAt(good, path, replacement);
          const v = await verify(mutated);
          expect(v.valid, `${path.join('.')}: ${JSON.stringify(v)}`).toBe(isDeepStrictEqual(mutated, good));
        },
      ),
      { numRuns: 250 },
    );
  });
});
