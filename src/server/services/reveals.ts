/**
 * Reveals of sealed names (docs/protocol.md §11): after a letter with sealed signatures closes at
 * or above its reveal threshold, each trustee publishes its partial decryptions of the sealed
 * records. The server checks them with the verifier's own code (`checkRevealEntry`) before they go
 * on the log, so it never logs one a verifier would refuse.
 */
import { transportKeys } from '../../core/trustee/committee.ts';
import { type RevealEntry, RevealEntrySchema, bundleSignatures, checkRevealEntry, sealedToReveal } from '../../core/sealed/reveal.ts';
import type { Db } from '../db.ts';
import { badRequest, conflict } from '../errors.ts';
import type { BundleService } from './bundles.ts';
import type { CommitteeService } from './committee.ts';
import type { LetterService } from './letters.ts';
import type { LogService } from './log.ts';

export interface RevealDeps {
  db: Db;
  log: LogService;
  letters: LetterService;
  bundles: BundleService;
  committee: CommitteeService;
}

export class RevealService {
  constructor(private readonly deps: RevealDeps) {}

  /** The sealed records a trustee must decrypt for a closed letter, and whether it may. */
  async revealTask(letterId: string) {
    const status = await this.deps.letters.status(letterId);
    if (!status.letter.committee) throw conflict('no_committee', 'this letter takes no sealed signatures');
    const bundle = await this.deps.bundles.letter(letterId);
    const sealed = sealedToReveal(bundleSignatures(bundle.records));
    const count = bundle.result.count;
    return { letter: status.letter, count, threshold: status.letter.revealThreshold, mayReveal: count >= status.letter.revealThreshold && status.letter.revealThreshold > 0, sealed, bundle };
  }

  /** A trustee's partial decryptions for a closed letter that reached its threshold. */
  async submitReveal(letterId: string, input: unknown): Promise<{ index: number }> {
    const parsed = RevealEntrySchema.safeParse(input);
    if (!parsed.success) throw badRequest('bad_entry', `entry ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const entry: RevealEntry = parsed.data;
    if (entry.letterId !== letterId) throw badRequest('wrong_letter', 'the partials are for another letter');
    const task = await this.revealTask(letterId);
    if (task.bundle.closed === undefined) throw conflict('letter_open', 'names are revealed only after the close');
    if (!task.mayReveal) throw conflict('below_threshold', `the letter closed with ${task.count} signatures, below its reveal threshold of ${task.threshold}: sealed names stay sealed`);
    const state = await this.deps.committee.state();
    if (!state?.key) throw conflict('committee_not_ready', 'the committee has no key');
    const check = checkRevealEntry({ letterId, committeeId: state.id, publicShares: state.key.publicShares, transportKeys: transportKeys(state.committee), sealed: task.sealed }, entry);
    if (!check.ok) throw badRequest(check.code, check.reason);
    const existing = await this.deps.db.selectFrom('log_entries').select('body').where('kind', '=', 'reveal-partials').where('letter_id', '=', letterId).execute();
    if (existing.some((r) => (JSON.parse(r.body) as RevealEntry).trustee === entry.trustee)) throw conflict('already_revealed', `trustee ${entry.trustee} already published its partials`);
    const receipt = await this.deps.log.append(entry, this.deps.db);
    return { index: receipt.index };
  }
}
