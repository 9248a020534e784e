/** The trustee's view of an instance in the same process (the demo, tests); the daemon uses HTTP. */
import type { TrusteeApi } from '../core/trustee/duties.ts';
import type { Instance } from './instance.ts';

export function inProcessTrusteeApi(instance: Instance): TrusteeApi {
  return {
    committeeEntries: async () => (await instance.committee.entries()).map((e) => e.entry),
    submitCommitteeEntry: (entry) => instance.committee.submit(entry),
    closedSealedLetters: async () => (await instance.letters.list()).filter((l) => l.status === 'closed' && l.letter.committee).map((l) => l.letterId),
    bundle: (id) => instance.bundles.letter(id),
    submitReveal: (id, entry) => instance.reveals.submitReveal(id, entry),
    closedBallots: async () => (await instance.ballots.list()).filter((b) => b.status === 'closed').map((b) => b.ballotId),
    procedureBundle: (id) => instance.bundles.procedure(id),
    submitTally: (id, entry) => instance.ballots.submitTally(id, entry),
  };
}
