/**
 * Reveals of sealed names (docs/protocol.md §11): after a letter with sealed signatures closes at
 * or above its reveal threshold, each trustee publishes its partial decryptions of the sealed
 * records. The server checks them with the verifier's own code (`checkRevealEntry`) before they go
 * on the log, so it never logs one a verifier would refuse.
 */
import { transportKeys } from '../../core/trustee/committee.ts';
import { type RevealEntry, RevealEntrySchema, bundleSignatures, checkRevealEntry, checkRevealSigner, sealedToReveal } from '../../core/sealed/reveal.ts';
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

  /**
   * A trustee's partial decryptions for a closed letter that reached its threshold. Anyone may
   * post here, so the cheapest checks run first: the letter's row, the committee, the trustee's
   * signature (one Schnorr verification), whether it already published; only then the bundle (cached
   * per letter and log size: bundles.ts) and the partials' DLEQ proofs. The duplicate check and the
   * append are one transaction: two copies posted at once give one entry and one 409.
   */
  async submitReveal(letterId: string, input: unknown): Promise<{ index: number }> {
    const parsed = RevealEntrySchema.safeParse(input);
    if (!parsed.success) throw badRequest('bad_entry', `entry ${parsed.error.issues[0].path.join('.')}: ${parsed.error.issues[0].message}`);
    const entry: RevealEntry = parsed.data;
    if (entry.letterId !== letterId) throw badRequest('wrong_letter', 'the partials are for another letter');
    const { letter, row } = await this.deps.letters.get(letterId);
    if (!letter.committee) throw conflict('no_committee', 'this letter takes no sealed signatures');
    if (row.closed_idx === null) throw conflict('letter_open', 'names are revealed only after the close');
    const state = await this.deps.committee.state();
    if (!state?.key) throw conflict('committee_not_ready', 'the committee has no key');
    const committee = { letterId, committeeId: state.id, publicShares: state.key.publicShares, transportKeys: transportKeys(state.committee) };
    const signed = checkRevealSigner(committee, entry);
    if (!signed.ok) throw badRequest(signed.code, signed.reason);
    if (await this.published(letterId, entry.trustee)) throw alreadyRevealed(entry.trustee);
    const task = await this.revealTask(letterId);
    if (!task.mayReveal) throw conflict('below_threshold', `the letter closed with ${task.count} signatures, below its reveal threshold of ${task.threshold}: sealed names stay sealed`);
    const check = checkRevealEntry({ ...committee, sealed: task.sealed }, entry);
    if (!check.ok) throw badRequest(check.code, check.reason);
    return this.deps.db.transaction().execute(async (trx) => {
      if (await this.published(letterId, entry.trustee, trx)) throw alreadyRevealed(entry.trustee);
      return { index: (await this.deps.log.append(entry, trx)).index };
    });
  }

  /** Whether `trustee` already has a reveal-partials entry for this letter on the log. */
  private async published(letterId: string, trustee: number, db: Db = this.deps.db): Promise<boolean> {
    const existing = await db.selectFrom('log_entries').select('body').where('letter_id', '=', letterId).where('kind', '=', 'reveal-partials').execute();
    return existing.some((r) => (JSON.parse(r.body) as RevealEntry).trustee === trustee);
  }
}

const alreadyRevealed = (trustee: number) => conflict('already_revealed', `trustee ${trustee} already published its partials`);
