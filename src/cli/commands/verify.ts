/**
 * `undersigned verify`: checks a letter bundle or a procedure bundle offline, trusting nothing from
 * the server. Exit 0 valid, 1 invalid, 2 unreadable. The verifiers and the proof pool load only when
 * the command runs.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { nodeVerificationKeys, releaseSnarkjs } from '../../node/artifacts.ts';
import type { WitnessPolicy, WitnessSummary } from '../../core/log/cosignature.ts';
import type { BundleVerdict } from '../../core/bundle/bundle.ts';
import type { ResumeNote, VerifyState } from '../../core/bundle/resume.ts';
import type { ProcedureVerdict } from '../../core/bundle/procedure-bundle.ts';
import { json, out, parseInteger, readText } from '../command-kit.ts';
import { CliError } from '../errors.ts';
import { Progress } from '../progress.ts';

const PROCEDURE_BUNDLE_FORMAT = 'undersigned-procedure/1';
const verifyBundle: typeof import('../../core/bundle/bundle.ts').verifyBundle = async (...a) => (await import('../../core/bundle/bundle.ts')).verifyBundle(...a);
const verifyProcedureBundle: typeof import('../../core/bundle/procedure-bundle.ts').verifyProcedureBundle = async (...a) =>
  (await import('../../core/bundle/procedure-bundle.ts')).verifyProcedureBundle(...a);
const proofVerifier = async (...a: Parameters<typeof import('../../node/verify-pool.ts').proofVerifier>) => (await import('../../node/verify-pool.ts')).proofVerifier(...a);

export function verifyCommands(program: Command): void {
  program
    .command('verify <bundle.json>')
    .description('verify a bundle offline: exit 0 valid, 1 invalid, 2 unreadable')
    .option('--json', 'print one JSON object')
    .option('--key <verifierKey>', 'the log key you expect (from the organizer, out of band)')
    .option('--witness <verifierKey>', 'a witness key you expect the letter or ballot to name (repeat for each; from the witnesses, out of band)', (v: string, all: string[] = []) => [...all, v])
    .option('--witness-quorum <k>', 'the quorum you expect with --witness (default: every witness)', parseInteger('--witness-quorum', 1, 32))
    .option('--state <file>', 'resume from what an earlier run saved in this file, and save what this run verified (letter bundles)')
    .action(async (file: string, o) => {
      const expectedWitnesses = expectedPolicy(o.witness, o.witnessQuorum);
      const text = readText(file, 'bundle');
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch (e) {
        throw new CliError('bundle_not_json', `${file} is not JSON: ${(e as Error).message}`, 2);
      }
      const state = o.state ? readState(o.state) : undefined;
      const checked = await verifyParsed(parsed, { key: o.key, expectedWitnesses, state });
      if (checked.kind === 'procedure') {
        const v = checked.verdict;
        if (o.json) json(v);
        else if (v.valid) {
          if (v.notice) out(`notice: ${v.notice.count} of ${v.notice.rosterSize} signed (the procedure needs ${v.notice.needed}); letter ${v.notice.letterId}`);
          out(`ballot: "${v.question}" — ${v.voters} of ${v.rosterSize} members voted`);
          out(v.tally ? `tally: ${Object.entries(v.tally).map(([k, n]) => `${k} ${n}`).join(', ')}` : 'tally: not decrypted yet');
          if (v.recorded) for (const r of v.recorded) out(`  recorded vote: ${r.name}: ${r.choice}`);
          out(v.decision ? `VALID. Decision: ${v.decision} (${v.detail})` : `VALID, no decision yet: ${v.detail}`);
          out(`log ${v.checkpoint.origin} at size ${v.checkpoint.size}, signed by ${v.verifierKey}`);
          printWitnesses(v.witnesses);
        } else out(`INVALID: ${v.reason}`);
        process.exitCode = v.valid ? 0 : 1;
        return;
      }
      const verdict = checked.verdict;
      if (o.state && checked.resume) saveState(o.state, checked.resume);
      if (o.json) {
        json(checked.resume ? { ...verdict, resume: checked.resume.note } : verdict);
      } else if (verdict.valid) {
        out(`VALID: ${verdict.count} of ${verdict.rosterSize} members signed "${verdict.title}"`);
        out(`named: ${verdict.named.length ? verdict.named.join(', ') : '(none)'}`);
        if (verdict.sealed.total) {
          const why = { none: '', 'below-threshold': ' — below the reveal threshold, these names stay sealed for good', pending: ' — the threshold was met but this bundle holds fewer than k trustees’ partials (not yet revealed, or left out)', revealed: '' }[verdict.sealed.status];
          out(`sealed: ${verdict.sealed.total} (revealed ${verdict.sealed.revealed}, still sealed ${verdict.sealed.stillSealed})${why}${verdict.revealed.length ? `: ${verdict.revealed.join(', ')}` : ''}`);
          for (const reason of verdict.sealed.invalid) out(`sealed name invalid, counted but naming nobody: ${reason}`);
          for (const m of verdict.trustees.misbehaving) out(`trustee ${m.trustee} misbehaved: ${m.reason}`);
        }
        out(`${verdict.records} records checked; letter ${verdict.letterId}`);
        out(`log ${verdict.checkpoint.origin} at size ${verdict.checkpoint.size}, signed by ${verdict.verifierKey}`);
        printWitnesses(verdict.witnesses);
        if (!o.key) out('(compare that key with the one the organizer published, or pass it with --key)');
      } else {
        out(`INVALID: ${verdict.reason}`);
      }
      if (checked.resume && !o.json) {
        const n = checked.resume.note;
        out(n.mode === 'resumed' ? `resumed: ${n.reason}; ${n.reused} record proofs verified in an earlier run` : `full verification: ${n.reason}`);
      }
      process.exitCode = verdict.valid ? 0 : 1;
    });
}

export type FileVerdict = { kind: 'letter'; verdict: BundleVerdict; resume?: { note: ResumeNote; state: VerifyState | null } } | { kind: 'procedure'; verdict: ProcedureVerdict };

/**
 * Verify a parsed result file, a letter's or a procedure's, as `undersigned verify` does (proofs
 * over a worker pool, the roster tree on every core, a progress bar on standard error).
 */
export async function verifyParsed(parsed: unknown, o: { key?: string; expectedWitnesses?: WitnessPolicy; /** A state file's JSON (null: none yet) to resume from. */ state?: unknown }): Promise<FileVerdict> {
  if ((parsed as { format?: unknown })?.format === PROCEDURE_BUNDLE_FORMAT) {
    if (o.state !== undefined) throw new CliError('usage', '--state resumes letter bundles only; verify a procedure bundle without it', 2);
    const votes = Array.isArray((parsed as { votes?: unknown })?.votes) ? (parsed as { votes: unknown[] }).votes.length : 0;
    const bar = new Progress('verifying votes', votes);
    const rootOf = (await import('../../node/roster-tree-pool.ts')).rootOfLeavesParallel;
    const notice = (parsed as { notice?: { records?: unknown } })?.notice;
    const proofs = await proofVerifier(votes + (Array.isArray(notice?.records) ? notice.records.length : 0));
    const verdict = await verifyProcedureBundle(parsed, { keys: nodeVerificationKeys, expectedVerifierKey: o.key, expectedWitnesses: o.expectedWitnesses, onProgress: (d) => bar.tick(d), rootOf, verifyProofs: proofs.verifyProofs }).finally(proofs.close);
    await releaseSnarkjs();
    return { kind: 'procedure', verdict };
  }
  const records = Array.isArray((parsed as { records?: unknown })?.records) ? (parsed as { records: unknown[] }).records.length : 0;
  const progress = new Progress('verifying', records);
  // Record proofs are verified in batches, over a worker pool for a large bundle (verify-pool.ts).
  const proofs = await proofVerifier(records);
  // A large roster's tree is hashed on every core (roster-tree-pool.ts).
  const rootOf = (await import('../../node/roster-tree-pool.ts')).rootOfLeavesParallel;
  const options = { keys: nodeVerificationKeys, expectedVerifierKey: o.key, expectedWitnesses: o.expectedWitnesses, onProgress: (d: number) => progress.tick(d), verifyProofs: proofs.verifyProofs, rootOf };
  if (o.state !== undefined) {
    const { verifyBundleResuming } = await import('../../core/bundle/resume.ts');
    const r = await verifyBundleResuming(parsed, o.state, options).finally(proofs.close);
    await releaseSnarkjs();
    if ('refused' in r) throw new CliError(r.refused.code, r.refused.reason, r.refused.code === 'log_not_consistent' ? 1 : 2);
    return { kind: 'letter', verdict: r.verdict, resume: { note: r.note, state: r.state } };
  }
  const verdict = await verifyBundle(parsed, options).finally(proofs.close);
  await releaseSnarkjs();
  return { kind: 'letter', verdict };
}

/** A state file's JSON, or null when it does not exist yet (a first run creates it). */
function readState(file: string): unknown {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError('verify_state_corrupt', `the state file ${file} is not JSON (${(e as Error).message}): restore it, or verify without it`, 2);
  }
}

/** Write the new state atomically (only the owner may read it: it is this verifier's own record). */
function saveState(file: string, resume: { state: VerifyState | null }): void {
  if (!resume.state) return;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(resume.state)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** The policy given with --witness and --witness-quorum, or undefined. */
export function expectedPolicy(keys: string[] | undefined, quorum: number | undefined): WitnessPolicy | undefined {
  if (!keys?.length) {
    if (quorum !== undefined) throw new CliError('usage', '--witness-quorum goes with --witness', 2);
    return undefined;
  }
  const k = quorum ?? keys.length;
  if (k > keys.length) throw new CliError('usage', `--witness-quorum ${k} is more than the ${keys.length} witnesses given`, 2);
  return { quorum: k, witnesses: keys };
}

function printWitnesses(w: WitnessSummary | null): void {
  if (w === null) {
    out('witnesses: none named — nobody independent vouches that this log shows everyone the same history');
    return;
  }
  out(`witnesses: ${w.cosigned} of ${w.witnesses.length} cosigned the checkpoint (${w.quorum} needed)`);
  for (const r of w.witnesses) out(`  ${r.cosigned ? 'cosigned' : 'missing '}  ${r.verifierKey}${r.timestamp !== undefined ? `  at ${new Date(r.timestamp * 1000).toISOString()}` : ''}`);
}
