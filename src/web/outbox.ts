/**
 * Sending a signature record, and keeping it until it is sent. A record is put in the outbox
 * (localStorage) before the first attempt; it leaves the outbox only when the server's receipt
 * has been checked, or when the server refused it for good and the person has read why. A server
 * that cannot be reached leaves it waiting, and it is retried (see OutboxSender in app.tsx).
 */
import { verifyCheckpoint } from '../core/log/checkpoint.ts';
import { ApiFailure, api, type Receipt } from './api.ts';
import { device, type KeptReceipt, type PendingRecord } from './device.ts';
import { prove } from './prover/client.ts';

export type Delivery =
  | { ok: true; kept: KeptReceipt }
  | { ok: false; unreachable: true }
  | { ok: false; unreachable: false; code: string; message: string };

/** Codes after which sending the same record again can never succeed. */
const FINAL = new Set(['letter_closed', 'deadline_passed', 'letter_not_found', 'wrong_root', 'named_twice', 'bad_proof', 'invalid_request']);

async function keep(item: PendingRecord, receipt: Receipt, verifierKey: string): Promise<KeptReceipt> {
  const entry = { kind: 'signature' as const, letterId: item.letterId, record: item.record };
  const { size } = await prove('check-receipt', { receipt, entry, verifierKey });
  const a = item.record.action;
  const kept: KeptReceipt = {
    letterId: item.letterId,
    receipt,
    action: a.action,
    display: a.action === 'support' ? a.display : null,
    seq: a.seq,
    checkedAt: size,
  };
  device.setReceipt(kept);
  return kept;
}

/** The server already holds this record (a reply lost on the way back): rebuild its receipt from the log. */
async function recover(item: PendingRecord, verifierKey: string): Promise<KeptReceipt | null> {
  const state = await api.nullifierState(item.letterId, item.record.proof.nullifier);
  if (state.seq !== item.record.action.seq || state.action !== item.record.action.action || state.index === null) return null;
  const note = await api.checkpoint();
  const cp = verifyCheckpoint(note, verifierKey);
  if (!cp.ok) return null;
  const { proof } = await api.inclusion(state.index, cp.size);
  const { entries } = await api.entries(state.index, state.index + 1);
  return keep(item, { index: state.index, leafHash: entries[0]?.leafHash ?? '', proof, checkpoint: note }, verifierKey);
}

export async function deliver(item: PendingRecord, verifierKey: string): Promise<Delivery> {
  try {
    const { receipt } = await api.submitRecord(item.letterId, item.record);
    return { ok: true, kept: await keep(item, receipt, verifierKey) };
  } catch (e) {
    if (!(e instanceof ApiFailure)) return { ok: false, unreachable: false, code: 'prover_failed', message: String(e) };
    if (e.code === 'server_unreachable' || e.status >= 500) return { ok: false, unreachable: true };
    if (e.code === 'replay') {
      const kept = await recover(item, verifierKey).catch(() => null);
      if (kept) return { ok: true, kept };
    }
    return { ok: false, unreachable: false, code: e.code, message: e.message };
  }
}

export function isFinal(code: string): boolean {
  return FINAL.has(code) || code === 'replay';
}

const same = (a: PendingRecord, b: PendingRecord) => a.letterId === b.letterId && a.record.proof.nullifier === b.record.proof.nullifier && a.record.action.seq === b.record.action.seq;

export function withoutItem(items: PendingRecord[], item: PendingRecord): PendingRecord[] {
  return items.filter((p) => !same(p, item));
}

export function withRefusal(items: PendingRecord[], item: PendingRecord, refused: { code: string; message: string }): PendingRecord[] {
  return items.map((p) => (same(p, item) ? { ...p, refused } : p));
}
