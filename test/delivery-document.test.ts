/**
 * The delivery document (src/document/delivery.ts, issue #15), read back as a recipient's PDF
 * reader would: the text extracted by pdf.js (pdfjs-dist, Mozilla's reader), the first page
 * rendered by pdf.js and its QR code decoded from the pixels by jsQR. Made from real bundles (the
 * corpus's good bundles and two demo bundles with accented names and a threshold not reached),
 * verified first by the same verifiers as `undersigned verify`.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BundleVerdict, verifyBundle } from '../src/core/bundle/bundle.ts';
import { type ProcedureVerdict, verifyProcedureBundle } from '../src/core/bundle/procedure-bundle.ts';
import { fingerprintWords } from '../src/core/fingerprint-words.ts';
import { deliveryDocument } from '../src/document/delivery.ts';
import { documentFont } from '../src/node/document-font.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { decodeQr, pdfPageImage, pdfText } from './support/pdf.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const SITE = 'https://letters.example.org';
const font = documentFont();

const files = {
  letter: join(FIXTURES, 'bad-bundles/good/letter.json'),
  sealed: join(FIXTURES, 'bad-bundles/good/sealed-letter.json'),
  procedure: join(FIXTURES, 'bad-bundles/good/procedure.json'),
  accented: join(FIXTURES, 'documents/accented-names.json'),
  below: join(FIXTURES, 'documents/sealed-below-threshold.json'),
};
type Name = keyof typeof files;
const bytes = Object.fromEntries(Object.entries(files).map(([k, f]) => [k, new Uint8Array(readFileSync(f))])) as Record<Name, Uint8Array>;
const verdicts = {} as Record<Name, BundleVerdict | ProcedureVerdict>;

beforeAll(async () => {
  for (const name of Object.keys(files) as Name[]) {
    const json = JSON.parse(new TextDecoder().decode(bytes[name]));
    verdicts[name] = name === 'procedure' ? await verifyProcedureBundle(json, { keys: nodeVerificationKeys }) : await verifyBundle(json, { keys: nodeVerificationKeys });
    expect(verdicts[name].valid, name).toBe(true);
  }
}, 120_000);
afterAll(releaseSnarkjs);

async function make(name: Name, lang: 'en' | 'fr') {
  const made = await deliveryDocument({ bundle: bytes[name], verdict: verdicts[name], lang, font, site: SITE });
  if (!made.ok) throw new Error(made.reason);
  return made.pdf;
}

/** The document's text, whitespace (and no-break spaces) folded, so a wrapped line reads as one. */
const flat = (text: string) => text.replace(/[\s\u00a0]+/g, ' ');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('the delivery document of a letter', () => {
  for (const lang of ['en', 'fr'] as const) {
    it(`${lang}: the count, the named signers, the words, the hash and the checkpoint can be read back from the file`, async () => {
      const pdf = await make('accented', lang);
      const text = flat(await pdfText(pdf));
      const v = verdicts.accented as Extract<BundleVerdict, { valid: true }>;
      expect(text).toContain(lang === 'en' ? '5 of 12 members signed' : '5 membres sur 12 ont signé');
      expect(text).toContain('Zoé Hamilton');
      expect(text).toContain('Mark Roy');
      expect(text).toContain(v.title);
      expect(text).toContain(v.recipient);
      // The full text of the letter, in its own words (French included).
      expect(text).toContain('Nous, membres soussignés du caucus');
      const hash = sha256(bytes.accented);
      expect(text).toContain(hash);
      expect(text).toContain(fingerprintWords(hash, lang).join(' '));
      expect(text).toContain(fingerprintWords(v.checkpoint.rootHash, lang).join(' '));
      expect(text).toContain(v.verifierKey);
      expect(text).toContain(lang === 'en' ? 'Deadline for signing: 14 December 2026, 21:19 UTC' : 'Date limite de signature : 14 décembre 2026, 21 h 19 UTC');
    });
  }

  it('the QR code on the rendered first page opens the verify page with the file’s SHA-256', async () => {
    const pdf = await make('accented', 'en');
    const { data, width, height } = await pdfPageImage(pdf, 1, 2);
    expect(decodeQr(data, width, height)).toBe(`${SITE}/verify#sha256=${sha256(bytes.accented)}`);
  });

  it('sealed names revealed are listed (en and fr)', async () => {
    for (const lang of ['en', 'fr'] as const) {
      const text = flat(await pdfText(await make('sealed', lang)));
      expect(text).toContain(lang === 'en' ? 'the trustees revealed these sealed names' : 'les fiduciaires ont révélé ces noms scellés');
      expect(text).toContain('Member A');
      expect(text).toContain('Member B');
    }
  });

  it('a letter that closed below its threshold says no sealed name was revealed (en and fr)', async () => {
    const en = flat(await pdfText(await make('below', 'en')));
    expect(en).toContain('3 of 12 members signed');
    expect(en).toContain('The threshold (8 signatures) was not reached: no sealed name was revealed.');
    expect(en).toContain('Christopher Zhang');
    const fr = flat(await pdfText(await make('below', 'fr')));
    expect(fr).toContain('Le seuil (8 signatures) n’a pas été atteint : aucun nom scellé n’a été révélé.');
    // One named signer: the French verb agrees ("1 des 3 signataires a signé", not "ont signé").
    expect(fr).toMatch(/\b1 des 3 signataires a signé nommément/);
  });

  it('is reproducible: the same file gives the same bytes, with no date in them', async () => {
    const a = await make('letter', 'en');
    const b = await make('letter', 'en');
    expect(sha256(a)).toBe(sha256(b));
    const raw = Buffer.from(a).toString('latin1');
    expect(raw).not.toMatch(/CreationDate|ModDate/);
    expect(sha256(await make('letter', 'fr'))).not.toBe(sha256(a));
  });
});

describe('the delivery document of a procedure', () => {
  for (const lang of ['en', 'fr'] as const) {
    it(`${lang}: the question, the tally, the rule and its source, the decision and the notice can be read back`, async () => {
      const text = flat(await pdfText(await make('procedure', lang)));
      expect(text).toContain('Should the leader of the party be replaced?');
      expect(text).toContain(lang === 'en' ? '4 of 8 members voted' : '4 membres sur 8 ont voté');
      expect(text).toContain(lang === 'en' ? 'Yes: 3' : 'Oui : 3');
      expect(text).toContain(lang === 'en' ? 'No: 1' : 'Non : 1');
      expect(text).toContain(lang === 'en' ? 'Decision: Not removed' : 'Décision : Non destitué');
      expect(text).toContain(lang === 'en' ? 'A majority of all 8 members: 5 “yes” votes' : 'La majorité de tous les 8 membres : 5 votes « oui »');
      expect(text).toContain('Parliament of Canada Act, R.S.C. 1985, c. P-1');
      expect(text).toContain(lang === 'en' ? '2 of 8 members signed; the procedure needed 2' : '2 membres sur 8 ont signé ; la procédure en demandait 2');
      expect(text).toContain(sha256(bytes.procedure));
    });
  }
});

describe('no document without a valid verdict on exactly these bytes', () => {
  it('a bundle that fails verification gives no document, only the reason', async () => {
    const bad = new Uint8Array(readFileSync(join(FIXTURES, 'bad-bundles/a-record-dropped.json')));
    const verdict = await verifyBundle(JSON.parse(new TextDecoder().decode(bad)), { keys: nodeVerificationKeys });
    expect(verdict.valid).toBe(false);
    const made = await deliveryDocument({ bundle: bad, verdict, lang: 'en', font, site: SITE });
    expect(made).toMatchObject({ ok: false, code: 'bundle_invalid' });
    expect(!made.ok && made.reason).toContain(!verdict.valid && verdict.reason);
  });

  it('a valid verdict on another file (or another letter) is refused: the document would describe what nobody verified', async () => {
    const other = await deliveryDocument({ bundle: bytes.letter, verdict: verdicts.accented, lang: 'en', font, site: SITE });
    expect(other).toMatchObject({ ok: false, code: 'verdict_mismatch' });
    const procedureAsLetter = await deliveryDocument({ bundle: bytes.letter, verdict: verdicts.procedure, lang: 'en', font, site: SITE });
    expect(procedureAsLetter).toMatchObject({ ok: false, code: 'verdict_mismatch' });
    const notJson = await deliveryDocument({ bundle: new Uint8Array([0xff, 0x00]), verdict: verdicts.letter, lang: 'en', font, site: SITE });
    expect(notJson).toMatchObject({ ok: false, code: 'verdict_mismatch' });
  });

  it('the site must be an http(s) address (it goes into the QR code)', async () => {
    for (const site of ['javascript:alert(1)', 'letters.example.org', 'https://x.org/?q=1', '']) {
      expect(await deliveryDocument({ bundle: bytes.letter, verdict: verdicts.letter, lang: 'en', font, site })).toMatchObject({ ok: false, code: 'bad_site' });
    }
  });
});
