/**
 * The latest checkpoint the member CLI saw of the log, kept across runs next to the identity file
 * (`<identity>.log-head.json`), as the browser keeps its own (src/web/logwatch.ts): every
 * checkpoint the server shows later (a receipt's, a witnessed view's, the latest) must be
 * consistent with it (docs/protocol.md §2.5; the rules are core/member/seen-log.ts). Two that no
 * consistency proof joins are a fork: the pair is saved as evidence (`<identity>.log-fork.json`)
 * and every later command refuses (`log_fork`) until the member has reported it and deletes that
 * file.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hexToBytes } from '../core/encoding.ts';
import { verifyCheckpoint } from '../core/log/checkpoint.ts';
import { checkConsistent, consistencyStep } from '../core/member/seen-log.ts';
import { CliError } from './errors.ts';

/** The server's consistency proof from `from` to `to` (RFC 9162), as hex. */
export type ProofSource = (from: number, to: number) => Promise<readonly string[]>;

export class SeenHead {
  readonly headFile: string;
  readonly forkFile: string;

  constructor(
    identityFile: string,
    private readonly verifierKey: string,
    private readonly proof: ProofSource,
  ) {
    this.headFile = `${identityFile}.log-head.json`;
    this.forkFile = `${identityFile}.log-fork.json`;
  }

  /** `note` is signed by the pinned key and consistent with the last checkpoint seen; a larger one becomes the last seen. */
  async check(note: string): Promise<void> {
    if (existsSync(this.forkFile)) {
      throw new CliError('log_fork', `this identity has seen two versions of the log that cannot both be true (evidence in ${this.forkFile}): report it to the other members and the organizer, then delete that file`);
    }
    const shown = verifyCheckpoint(note, this.verifierKey);
    if (!shown.ok) throw new CliError('log_unverified', `the checkpoint the server sent: ${shown.reason}`);
    const last = this.last();
    const before = last ? verifyCheckpoint(last, this.verifierKey) : null;
    if (!before || !before.ok) return this.save(note);
    const step = consistencyStep(before, shown);
    let proof: Uint8Array[] = [];
    if (step.kind === 'proof') {
      try {
        proof = (await this.proof(step.from, step.to)).map(hexToBytes);
      } catch (e) {
        if (e instanceof CliError) throw e;
        throw new CliError('log_unverified', 'the server sent a consistency proof that is not hex');
      }
    }
    const c = checkConsistent(before, shown, proof);
    if (!c.ok) {
      writeFileSync(this.forkFile, `${JSON.stringify({ verifierKey: this.verifierKey, earlier: last, later: note, reason: c.reason }, null, 2)}\n`, { mode: 0o600 });
      throw new CliError('log_fork', `the server showed this identity two versions of the log that cannot both be true (${c.reason}); the evidence is in ${this.forkFile}: do not sign anything, report it`);
    }
    if (step.kind === 'proof' && step.grew) this.save(note);
  }

  private last(): string | null {
    if (!existsSync(this.headFile)) return null;
    try {
      const kept = JSON.parse(readFileSync(this.headFile, 'utf8'));
      return kept?.verifierKey === this.verifierKey && typeof kept.checkpoint === 'string' ? kept.checkpoint : null;
    } catch {
      return null; // unreadable: start again from what is shown now
    }
  }

  private save(note: string): void {
    const tmp = `${this.headFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ verifierKey: this.verifierKey, checkpoint: note })}\n`, { mode: 0o600 });
    renameSync(tmp, this.headFile);
  }
}
