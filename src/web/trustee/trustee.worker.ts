/**
 * The trustee, in a Web Worker: its secret is made or opened here and never leaves (the page gets
 * public values and the encrypted file only). It runs the same code as `undersigned trustee`:
 * the file format of src/core/trustee/trustee-file.ts, the join proof of dkg.ts, and
 * `trusteeStep` of duties.ts, which checks every bundle with the offline verifier before
 * publishing anything. The transport is this instance's HTTP API, watched to report progress.
 */
import { type CommitteeEntry, evaluateCommittee } from '../../core/trustee/committee.ts';
import { bundleSignatures, type RevealEntry, sealedToReveal } from '../../core/sealed/reveal.ts';
import type { TallyEntry } from '../../core/ballot/tally.ts';
import { transportEntry } from '../../core/trustee/dkg.ts';
import { type TrusteeApi, trusteeStep } from '../../core/trustee/duties.ts';
import { G, encodePoint, mul } from '../../core/trustee/group.ts';
import { openTrusteeFile, sealTrusteeFile, transportSecret } from '../../core/trustee/trustee-file.ts';
import { ballotApi } from '../api-ballots.ts';
import { trusteeApi } from '../api-trustee.ts';
import { singleThreadedCurve } from '../prover/single-thread-curve.ts';
import { bundledVerificationKeys } from '../verify/verification-keys.ts';
import { ProverFailure as Refusal, type Handlers, serveCalls } from '../worker-calls.ts';
import type { DutyEvent, Subject, TrusteeCalls, TrusteePlan, TrusteeProgress } from './protocol.ts';

const scope = self as unknown as { crypto: Crypto };


const random = (n: number) => scope.crypto.getRandomValues(new Uint8Array(n));

/** The transport secret of the open trustee file: only here, only in memory. */
let secret: bigint | null = null;

function held(): bigint {
  if (secret === null) throw new Refusal('trustee_not_open', 'open your trustee file first');
  return secret;
}

async function committeeState() {
  const status = await trusteeApi.status();
  const entries = status.entries.map((e) => e.entry);
  if (!entries.length) return { status, state: null };
  const evaluated = evaluateCommittee(entries as CommitteeEntry[]);
  if (!evaluated.ok) throw new Refusal('trustee_committee_unverified', `the committee on the log does not check out: ${evaluated.reason}`);
  return { status, state: evaluated.state };
}

async function plan(x: bigint): Promise<TrusteePlan> {
  const { status, state } = await committeeState();
  const out: TrusteePlan = { me: null, created: state !== null, ready: false, dkg: null, waitingFor: [], failure: null, letters: [], ballots: [] };
  if (!state) {
    out.waitingFor = status.trustees.filter((t) => !t.joined).map((t) => t.index);
    return out;
  }
  const mine = encodePoint(mul(G, x));
  const t = state.committee.trustees.find((t) => t.transportKey === mine);
  if (!t) return out;
  const me = t.index;
  out.me = { index: me, name: t.name };
  // The same order of steps as trusteeStep (duties.ts).
  if (state.waitingFor.contribution.length) {
    if (state.waitingFor.contribution.includes(me)) out.dkg = 'deal';
    out.waitingFor = state.waitingFor.contribution.filter((i) => i !== me);
    return out;
  }
  if (state.waitingFor.response.length) {
    if (state.waitingFor.response.includes(me)) out.dkg = 'respond';
    out.waitingFor = state.waitingFor.response.filter((i) => i !== me);
    return out;
  }
  if (!state.key) {
    out.failure = state.failure;
    return out;
  }
  out.ready = true;
  const { letters } = await trusteeApi.letters();
  for (const l of letters) {
    if (l.status !== 'closed' || l.letter.committee?.id !== state.id) continue;
    const bundle = await trusteeApi.letterBundle(l.letterId);
    const done = (bundle.reveals ?? []).some((r) => r.entry.kind === 'reveal-partials' && (r.entry as RevealEntry).trustee === me);
    const count = bundle.result.count;
    const threshold = l.letter.revealThreshold;
    const sealed = sealedToReveal(bundleSignatures(bundle.records)).length;
    out.letters.push({ letterId: l.letterId, title: l.letter.title, count, threshold, sealed, action: done ? 'done' : threshold >= 1 && count >= threshold ? 'reveal' : 'below' });
  }
  const { ballots } = await ballotApi.list();
  for (const b of ballots) {
    if (b.status !== 'closed') continue;
    const bundle = await trusteeApi.ballotBundle(b.ballotId);
    if (bundle.closed.entry.kind !== 'ballot-closed' || bundle.closed.entry.sums.length === 0) continue; // recorded votes: nothing to decrypt
    const done = bundle.tally.some((e) => e.entry.kind === 'tally-partials' && (e.entry as TallyEntry).trustee === me);
    out.ballots.push({ ballotId: b.ballotId, title: b.ballot.question, action: done ? 'done' : 'tally' });
  }
  return out;
}

/** The HTTP API as duties.ts wants it, reporting what is checked and what is published. */
function watchedApi(progress: (p: TrusteeProgress) => void, events: DutyEvent[]): TrusteeApi {
  const subjects = new Map<string, Subject>();
  const subject = (kind: Subject['kind'], id: string): Subject => subjects.get(id) ?? { kind, id, title: id.slice(0, 12) };
  return {
    committeeEntries: async () => (await trusteeApi.status()).entries.map((e) => e.entry),
    submitCommitteeEntry: async (entry) => {
      progress({ stage: 'signed', entry });
      progress({ stage: 'dkg' });
      const r = await trusteeApi.submitEntry(entry);
      if (entry.kind === 'dkg-contribution') events.push({ kind: 'dealt' });
      else if (entry.kind === 'dkg-ack') events.push({ kind: 'acked' });
      else if (entry.kind === 'dkg-complaint') events.push({ kind: 'complained', dealers: entry.complaints.map((c) => c.dealer) });
      return r;
    },
    closedSealedLetters: async () => {
      const { letters } = await trusteeApi.letters();
      const closed = letters.filter((l) => l.status === 'closed' && l.letter.committee);
      for (const l of closed) subjects.set(l.letterId, { kind: 'letter', id: l.letterId, title: l.letter.title });
      return closed.map((l) => l.letterId);
    },
    bundle: (id) => {
      progress({ stage: 'checking', subject: subject('letter', id) });
      return trusteeApi.letterBundle(id);
    },
    submitReveal: async (id, entry) => {
      progress({ stage: 'signed', entry });
      progress({ stage: 'publishing', subject: subject('letter', id) });
      const r = await trusteeApi.submitReveal(id, entry);
      events.push({ kind: 'revealed', subject: subject('letter', id), n: entry.partials.length });
      return r;
    },
    closedBallots: async () => {
      const { ballots } = await ballotApi.list();
      const closed = ballots.filter((b) => b.status === 'closed');
      for (const b of closed) subjects.set(b.ballotId, { kind: 'ballot', id: b.ballotId, title: b.ballot.question });
      return closed.map((b) => b.ballotId);
    },
    procedureBundle: (id) => {
      progress({ stage: 'checking', subject: subject('ballot', id) });
      return trusteeApi.ballotBundle(id);
    },
    submitTally: async (id, entry) => {
      progress({ stage: 'signed', entry });
      progress({ stage: 'publishing', subject: subject('ballot', id) });
      const r = await trusteeApi.submitTally(id, entry);
      events.push({ kind: 'tallied', subject: subject('ballot', id) });
      return r;
    },
  };
}

const handlers: Handlers<TrusteeCalls, TrusteeProgress> = {
  async create({ passphrase }, progress) {
    if (passphrase.length < 8) throw new Refusal('weak_passphrase', 'choose a passphrase of at least 8 characters');
    progress({ stage: 'kdf' });
    const seed = random(32);
    const file = await sealTrusteeFile({ seed, passphrase, salt: random(16), nonce: random(24) });
    secret = transportSecret(seed);
    return { file, transportKey: file.transportKey };
  },

  async open({ text, passphrase, expect }, progress) {
    progress({ stage: 'kdf' });
    const opened = await openTrusteeFile(text, passphrase);
    if (!opened.ok) throw new Refusal(opened.code, opened.reason);
    if (expect && opened.transportKey !== expect) throw new Refusal('trustee_other_file', 'this is another trustee file than the one just made');
    secret = opened.secret;
    return { transportKey: opened.transportKey };
  },

  async join({ code }) {
    const x = held();
    // The slot's index and the committee's name are part of the proof's context; asking does not use the code.
    const slot = await trusteeApi.slot(code);
    const entry = transportEntry(x, slot.name, slot.index, random);
    return trusteeApi.join(code, entry.transportKey, entry.proof);
  },

  async plan() {
    return plan(held());
  },

  async run(_input, progress) {
    const x = held();
    await singleThreadedCurve();
    const events: DutyEvent[] = [];
    const result = await trusteeStep(watchedApi(progress, events), x, bundledVerificationKeys, random);
    return { events, did: result.did, waiting: result.waiting };
  },

  async forget() {
    secret = null;
    return {};
  },
};

serveCalls<TrusteeCalls, TrusteeProgress>(handlers, 'trustee_failed');
