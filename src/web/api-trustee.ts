/**
 * The trustee committee's part of the HTTP API (docs/api.md): forming the committee (organizer),
 * joining it and following the key generation (trustees), and what a trustee reads and publishes
 * after a letter or a ballot closes. Used by the pages and by the trustee worker alike.
 */
import type { TallyEntry } from '../core/ballot/tally.ts';
import type { Bundle } from '../core/bundle/bundle.ts';
import type { CommitteeEntry } from '../core/trustee/committee.ts';
import type { Letter } from '../core/letter/letter.ts';
import type { ProcedureBundle } from '../core/bundle/procedure-bundle.ts';
import type { RevealEntry } from '../core/sealed/reveal.ts';
import type { SigmaProof } from '../core/trustee/proofs.ts';
import { admin, json, type LetterStatus } from './api.ts';

export interface CommitteeStatus {
  trustees: { index: number; name: string; joined: boolean }[];
  created: boolean;
  ready: boolean;
  committeeId: string | null;
  k: number | null;
  n: number | null;
  publicKey: string | null;
  waitingFor: { contribution: number[]; response: number[] } | null;
  disqualified: number[];
  falseComplaints: number[];
  failure: string | null;
  entries: { index: number; entry: CommitteeEntry }[];
}

export interface TrusteeInvitation {
  index: number;
  name: string;
  code: string;
}

export const trusteeApi = {
  status: () => json<CommitteeStatus>('/api/committee'),
  /** The committee reference a new letter fixes, once the key is on the log (null before). */
  ref: () => json<{ committee: NonNullable<Letter['committee']> | null }>('/api/committee/ref'),
  create: (token: string, body: { name: string; k: number; trustees: string[] }) =>
    json<{ trustees: TrusteeInvitation[] }>('/api/admin/committee', { method: 'POST', body, headers: admin(token) }),
  /** Which slot an invitation code is for; asking does not use the code. */
  slot: (code: string) => json<{ index: number; name: string }>('/api/committee/slot', { method: 'POST', body: { code } }),
  join: (code: string, transportKey: string, proof: SigmaProof) =>
    json<{ index: number; committeeCreated: boolean }>('/api/committee/join', { method: 'POST', body: { code, transportKey, proof } }),
  submitEntry: (entry: CommitteeEntry) => json<{ index: number; ready: boolean }>('/api/committee/entries', { method: 'POST', body: { entry } }),

  letters: () => json<{ letters: LetterStatus[] }>('/api/letters'),
  letterBundle: (id: string) => json<Bundle>(`/api/letters/${id}/bundle`),
  submitReveal: (id: string, entry: RevealEntry) => json<{ index: number }>(`/api/letters/${id}/reveals`, { method: 'POST', body: { entry } }),

  ballotBundle: (id: string) => json<ProcedureBundle>(`/api/ballots/${id}/bundle`),
  submitTally: (id: string, entry: TallyEntry) => json<{ index: number }>(`/api/ballots/${id}/tally`, { method: 'POST', body: { entry } }),
};
