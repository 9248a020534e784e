/**
 * What the chaos harness checks after each restart (test/harness/chaos.ts), trusting nothing the
 * server says without a proof:
 * - each receipt when it is given: its checkpoint is signed and its inclusion proof holds;
 * - through the API, as any client would: the latest checkpoint is signed by the instance's key
 *   and consistent with the one seen before the kill (RFC 9162 §2.1.4);
 * - in the database file itself (read-only): every entry hashes to its stored leaf hash, entries
 *   already checked are unchanged (so every acknowledged entry is still at its index), and every
 *   stored checkpoint is signed and has the root of the entries below its size.
 * Each check returns the problems it found, as sentences; none means it holds.
 */
import Database from 'better-sqlite3';
import { bytesToHex, hexToBytes } from '../../src/core/encoding.ts';
import { verifyCheckpoint } from '../../src/core/log/checkpoint.ts';
import { MerkleTree, leafHash, verifyConsistency, verifyInclusion } from '../../src/core/log/merkle.ts';
import type { Receipt } from '../../src/core/member/receipt.ts';

export interface Acknowledged {
  what: string;
  receipt: Receipt;
}

/** A receipt the server just gave: its checkpoint is signed and proves the entry we sent. */
export function receiptProblem(receipt: Receipt, expectedLeafHash: string, verifierKey: string): string | null {
  if (receipt.leafHash !== expectedLeafHash) return `receipt ${receipt.index}: the server acknowledged another entry than the one sent`;
  const cp = verifyCheckpoint(receipt.checkpoint, verifierKey);
  if (!cp.ok) return `receipt ${receipt.index}: its checkpoint does not verify: ${cp.reason}`;
  const inclusion = verifyInclusion({ leafHash: hexToBytes(receipt.leafHash), index: receipt.index, size: cp.size, proof: receipt.proof.map(hexToBytes), root: cp.rootHash });
  return inclusion.ok ? null : `receipt ${receipt.index}: its inclusion proof does not verify: ${inclusion.reason}`;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The latest checkpoint through the API, verified, and consistent with `previous` (if any). */
export async function checkpointProblems(url: string, verifierKey: string, previous: { size: number; root: Uint8Array } | null): Promise<{ problems: string[]; latest: { size: number; root: Uint8Array } | null }> {
  const note = await (await fetch(`${url}api/log/checkpoint`)).text();
  const cp = verifyCheckpoint(note, verifierKey);
  if (!cp.ok) return { problems: [`the latest checkpoint does not verify: ${cp.reason}`], latest: null };
  const latest = { size: cp.size, root: cp.rootHash };
  if (!previous) return { problems: [], latest };
  if (cp.size < previous.size) return { problems: [`the log shrank from ${previous.size} to ${cp.size} entries`], latest };
  const proof = previous.size === cp.size ? [] : (await getJson<{ proof: string[] }>(`${url}api/log/consistency?from=${previous.size}&to=${cp.size}`)).proof;
  const c = verifyConsistency({ size1: previous.size, size2: cp.size, root1: previous.root, root2: cp.rootHash, proof: proof.map(hexToBytes) });
  return { problems: c.ok ? [] : [`the log of ${cp.size} entries does not extend the one of ${previous.size} seen before: ${c.reason}`], latest };
}

/**
 * The database's log, checked from the file: kept across restarts so that each check reads only
 * what is new, and compares what it checked before.
 */
export class StoredLogCheck {
  private readonly tree = new MerkleTree();
  private readonly leaves: string[] = [];
  private checkpointsChecked = 0;
  private lastCheckpointSize = 0;

  constructor(
    private readonly file: string,
    private readonly verifierKey: string,
  ) {}

  /** The leaf hash stored at `index`, as of the last check. */
  leafAt(index: number): string | undefined {
    return this.leaves[index];
  }

  /** The root of the first `size` stored entries checked so far (null past them). */
  rootAt(size: number): string | null {
    return size <= this.tree.size ? bytesToHex(this.tree.root(size)) : null;
  }

  problems(): string[] {
    const db = new Database(this.file, { readonly: true, fileMustExist: true });
    try {
      return [...this.entryProblems(db), ...this.checkpointProblems(db)];
    } finally {
      db.close();
    }
  }

  private entryProblems(db: Database.Database): string[] {
    const rows = db.prepare('SELECT idx, leaf_hash FROM log_entries ORDER BY idx').all() as { idx: number; leaf_hash: string }[];
    if (rows.length < this.leaves.length) return [`the stored log has ${rows.length} entries; ${this.leaves.length} were there before`];
    for (let i = 0; i < this.leaves.length; i++) {
      if (rows[i].idx !== i || rows[i].leaf_hash !== this.leaves[i]) return [`stored entry ${i} changed since it was checked`];
    }
    const body = db.prepare('SELECT body FROM log_entries WHERE idx = ?');
    for (let i = this.leaves.length; i < rows.length; i++) {
      if (rows[i].idx !== i) return [`stored entry ${i} is missing`];
      const { body: text } = body.get(i) as { body: string };
      if (bytesToHex(leafHash(new TextEncoder().encode(text))) !== rows[i].leaf_hash) return [`stored entry ${i} does not hash to its leaf hash`];
      this.leaves.push(rows[i].leaf_hash);
      this.tree.append(hexToBytes(rows[i].leaf_hash));
    }
    return [];
  }

  private checkpointProblems(db: Database.Database): string[] {
    const before = (db.prepare('SELECT count(*) AS n FROM checkpoints WHERE size <= ?').get(this.lastCheckpointSize) as { n: number }).n;
    if (before !== this.checkpointsChecked) return [`${this.checkpointsChecked} checkpoints of up to ${this.lastCheckpointSize} entries were stored; now ${before}`];
    const rows = db.prepare('SELECT size, root, note FROM checkpoints WHERE size > ? ORDER BY size').all(this.lastCheckpointSize) as { size: number; root: string; note: string }[];
    const problems: string[] = [];
    for (const r of rows) {
      const cp = verifyCheckpoint(r.note, this.verifierKey);
      if (!cp.ok) problems.push(`stored checkpoint ${r.size}: ${cp.reason}`);
      else if (cp.size !== r.size || bytesToHex(cp.rootHash) !== r.root) problems.push(`stored checkpoint ${r.size}: its note says another size or root than its row`);
      else if (r.size > this.tree.size) problems.push(`stored checkpoint ${r.size}: the log has only ${this.tree.size} entries`);
      else if (bytesToHex(this.tree.root(r.size)) !== r.root) problems.push(`stored checkpoint ${r.size}: its root is not the root of the entries below it`);
      this.checkpointsChecked++;
      this.lastCheckpointSize = r.size;
    }
    return problems;
  }
}
