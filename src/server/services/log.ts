/**
 * The public log on the server (docs/protocol.md §3): entries appended to an RFC 9162 Merkle tree,
 * a C2SP signed-note checkpoint after each append, inclusion and consistency proofs. The tree is
 * kept in memory and re-read from the database before each append and proof, so another process
 * (the organizer's CLI) appending to the same file is picked up.
 *
 * Every checkpoint is signed in ONE place: `LogService.signCheckpoint` below.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex as hex, hexToBytes } from '../../core/encoding.ts';
import { type NoteSigner, formatCheckpoint, signNote, verifierKey as makeVerifierKey } from '../../core/log/checkpoint.ts';
import { type LogEntry, entryBytes } from '../../core/log/entry.ts';
import { MerkleTree, leafHash } from '../../core/log/merkle.ts';
import type { Receipt } from '../../core/member/receipt.ts';
import { type Db, INSERT_BATCH, type Tables, chunks, upsertMeta } from '../db.ts';
import { ApiError, badRequest } from '../errors.ts';

/** What `appendMany` gives: one signed checkpoint, and a receipt per entry proven against it. */
export interface Appended {
  firstIndex: number;
  size: number;
  checkpoint: string;
  receipt(i: number): Receipt;
}

export class LogService {
  private tree = new MerkleTree();
  private signer: NoteSigner | null = null;

  constructor(private readonly db: Db) {}

  /** Sign checkpoints with the instance's key from now on (at creation, or when an instance is opened). */
  useKey(origin: string, secretKey: Uint8Array): void {
    this.signer = ed25519Signer(origin, secretKey, ed25519.getPublicKey(secretKey));
  }

  /** Sign nothing any more (an `init` whose transaction failed). */
  forgetKey(): void {
    this.signer = null;
  }

  get origin(): string {
    return this.signerOrThrow().name;
  }

  verifierKey(): string {
    const s = this.signerOrThrow();
    return makeVerifierKey(s.name, s.publicKey);
  }

  /** Append an entry in the caller's transaction, sign the new checkpoint, and return the receipt. */
  async append(entry: LogEntry, trx: Db): Promise<Receipt> {
    return (await this.appendMany([entry], trx)).receipt(0);
  }

  /**
   * Append several entries in the caller's transaction and sign ONE checkpoint, at the size after
   * the last of them; rows go in in batches. `receipt(i)` proves entry i against that checkpoint,
   * which is stored: the same kind of receipt `append` gives. (`append` is this with one entry, so
   * single entries still get a checkpoint each.)
   *
   * `trx` must be a transaction: the caller's checks (no duplicate, not closed yet…) and the entry,
   * its index and its checkpoint commit together or not at all. Outside one, two requests could
   * both pass a check before either appends, or compute the same index (issue #14).
   */
  async appendMany(entries: LogEntry[], trx: Db): Promise<Appended> {
    if (entries.length === 0) throw new Error('appendMany: no entries');
    if (!trx.isTransaction) throw new Error('appendMany: the log is appended to only inside a transaction (with the checks it depends on)');
    const db = trx;
    await this.syncTree(db);
    const firstIndex = this.tree.size;
    const decoder = new TextDecoder();
    const leafHashes: Uint8Array[] = [];
    const rows: Tables['log_entries'][] = [];
    for (const [i, entry] of entries.entries()) {
      const bytes = entryBytes(entry);
      leafHashes.push(leafHash(bytes));
      // The subject column indexes entries by letter or ballot.
      const subject = 'letterId' in entry ? entry.letterId : 'ballotId' in entry ? entry.ballotId : null;
      rows.push({ idx: firstIndex + i, leaf_hash: hex(leafHashes[i]), body: decoder.decode(bytes), kind: entry.kind, letter_id: subject });
    }
    for (const chunk of chunks(rows, INSERT_BATCH)) await db.insertInto('log_entries').values(chunk).execute();
    // The roster cache's key (roster.ts): the last roster event, in the same transaction as the event.
    let lastRosterEvent = -1;
    entries.forEach((e, i) => {
      if (e.kind.startsWith('member-')) lastRosterEvent = firstIndex + i;
    });
    if (lastRosterEvent >= 0) await upsertMeta(db, 'roster_idx', String(lastRosterEvent));
    // The member index (db.ts `member_events`), in the same transaction as the entries.
    const memberRows = entries.flatMap((e, i) => ('member' in e && e.kind.startsWith('member-') ? [{ member_id: e.member, idx: firstIndex + i }] : []));
    for (const chunk of chunks(memberRows, INSERT_BATCH)) await db.insertInto('member_events').values(chunk).execute();
    for (const h of leafHashes) this.tree.append(h);
    const size = this.tree.size;
    const checkpoint = await this.signCheckpoint(size, this.tree.root(), db);
    const tree = this.tree;
    return {
      firstIndex,
      size,
      checkpoint,
      receipt: (i: number) => ({ index: firstIndex + i, leafHash: hex(leafHashes[i]), proof: tree.inclusionProof(firstIndex + i, size).map(hex), checkpoint }),
    };
  }

  /**
   * THE place where a checkpoint is signed and published: every append (single entries, lists,
   * publication windows) ends here, in the caller's transaction, and the stored note is what
   * `latestCheckpoint`, receipts and bundles hand out. Witness cosigning (C2SP tlog-witness)
   * belongs here: collect the witnesses' cosignatures on `note` before storing it.
   */
  private async signCheckpoint(size: number, rootHash: Uint8Array, db: Db): Promise<string> {
    const signer = this.signerOrThrow();
    const note = signNote(formatCheckpoint({ origin: signer.name, size, rootHash }), signer);
    await db.insertInto('checkpoints').values({ size, root: hex(rootHash), note }).execute();
    return note;
  }

  async latestCheckpoint(): Promise<string> {
    const row = await this.db.selectFrom('checkpoints').select('note').orderBy('size', 'desc').executeTakeFirst();
    if (!row) throw new ApiError(503, 'not_initialized', 'the log is empty');
    return row.note;
  }

  async checkpointAt(size: number): Promise<string | null> {
    const row = await this.db.selectFrom('checkpoints').select('note').where('size', '=', size).executeTakeFirst();
    return row?.note ?? null;
  }

  async inclusion(index: number, size: number): Promise<string[]> {
    await this.syncTree(this.db);
    if (size > this.tree.size || size < 1) throw badRequest('bad_size', `the log has ${this.tree.size} entries`);
    if (index < 0 || index >= size) throw badRequest('bad_index', `index must be below ${size}`);
    return this.tree.inclusionProof(index, size).map(hex);
  }

  async consistency(size1: number, size2: number): Promise<string[]> {
    await this.syncTree(this.db);
    if (size2 > this.tree.size || size1 < 1 || size1 > size2) throw badRequest('bad_size', `sizes must satisfy 1 <= from <= to <= ${this.tree.size}`);
    return this.tree.consistencyProof(size1, size2).map(hex);
  }

  /**
   * The latest checkpoint with its size, and inclusion proofs against it (for bundles); or, given
   * `at`, that checkpoint (a witnessed one, with its cosignatures) of an earlier size.
   */
  async view(at?: { checkpoint: string; size: number }): Promise<{ checkpoint: string; size: number; rootHash: Uint8Array; proofOf: (index: number, size: number) => string[] }> {
    await this.syncTree(this.db);
    const checkpoint = at?.checkpoint ?? (await this.latestCheckpoint());
    const size = at?.size ?? this.tree.size;
    if (size > this.tree.size) throw new Error(`view: the log has ${this.tree.size} entries, not ${size}`);
    const tree = this.tree;
    return { checkpoint, size, rootHash: tree.root(size), proofOf: (i, n) => tree.inclusionProof(i, n).map(hex) };
  }

  /**
   * Entries [start, end) as the API serves them. `withheld(letterId)` says whether a letter's
   * signature bodies are held back (its count is still hidden: letters.ts); their leaf hashes are
   * not. It is asked once per letter, not once per signature entry.
   */
  async entries(start: number, end: number, withheld: (letterId: string) => Promise<boolean>) {
    const rows = await this.db.selectFrom('log_entries').select(['idx', 'body', 'leaf_hash', 'kind', 'letter_id']).where('idx', '>=', start).where('idx', '<', end).orderBy('idx').execute();
    const out = [];
    const hidden = new Map<string, boolean>();
    for (const r of rows) {
      let held = false;
      if (r.kind === 'signature' && r.letter_id) {
        if (!hidden.has(r.letter_id)) hidden.set(r.letter_id, await withheld(r.letter_id));
        held = hidden.get(r.letter_id)!;
      }
      out.push({ index: r.idx, leafHash: r.leaf_hash, entry: held ? null : (JSON.parse(r.body) as LogEntry) });
    }
    return out;
  }

  async size(db: Db = this.db): Promise<number> {
    // Entries are numbered 0..n-1 without gaps (syncTree checks it), and idx is the table's integer
    // primary key: max(idx) is one b-tree descent where count(*) scans the whole table.
    const r = await db.selectFrom('log_entries').select((eb) => eb.fn.max('idx').as('m')).executeTakeFirst();
    return r?.m === null || r?.m === undefined ? 0 : Number(r.m) + 1;
  }

  /**
   * Bring the in-memory tree to the database's log (another process may have appended). Each new
   * entry is hashed again from its stored body (RFC 9162 §2.1.1: the leaf hash is
   * SHA-256(0x00 || entry)) and must match its stored leaf hash: a row whose body was changed
   * under us stops the server instead of being signed into a checkpoint.
   */
  async syncTree(db: Db = this.db): Promise<void> {
    const size = await this.size(db);
    if (size < this.tree.size) this.tree = new MerkleTree(); // a rolled-back transaction
    // Read in pages: at startup the whole log is rehashed, and its bodies need not all be in memory.
    while (this.tree.size < size) {
      const from = this.tree.size;
      const rows = await db.selectFrom('log_entries').select(['idx', 'leaf_hash', 'body']).where('idx', '>=', from).where('idx', '<', Math.min(size, from + SYNC_PAGE)).orderBy('idx').execute();
      for (const r of rows) {
        if (r.idx !== this.tree.size) break;
        if (hex(leafHash(encoder.encode(r.body))) !== r.leaf_hash) {
          throw new Error(`log entry ${r.idx}: its stored body does not hash to its stored leaf hash (the database was changed outside the server)`);
        }
        this.tree.append(hexToBytes(r.leaf_hash));
      }
      if (this.tree.size === from || (this.tree.size < size && this.tree.size < from + SYNC_PAGE)) throw new Error(`log entry ${this.tree.size} is missing from the database`);
    }
  }

  private signerOrThrow(): NoteSigner {
    if (!this.signer) throw new ApiError(503, 'not_initialized', 'this instance has not been created yet');
    return this.signer;
  }
}

const encoder = new TextEncoder();
/** Entries read at a time when the tree catches up with the database. */
const SYNC_PAGE = 5000;

/** PKCS #8 DER of an Ed25519 private key (RFC 8410 §7) is this prefix, then the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The log's checkpoint signer on node:crypto (OpenSSL): ~0.05 ms a signature here, where noble
 * derives the key again and signs in ~1.5 ms, once per checkpoint. Ed25519 is deterministic, so
 * the signatures are the bytes noble would give (test/c2sp-checkpoint.test.ts checks it).
 */
export function ed25519Signer(name: string, secretKey: Uint8Array, publicKey: Uint8Array): NoteSigner {
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' });
  // The key named in every checkpoint must be the one that signs: the SPKI DER ends with the 32-byte public key.
  const derived = createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
  if (!derived.equals(publicKey)) throw new Error('ed25519Signer: the public key is not the secret key’s');
  return { name, publicKey, sign: (message) => new Uint8Array(cryptoSign(null, message, key)) };
}
