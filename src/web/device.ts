/**
 * What this browser keeps, and where.
 *
 * localStorage (stays until the person clears it):
 *   - the encrypted identity file (the same bytes as the backup; useless without the passphrase),
 *   - the organizer token on the organizer's own device,
 *   - receipts of one's own actions, the signatures waiting to be sent (the outbox),
 *   - the last log checkpoint seen, the log key and the witness policy first seen (to detect a fork,
 *     a key change or a change of witnesses),
 *   - per trustee key, the record of the entries that trustee made here (src/core/trustee/own-entries.ts:
 *     public values only, to tell an entry in its name it did not make),
 *   - the language.
 * sessionStorage (gone when the tab closes):
 *   - the unlocked private key, the membership session, freshly issued enrollment codes.
 */
import type { IdentityFile } from '../core/identity/identity-file.ts';
import type { WitnessPolicy } from '../core/log/cosignature.ts';
import { type OwnRecord, OwnRecordSchema } from '../core/trustee/own-entries.ts';
import type { SignatureRecord } from '../core/letter/record.ts';
import type { IssuedCode, Receipt } from './api.ts';

const PREFIX = 'undersigned.';

function read<T>(store: Storage, key: string): T | null {
  try {
    const raw = store.getItem(PREFIX + key);
    return raw === null ? null : (JSON.parse(raw) as T);
  } catch {
    return null;
  }
}

function write(store: Storage, key: string, value: unknown): void {
  if (value === null || value === undefined) store.removeItem(PREFIX + key);
  else store.setItem(PREFIX + key, JSON.stringify(value));
}

const local = {
  get: <T>(key: string) => read<T>(localStorage, key),
  set: (key: string, value: unknown) => write(localStorage, key, value),
};
const session = {
  get: <T>(key: string) => read<T>(sessionStorage, key),
  set: (key: string, value: unknown) => write(sessionStorage, key, value),
};

export interface KeptReceipt {
  letterId: string;
  receipt: Receipt;
  action: 'support' | 'withdraw';
  display: 'anonymous' | 'named' | 'sealed' | null;
  seq: number;
  /** Largest checkpoint size this receipt was last checked against (consistency). */
  checkedAt?: number;
}

export interface PendingRecord {
  letterId: string;
  record: SignatureRecord;
  /** When it was made (ISO), for the person's information only. */
  made: string;
  /** The server refused it for good (deadline passed, letter closed): kept until the person has read why. */
  refused?: { code: string; message: string };
}

export interface SeenCheckpoint {
  verifierKey: string;
  note: string;
}

export interface ForkEvidence {
  earlier: string;
  later: string;
  reason: string;
}

export const device = {
  language: () => local.get<'en' | 'fr'>('lang'),
  setLanguage: (lang: 'en' | 'fr') => local.set('lang', lang),

  identityFile: () => local.get<IdentityFile>('identity'),
  setIdentityFile: (file: IdentityFile | null) => local.set('identity', file),

  privateKey: () => session.get<string>('key'),
  setPrivateKey: (key: string | null) => session.set('key', key),

  memberSession: () => session.get<{ token: string; expiresAt: string }>('session'),
  setMemberSession: (s: { token: string; expiresAt: string } | null) => session.set('session', s),

  adminToken: () => local.get<string>('admin'),
  setAdminToken: (token: string | null) => local.set('admin', token),

  issuedCodes: () => session.get<IssuedCode[]>('codes') ?? [],
  setIssuedCodes: (codes: IssuedCode[]) => session.set('codes', codes.length ? codes : null),

  receipt: (letterId: string) => local.get<KeptReceipt>(`receipt.${letterId}`),
  setReceipt: (r: KeptReceipt) => local.set(`receipt.${r.letterId}`, r),
  receipts: (): KeptReceipt[] => {
    const out: KeptReceipt[] = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k?.startsWith(`${PREFIX}receipt.`)) {
        const r = local.get<KeptReceipt>(k.slice(PREFIX.length));
        if (r) out.push(r);
      }
    }
    return out;
  },

  outbox: () => local.get<PendingRecord[]>('outbox') ?? [],
  setOutbox: (items: PendingRecord[]) => local.set('outbox', items.length ? items : null),

  /** The log key this browser first saw (trust on first use) when no identity file pins one. */
  seenVerifierKey: () => local.get<string>('verifierKey'),
  setSeenVerifierKey: (key: string) => local.set('verifierKey', key),
  /** The witness policy this browser first saw (trust on first use; none until an instance has one). */
  witnessPolicy: () => local.get<WitnessPolicy>('witnessPolicy'),
  /** Null forgets the pin (the next policy seen is pinned again): after the member confirmed a change out of band. */
  setWitnessPolicy: (p: WitnessPolicy | null) => local.set('witnessPolicy', p),
  lastCheckpoint: () => local.get<SeenCheckpoint>('checkpoint'),
  /** Null forgets it: after a fork the member cleared, the next checkpoint seen starts afresh. */
  setLastCheckpoint: (c: SeenCheckpoint | null) => local.set('checkpoint', c),
  fork: () => local.get<ForkEvidence>('fork'),
  setFork: (f: ForkEvidence | null) => local.set('fork', f),

  trusteeRecord: (transportKey: string): OwnRecord | null => {
    const parsed = OwnRecordSchema.safeParse(local.get(`trustee-own.${transportKey}`));
    return parsed.success && parsed.data.transportKey === transportKey ? parsed.data : null;
  },
  setTrusteeRecord: (r: OwnRecord) => local.set(`trustee-own.${r.transportKey}`, r),

  /** Forget the identity on this device (the backup file still works elsewhere). */
  forgetIdentity: () => {
    local.set('identity', null);
    session.set('key', null);
    session.set('session', null);
  },
  lock: () => {
    session.set('key', null);
    session.set('session', null);
  },
};
