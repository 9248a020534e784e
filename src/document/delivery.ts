/**
 * The delivery document (issue #15): the PDF a letter's recipient, or a procedure's, is handed.
 * It is made only from a result file and the verdict a verifier gave on exactly that file
 * (src/core/bundle/): `undersigned bundle pdf` and the letter and verify pages of the web app call
 * this one function after verifying, so the CLI and the browser write the same bytes.
 *
 * A letter: its title, recipient and full text; "N of M members signed" at the close, with the
 * deadline; the named signers; the sealed names revealed, or why none was; the log checkpoint;
 * the file's SHA-256, in hex and as fingerprint words (docs/protocol.md §1.1); a QR code of the
 * verify page's address with that hash; how to check it all independently. A procedure: the same
 * for its ballot (question, tally, rule and its source, decision) and its notice letter.
 *
 * Pure: the font's bytes are given (the CLI reads them from the dejavu-fonts-ttf package, the
 * browser fetches the same file from the app), nothing reads a clock, and the same inputs give the
 * same bytes.
 */
import { PRESETS, decideProcedure } from '../core/ballot/procedures.ts';
import type { BundleVerdict } from '../core/bundle/bundle.ts';
import { parseBundle } from '../core/bundle/bundle.ts';
import { type ProcedureVerdict, ProcedureBundleSchema } from '../core/bundle/procedure-bundle.ts';
import { bytesToHex, sha256 } from '../core/encoding.ts';
import { fingerprintWords } from '../core/fingerprint-words.ts';
import type { WitnessSummary } from '../core/log/cosignature.ts';
import { type Check, fail, pass } from '../core/result.ts';
import { verifyPageUrl } from './links.ts';
import { PdfWriter } from './pdf-writer.ts';
import { qrMatrix } from './qr.ts';
import { type DocumentLanguage, documentText, instantText, numberText, optionText, outcomeText, ruleText } from './strings.ts';

export type VerifiedLetter = Extract<BundleVerdict, { valid: true }>;
export type VerifiedProcedure = Extract<ProcedureVerdict, { valid: true }>;

export interface DeliveryInput {
  /** The result file's exact bytes: the recipient gets this file, and the document names its SHA-256. */
  bundle: Uint8Array;
  /** What a verifier said of exactly these bytes (verifyBundle or verifyProcedureBundle). */
  verdict: BundleVerdict | ProcedureVerdict;
  lang: DocumentLanguage;
  /** A TrueType font's bytes (DejaVu Sans): it covers French and most Latin, Greek and Cyrillic names. */
  font: Uint8Array;
  /** The instance's public address (https://…): the QR code opens `<site>/verify#sha256=<hash>`. */
  site: string;
}

/**
 * The delivery document of a verified result file, or why there is none: the verdict is not
 * valid (its reason), it is not a verdict on these bytes, or the site is not an http(s) address.
 */
export async function deliveryDocument(input: DeliveryInput): Promise<Check<{ pdf: Uint8Array; sha256: string }>> {
  const { verdict } = input;
  if (!verdict.valid) return fail('bundle_invalid', `no document for a result file that does not verify: ${verdict.reason}`);
  if (!/^https?:\/\/[^\s/?#]+(?:\/[^\s?#]*)?$/.test(input.site)) return fail('bad_site', `the site must be the instance's address, like https://letters.example.org, not "${input.site}"`);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(input.bundle));
  } catch {
    return fail('verdict_mismatch', 'the result file is not JSON, so the verdict cannot be about it');
  }
  const hash = bytesToHex(sha256(input.bundle));
  const url = verifyPageUrl(input.site, hash);
  if ('letterId' in verdict) {
    const parsed = parseBundle(json);
    if (!parsed.ok || parsed.bundle.letterId !== verdict.letterId || checkpointSize(parsed.bundle.log.checkpoint) !== verdict.checkpoint.size) {
      return fail('verdict_mismatch', 'the verdict is not about this result file (another letter or another checkpoint)');
    }
    const b = parsed.bundle;
    const letter = b.opened.entry.kind === 'letter-opened' ? b.opened.entry.letter : null;
    if (!letter) return fail('verdict_mismatch', 'the result file holds no letter');
    return pass({ pdf: await letterPdf(input, verdict, { text: letter.text, deadline: letter.deadline, closedAt: b.closed.index, threshold: letter.revealThreshold, committee: letter.committee }, hash, url), sha256: hash });
  }
  const parsed = ProcedureBundleSchema.safeParse(json);
  if (!parsed.success || parsed.data.ballotId !== verdict.ballotId || checkpointSize(parsed.data.log.checkpoint) !== verdict.checkpoint.size) {
    return fail('verdict_mismatch', 'the verdict is not about this result file (another ballot or another checkpoint)');
  }
  const p = parsed.data;
  const ballot = p.opened.entry.kind === 'ballot-opened' ? p.opened.entry.ballot : null;
  if (!ballot) return fail('verdict_mismatch', 'the result file holds no ballot');
  const noticeLetter = p.notice?.opened.entry.kind === 'letter-opened' ? p.notice.opened.entry.letter : null;
  return pass({ pdf: await procedurePdf(input, verdict, { deadline: ballot.deadline, closedAt: p.closed.index, notice: noticeLetter }, hash, url), sha256: hash });
}

function checkpointSize(note: string): number {
  return Number(note.split('\n')[1]);
}

interface LetterFacts {
  text: string;
  deadline: string;
  closedAt: number;
  threshold: number;
  committee?: { k: number; n: number };
}

async function letterPdf(input: DeliveryInput, v: VerifiedLetter, f: LetterFacts, hash: string, url: string): Promise<Uint8Array> {
  const { lang } = input;
  const t = (key: Parameters<typeof documentText>[1], vars?: Parameters<typeof documentText>[2]) => documentText(lang, key, vars);
  const w = await PdfWriter.create(input.font, { title: v.title, lang: lang === 'fr' ? 'fr-CA' : 'en-CA', subject: t('letter.count', { n: v.count, m: v.rosterSize }) });
  w.text(t('letter.kind'), { size: 9, muted: true });
  w.text(v.title, { size: 18, before: 2, leading: 1.25 });
  w.text(t('letter.to', { recipient: v.recipient }), { size: 11, before: 4 });
  w.text(t(lang === 'fr' && v.count <= 1 ? 'letter.count.one' : 'letter.count', { n: v.count, m: v.rosterSize }), { size: 16, before: 12 });
  w.text(t('letter.closed', { index: f.closedAt, deadline: instantText(lang, f.deadline) }), { size: 9.5, muted: true, before: 2 });

  w.heading(t('letter.text'));
  w.text(f.text);

  w.heading(t('letter.named'));
  if (v.named.length === 0) w.text(t('letter.namedNone'));
  else {
    w.text(t(lang === 'fr' && v.named.length === 1 ? 'letter.namedCount.one' : 'letter.namedCount', { n: v.named.length, count: v.count }));
    for (const name of v.named) w.text(name, { indent: 14 });
  }

  if (f.committee || v.sealed.total > 0) {
    w.heading(t('sealed.title'));
    if (f.committee) w.text(t('sealed.rule', { t: f.threshold, k: f.committee.k, n: f.committee.n }), { size: 9.5, muted: true });
    const s = v.sealed;
    const vars = { t: f.threshold, s: s.stillSealed };
    if (s.status === 'none') w.text(t('sealed.none'));
    else if (s.status === 'below-threshold') w.text(t('sealed.notReached', vars));
    else if (s.status === 'pending') w.text(t('sealed.pending', vars));
    else if (v.revealed.length === 0) w.text(t('sealed.revealedNone', vars));
    else {
      w.text(t('sealed.revealed', vars));
      for (const name of v.revealed) w.text(name, { indent: 14 });
    }
    if (s.invalid.length > 0) w.text(t('sealed.invalid', { n: s.invalid.length }), { size: 9.5 });
  }

  checkSection(w, input, { checkpoint: v.checkpoint, verifierKey: v.verifierKey, witnesses: v.witnesses }, hash, url);
  return w.save(`${v.title} — ${t('letter.count', { n: v.count, m: v.rosterSize })}`);
}

interface ProcedureFacts {
  deadline: string;
  closedAt: number;
  notice: { title: string; recipient: string } | null;
}

async function procedurePdf(input: DeliveryInput, v: VerifiedProcedure, f: ProcedureFacts, hash: string, url: string): Promise<Uint8Array> {
  const { lang } = input;
  const t = (key: Parameters<typeof documentText>[1], vars?: Parameters<typeof documentText>[2]) => documentText(lang, key, vars);
  const preset = PRESETS[v.procedure];
  const title = preset ? preset.title[lang] : v.procedure;
  const w = await PdfWriter.create(input.font, { title, lang: lang === 'fr' ? 'fr-CA' : 'en-CA', subject: v.question });
  w.text(t('ballot.kind'), { size: 9, muted: true });
  w.text(title, { size: 18, before: 2, leading: 1.25 });
  w.heading(t('ballot.question'), 11);
  w.text(v.question, { size: 12 });
  w.text(t('ballot.voters', { n: v.voters, m: v.rosterSize }), { size: 16, before: 12 });
  w.text(t('ballot.deadline', { index: f.closedAt, deadline: instantText(lang, f.deadline) }), { size: 9.5, muted: true, before: 2 });

  w.heading(t('ballot.tally'));
  if (!v.tally) w.text(t('ballot.notTallied'));
  else for (const [option, n] of Object.entries(v.tally)) w.text(`${optionText(lang, option)}${lang === 'fr' ? '\u00a0: ' : ': '}${numberText(lang, n)}`, { indent: 14 });
  w.text(v.decision ? t('ballot.decision', { decision: outcomeText(lang, v.decision) }) : t('ballot.noDecision'), { size: 13, before: 8 });

  if (preset) {
    w.heading(t('ballot.rule'));
    const decided = v.tally ? decideProcedure(preset, v.tally, v.rosterSize) : null;
    const needed = decided && preset.rule.kind !== 'plurality' && decided.decision !== 'no-quorum' ? ` ${t('ballot.needed', { n: decided.needed })}` : '';
    const rule = ruleText(lang, preset, v.rosterSize);
    w.text(`${rule.charAt(0).toUpperCase()}${rule.slice(1)}.${needed}`);
    w.text(t('ballot.source', { citation: preset.source.citation }) + (preset.source.url ? ` — ${preset.source.url}` : ''), { size: 9.5, muted: true, before: 4 });
  }
  w.text(t('ballot.detail', { detail: v.detail }), { size: 9, muted: true, before: 4 });

  if (v.notice && f.notice) {
    w.heading(t('ballot.notice'));
    w.text(t('ballot.noticeText', { title: f.notice.title, recipient: f.notice.recipient, n: v.notice.count, m: v.notice.rosterSize, needed: v.notice.needed }));
  }
  if (v.recorded && v.recorded.length > 0) {
    w.heading(t('ballot.recorded'));
    for (const r of v.recorded) w.text(`${r.name} — ${optionText(lang, r.choice)}`, { indent: 14 });
  }

  checkSection(w, input, { checkpoint: v.checkpoint, verifierKey: v.verifierKey, witnesses: v.witnesses }, hash, url);
  return w.save(`${title} — ${v.decision ? outcomeText(lang, v.decision) : t('ballot.noDecision')}`);
}

/** The log checkpoint, the file's hash, the QR code and how to check: the same for letters and procedures. */
function checkSection(
  w: PdfWriter,
  input: DeliveryInput,
  log: { checkpoint: { origin: string; size: number; rootHash: string }; verifierKey: string; witnesses: WitnessSummary | null },
  hash: string,
  url: string,
): void {
  const { lang } = input;
  const t = (key: Parameters<typeof documentText>[1], vars?: Parameters<typeof documentText>[2]) => documentText(lang, key, vars);
  const qr = qrMatrix(url);
  // The section stays on one page: the QR code, the hash and the paragraph belong together.
  w.room(330);
  w.heading(t('check.title'));
  w.qr(qr, 2.4, [t('check.qr'), url]);
  w.text(t('check.fileHash'), { size: 9.5, before: 6 });
  w.text(hash, { size: 9, indent: 14 });
  w.text(t('check.fileWords'), { size: 9.5 });
  w.text(fingerprintWords(hash, lang).join(' '), { size: 11, indent: 14 });
  w.text(t('check.log', { origin: log.checkpoint.origin, size: log.checkpoint.size }), { size: 9.5, before: 4 });
  w.text(fingerprintWords(log.checkpoint.rootHash, lang).join(' '), { size: 11, indent: 14 });
  w.text(t('check.key'), { size: 9.5 });
  w.text(log.verifierKey, { size: 8, indent: 14 });
  w.text(log.witnesses ? t('check.witnesses', { c: log.witnesses.cosigned, w: log.witnesses.witnesses.length, q: log.witnesses.quorum }) : t('check.noWitnesses'), { size: 9.5 });
  w.text(t('check.how'), { size: 9.5, before: 8 });
}
