/**
 * The instance's HTTP API (docs/api.md), as the pages use it. Every failure becomes an
 * ApiFailure with the server's stable code (`code_used`, `deadline_passed`...) or, when the
 * server cannot be reached at all, `server_unreachable`; the pages turn codes into sentences in
 * the reader's language (i18n), never showing a raw status.
 */
import type { Letter } from '../core/letter/letter.ts';
import type { WitnessPolicy } from '../core/log/cosignature.ts';
import type { LogEntry } from '../core/log/entry.ts';
import type { LogView } from '../core/member/witnessed-log.ts';
import type { RosterMember, RosterRef, RosterSnapshot } from '../core/roster/roster.ts';

export type { Receipt } from '../core/member/receipt.ts';
import type { Receipt } from '../core/member/receipt.ts';

export class ApiFailure extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface InstanceInfo {
  name: string;
  origin: string;
  verifierKey: string;
  checkpoint: string;
  setupDone: boolean;
  /** Below this many enrolled members, a letter's count is shown only at the close. */
  minGroupSize: number;
}

export interface LetterStatus {
  letterId: string;
  letter: Letter;
  status: 'open' | 'past-deadline' | 'closed';
  rosterSize: number;
  /** Fewer enrolled members than the instance's minimum group size: the count is shown only at the close. */
  smallGroup: boolean;
  count: number | null;
  named: string[] | null;
}

/** GET /api/log/witnesses: the instance's witness policy, its latest witnessed checkpoint, each witness's state. */
export interface WitnessStatus {
  policy: WitnessPolicy | null;
  witnessed: { size: number; checkpoint: string } | null;
  witnesses: { name: string; verifierKey: string; url: string; cosignedSize: number; lastError: string | null; alarm: string | null }[];
}

/** An organizer token as the server lists it (never the token itself). */
export interface OrganizerTokenInfo {
  id: number;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  /** The token this page is using. */
  current: boolean;
}

export interface IssuedCode {
  id: number;
  name: string;
  code: string;
  expiresAt: string;
}

export async function request(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers: { ...(init.headers ?? {}), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiFailure('server_unreachable', 'the server cannot be reached', 0);
  }
  if (!res.ok) {
    let code = `http_${res.status}`;
    let message = `the server answered ${res.status}`;
    try {
      const j = (await res.json()) as { error?: { code?: string; message?: string } };
      if (j.error?.code) code = j.error.code;
      if (j.error?.message) message = j.error.message;
    } catch {
      // not JSON (a proxy's error page): keep the status
    }
    throw new ApiFailure(code, message, res.status);
  }
  return res;
}

export async function json<T>(path: string, init?: Parameters<typeof request>[1]): Promise<T> {
  const res = await request(path, init);
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiFailure('server_unreachable', 'the answer was cut off', 0);
  }
}

/** The organizer routes' header. */
export const admin = (token: string) => ({ authorization: `Bearer ${token}` });

export const api = {
  instance: () => json<InstanceInfo>('/api/instance'),
  setup: (token: string, name?: string) => json<{ adminToken: string }>('/api/setup', { method: 'POST', body: name ? { token, name } : { token } }),

  roster: () => json<{ snapshot: RosterSnapshot; ref: RosterRef }>('/api/roster'),
  /** One page of the roster (members whose name contains `q`, when given). */
  rosterPage: (offset: number, limit: number, q = '') =>
    json<{ ref: RosterRef; leafCount: number; total: number; offset: number; limit: number; members: RosterMember[] }>(
      `/api/roster?offset=${offset}&limit=${limit}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
    ),
  enroll: (code: string, commitment: string) =>
    json<{ member: { id: number; name: string }; leaf: number; receipt: Receipt }>('/api/enroll', { method: 'POST', body: { code, commitment } }),

  addMember: (token: string, name: string) => json<IssuedCode>('/api/admin/members', { method: 'POST', body: { name }, headers: admin(token) }),
  importMembers: (token: string, csv: string) => json<{ members: IssuedCode[] }>('/api/admin/members/import', { method: 'POST', body: { csv }, headers: admin(token) }),
  removeMember: (token: string, id: number) => json<{ receipt: Receipt }>(`/api/admin/members/${id}`, { method: 'DELETE', headers: admin(token) }),
  reissueCode: (token: string, id: number) => json<{ code: string; expiresAt: string }>(`/api/admin/members/${id}/code`, { method: 'POST', body: {}, headers: admin(token) }),
  approveReplacement: (token: string, id: number) =>
    json<{ code: string; expiresAt: string }>(`/api/admin/members/${id}/replacement`, { method: 'POST', body: {}, headers: admin(token) }),
  closeLetter: (token: string, id: string) => json<Receipt & { count: number; named: string[] }>(`/api/admin/letters/${id}/close`, { method: 'POST', body: {}, headers: admin(token) }),
  /** Check an organizer token: true if the server takes it, false if it is unknown, revoked or expired. */
  checkAdmin: async (token: string): Promise<boolean> => {
    try {
      await request('/api/admin/whoami', { headers: admin(token) });
      return true;
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 401) return false;
      throw e;
    }
  },
  organizerTokens: (token: string) => json<{ tokens: OrganizerTokenInfo[] }>('/api/admin/tokens', { headers: admin(token) }),
  revokeOrganizerToken: (token: string, id: number) => json<{ revoked: number }>(`/api/admin/tokens/${id}`, { method: 'DELETE', headers: admin(token) }),

  challenge: () => json<{ challenge: string; expiresAt: string }>('/api/session/challenge', { method: 'POST', body: {} }),
  session: (challenge: string, proof: unknown) => json<{ session: string; expiresAt: string }>('/api/session', { method: 'POST', body: { challenge, proof } }),

  letters: () => json<{ letters: LetterStatus[] }>('/api/letters'),
  letter: (id: string, session?: string) => json<LetterStatus>(`/api/letters/${id}`, { headers: session ? { 'x-session': session } : {} }),
  letterRoster: (id: string) => json<{ snapshot: RosterSnapshot }>(`/api/letters/${id}/roster`),
  propose: (letter: Letter, proposal: unknown) => json<{ letterId: string; receipt: Receipt }>('/api/letters', { method: 'POST', body: { letter, proposal } }),
  submitRecord: (id: string, record: unknown) => json<{ receipt: Receipt }>(`/api/letters/${id}/records`, { method: 'POST', body: { record } }),
  nullifierState: (id: string, nullifier: string) =>
    json<{ seq: number; action: 'support' | 'withdraw' | null; index: number | null }>(`/api/letters/${id}/nullifier`, { method: 'POST', body: { nullifier } }),
  bundle: (id: string) => request(`/api/letters/${id}/bundle`).then((r) => r.text()),

  checkpoint: () => request('/api/log/checkpoint').then((r) => r.text()),
  entries: (start: number, end: number) => json<{ entries: { index: number; leafHash: string; entry: LogEntry | null }[] }>(`/api/log/entries?start=${start}&end=${end}`),
  inclusion: (index: number, size: number) => json<{ proof: string[] }>(`/api/log/inclusion?index=${index}&size=${size}`),
  witnesses: () => json<WitnessStatus>('/api/log/witnesses'),
  /** The trustee committee's log entries with inclusion proofs against a witnessed checkpoint. */
  committeeProofs: () => json<LogView>('/api/committee/proofs'),
  letterOpened: (id: string) => json<LogView>(`/api/letters/${id}/opened`),
  ballotOpened: (id: string) => json<LogView>(`/api/ballots/${id}/opened`),
  consistency: (from: number, to: number) => json<{ proof: string[] }>(`/api/log/consistency?from=${from}&to=${to}`),
};
