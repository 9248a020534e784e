/**
 * The ballot and procedure routes of the instance's API (docs/api.md), as the pages use them.
 * Failures are ApiFailures with the server's stable codes, like every other call (api.ts).
 */
import type { Ballot } from '../core/ballot/ballot.ts';
import type { RosterSnapshot } from '../core/roster/roster.ts';
import { admin, json, request, type Receipt } from './api.ts';

export type BallotState = 'open' | 'past-deadline' | 'closed';
export interface BallotSummary {
  ballotId: string;
  ballot: Ballot;
  status: BallotState;
}

export const ballotApi = {
  list: () => json<{ ballots: BallotSummary[] }>('/api/ballots'),
  get: (id: string) => json<{ ballotId: string; ballot: unknown; status: 'open' | 'closed' }>(`/api/ballots/${id}`),
  roster: (id: string) => json<{ snapshot: RosterSnapshot }>(`/api/ballots/${id}/roster`),
  nullifierState: (id: string, nullifier: string) => json<{ seq: number }>(`/api/ballots/${id}/nullifier`, { method: 'POST', body: { nullifier } }),
  vote: (id: string, record: unknown) => json<{ receipt: Receipt }>(`/api/ballots/${id}/votes`, { method: 'POST', body: { record } }),
  bundle: (id: string) => request(`/api/ballots/${id}/bundle`).then((r) => r.text()),
  open: (token: string, ballot: Ballot) => json<{ ballotId: string; index: number }>('/api/admin/ballots', { method: 'POST', body: { ballot }, headers: admin(token) }),
  close: (token: string, id: string) => json<{ index: number; voters: number }>(`/api/admin/ballots/${id}/close`, { method: 'POST', body: {}, headers: admin(token) }),
};
