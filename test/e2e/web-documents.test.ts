/**
 * The documents of issue #15 in a real Chromium: the enrollment sheet's QR codes (one per member,
 * decoded from the screen and from the sheet's PDF; the decoded address opens the enrollment page
 * with the code filled in, and opening it spends nothing), the warning before leaving a tab that
 * holds codes, and the delivery document of a closed letter, made in the browser from the result
 * file it verified: the same bytes as the Node code makes, its text read back, its first page
 * rendered by pdf.js in Chromium (screenshot under test-results/screenshots/) and its QR code
 * decoded from that rendering; a result file that does not verify gives no document but the reason.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../src/core/bundle/bundle.ts';
import { bytesToHex, sha256 } from '../../src/core/encoding.ts';
import { identityFromPrivateKey, type Identity } from '../../src/core/identity/identity.ts';
import { deliveryDocument } from '../../src/document/delivery.ts';
import { enrollmentUrl } from '../../src/document/links.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../../src/node/artifacts.ts';
import { documentFont } from '../../src/node/document-font.ts';
import { decodeQr, decodeQrPng, pdfPageImage, pdfText } from '../support/pdf.ts';
import { openLetter, type World } from '../support/world.ts';
import { addMembers, catalogs, msg, setUp } from './journey.ts';
import { SCREENSHOTS, checkScreen, haveChromium, launchBrowser, newTab, shot, startServer, tempDir, warnIfNoChromium, writeReport, type Server, type Tab } from './support.ts';

warnIfNoChromium('web-documents');

const L = catalogs.en;
const F = catalogs.fr;
const requireFrom = createRequire(import.meta.url);

/** A rectangle of RGBA pixels. */
function cropRgba(image: { data: Uint8ClampedArray; width: number }, r: { x: number; y: number; width: number; height: number }) {
  const data = new Uint8ClampedArray(r.width * r.height * 4);
  for (let row = 0; row < r.height; row++) {
    const start = ((r.y + row) * image.width + r.x) * 4;
    data.set(image.data.subarray(start, start + r.width * 4), row * r.width * 4);
  }
  return { data, width: r.width, height: r.height };
}

/** Render page 1 of a PDF with pdf.js inside Chromium; returns the PNG of the rendered page. */
async function renderInChromium(browser: Browser, pdf: Uint8Array, name: string): Promise<Buffer> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 1300 } });
  const page = await context.newPage();
  const files: Record<string, [string, Buffer | string]> = {
    '/': ['text/html', `<!doctype html><html><body style="margin:0;background:#777"><canvas id="c"></canvas><script type="module">
      import * as pdfjs from '/pdf.mjs';
      pdfjs.GlobalWorkerOptions.workerSrc = '/pdf.worker.mjs';
      const doc = await pdfjs.getDocument('/doc.pdf').promise;
      const page = await doc.getPage(1);
      const viewport = page.getViewport({ scale: 1.5 });
      const c = document.getElementById('c');
      c.width = viewport.width; c.height = viewport.height;
      await page.render({ canvasContext: c.getContext('2d'), viewport }).promise;
      document.body.dataset.done = String(doc.numPages);
    </script></body></html>`],
    '/pdf.mjs': ['text/javascript', readFileSync(requireFrom.resolve('pdfjs-dist/build/pdf.mjs'))],
    '/pdf.worker.mjs': ['text/javascript', readFileSync(requireFrom.resolve('pdfjs-dist/build/pdf.worker.mjs'))],
    '/doc.pdf': ['application/pdf', Buffer.from(pdf)],
  };
  await page.route('http://render.invalid/**', (route) => {
    const [type, body] = files[new URL(route.request().url()).pathname] ?? ['text/plain', 'not found'];
    return route.fulfill({ status: 200, contentType: type, body });
  });
  await page.goto('http://render.invalid/');
  await page.locator('body[data-done]').waitFor({ timeout: 60_000 });
  const png = await page.locator('#c').screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
  await context.close();
  return png;
}

describe.skipIf(!haveChromium)('documents in the browser: the enrollment sheet’s QR codes and the recipient’s PDF', () => {
  let server: Server;
  let browser: Browser;
  let organizer: Tab;
  const screens = new Map<string, string[]>();
  const dir = tempDir();
  const names = ['Geneviève Côté', 'Bob Lee', 'Zoë Ahmed'];
  let codes: Map<string, string>;

  beforeAll(async () => {
    server = await startServer('Caucus du Parti Exemple');
    browser = await launchBrowser();
    organizer = await newTab(browser, { locale: 'en-CA' });
  }, 60_000);

  afterAll(async () => {
    writeReport('axe-documents.json', Object.fromEntries(screens));
    await browser?.close();
    await server?.close();
    await releaseSnarkjs();
  });

  it('the sheet shows a QR code per member, offers the sheet as a PDF the moment codes are made, and asks before the tab is closed', async () => {
    const { page } = organizer;
    await setUp(page, server, L, 'Caucus du Parti Exemple', screens, 'documents');
    await addMembers(page, L, names[0], names.slice(1), dir);
    // The roster page offers the sheet at once, next to the notice that the codes live in this tab only.
    await page.getByTestId('download-sheet').first().waitFor();
    await page.getByRole('link', { exact: true, name: L['organizer.navCodes'] }).click();
    await page.getByRole('heading', { level: 1, name: L['codes.title'] }).waitFor();
    const slips = page.locator('.slip');
    expect(await slips.count()).toBe(3);
    codes = new Map();
    for (let i = 0; i < 3; i++) {
      const slip = slips.nth(i);
      const name = (await slip.locator('.slip-name').textContent())!;
      const code = (await slip.getByTestId('enrollment-code').textContent())!;
      codes.set(name, code);
      // The QR code as the screen shows it, decoded from its pixels.
      const decoded = await decodeQrPng(await slip.getByTestId('enrollment-qr').screenshot());
      expect(decoded).toBe(enrollmentUrl(server.url, code));
      expect(new URL(decoded!).pathname).toBe('/enroll');
      expect(new URL(decoded!).search).toBe('');
    }
    expect([...codes.keys()].sort()).toEqual([...names].sort());
    await checkScreen(page, 'documents-enrollment-sheet', screens);
    expect(screens.get('documents-enrollment-sheet')).toEqual([]);

    // The sheet as a PDF: every name and code in its text, and each QR code decodes to its slip's address.
    const download = page.waitForEvent('download');
    await page.getByTestId('download-sheet').click();
    const file = join(dir, 'sheet.pdf');
    await (await download).saveAs(file);
    const pdf = new Uint8Array(readFileSync(file));
    const text = (await pdfText(pdf)).replace(/\s+/g, ' ');
    for (const [name, code] of codes) {
      expect(text).toContain(name);
      expect(text).toContain(code);
    }
    // Three slips to a page, each QR code at the slip's top left: decoded one slip at a time.
    const scale = 2;
    const image = await pdfPageImage(pdf, 1, scale);
    const slipHeight = (841.89 - 56 - 80) / 3;
    const found = [0, 1, 2].map((i) => {
      const crop = cropRgba(image, { x: 40 * scale, y: Math.round((56 + i * slipHeight - 4) * scale), width: 190 * scale, height: 190 * scale });
      return decodeQr(crop.data, crop.width, crop.height);
    });
    // The slips are in the order of the sheet on screen.
    expect(found).toEqual([...codes.values()].map((c) => enrollmentUrl(server.url, c)));
    await renderInChromium(browser, pdf, 'documents-enrollment-sheet-pdf');

    // Closing the tab while it holds codes asks first.
    const dialog = new Promise<string>((resolve) => page.once('dialog', (d) => (resolve(d.type()), void d.dismiss())));
    await page.close({ runBeforeUnload: true });
    expect(await dialog).toBe('beforeunload');
    expect(page.isClosed()).toBe(false);
    expect(organizer.problems).toEqual([]);
  }, 180_000);

  it('a decoded QR code opens the enrollment page with the code filled in; opening it spends nothing, enrolling does', async () => {
    const code = codes.get('Geneviève Côté')!;
    const url = enrollmentUrl(server.url, code);
    const member = await newTab(browser, { locale: 'fr-CA', viewport: 'phone' });
    const requests: string[] = [];
    member.context.on('request', (r) => requests.push(r.url()));
    // Scanned twice (each scan opens a new tab): the code still works afterwards.
    const first = await member.context.newPage();
    for (const page of [first, member.page]) {
      await page.goto(url);
      await page.getByText(F['enroll.codeFromLink']).waitFor();
      expect(await page.getByLabel(F['enroll.code'], { exact: true }).inputValue()).toBe(code);
      // The code left the address bar (and the history), and no request carried it.
      expect(new URL(page.url()).hash).toBe('');
    }
    await first.close();
    await checkScreen(member.page, 'documents-enroll-from-qr-fr-phone', screens);
    expect(requests.filter((r) => r.includes(code) || r.includes(code.replace(/-/g, '')))).toEqual([]);
    const enrolled = async () => (await server.instance.roster.current()).snapshot.members.find((m) => m.name === 'Geneviève Côté')?.commitment ?? null;
    expect(await enrolled()).toBe(null);

    const passphrase = 'correct horse battery staple';
    const { page } = member;
    await page.getByLabel(F['enroll.pass'], { exact: true }).fill(passphrase);
    await page.getByLabel(F['enroll.pass2'], { exact: true }).fill(passphrase);
    await page.getByRole('button', { exact: true, name: F['enroll.make'] }).click();
    await page.getByRole('heading', { name: F['enroll.backupTitle'] }).waitFor({ timeout: 60_000 });
    const download = page.waitForEvent('download');
    await page.getByRole('button', { exact: true, name: F['enroll.download'] }).click();
    const backup = join(dir, 'backup.json');
    await (await download).saveAs(backup);
    await page.getByRole('button', { exact: true, name: F['enroll.saved'] }).click();
    await page.getByLabel(F['enroll.backupFile'], { exact: true }).setInputFiles(backup);
    await page.getByLabel(F['enroll.pass'], { exact: true }).fill(passphrase);
    await page.getByRole('button', { exact: true, name: F['enroll.confirm'] }).click();
    await page.getByText(msg(F, 'enroll.done', { name: 'Geneviève Côté' })).waitFor({ timeout: 60_000 });
    expect(await enrolled()).not.toBe(null);
    expect(member.problems).toEqual([]);
  }, 180_000);

  describe('the delivery document of a closed letter', () => {
    let id: string;
    let bundleText: string;

    beforeAll(async () => {
      // Four more members enrolled in-process, a letter proposed and signed with real proofs, closed.
      const added = await server.instance.enrollment.addMembers(['Élise Gagnon', 'Marc Roy', 'Ana Silva', 'Tom Bell'].map((name) => ({ name })));
      const identities: Identity[] = [];
      for (const a of added) {
        const identity = identityFromPrivateKey(new Uint8Array(randomBytes(32)));
        await server.instance.enrollment.enroll(a.code, identity.commitment.toString());
        identities.push(identity);
      }
      const world = { instance: server.instance, identities } as unknown as World;
      const letter = await openLetter(world, {
        title: 'Demande d’examen de la direction',
        recipient: 'La présidente du caucus',
        text: 'Nous demandons un examen de la direction.\n\nWe ask for a leadership review.',
        deadline: '2027-06-01T17:00:00Z',
      });
      id = letter.id;
      await letter.sign(0, { action: 'support', seq: 1, display: 'named' });
      await letter.sign(1, { action: 'support', seq: 1, display: 'anonymous' });
      await letter.sign(2, { action: 'support', seq: 1, display: 'anonymous' });
      await server.instance.letters.close(id);
      bundleText = await (await fetch(`${server.url}/api/letters/${id}/bundle`)).text();
    }, 240_000);

    for (const lang of ['en', 'fr'] as const) {
      it(`${lang}: the letter page makes the document from the result file it verified: the same bytes as Node makes, the count and the names readable, the QR code decodable from Chromium’s rendering`, async () => {
        const tab = await newTab(browser, { locale: lang === 'fr' ? 'fr-CA' : 'en-CA' });
        await tab.page.goto(`${server.url}/letters/${id}`);
        await tab.page.getByTestId('letter-document').waitFor({ timeout: 60_000 });
        await checkScreen(tab.page, `documents-letter-closed-${lang}`, screens);
        const download = tab.page.waitForEvent('download', { timeout: 120_000 });
        await tab.page.getByTestId('download-document').click();
        const file = join(dir, `letter-${lang}.pdf`);
        await (await download).saveAs(file);
        const pdf = new Uint8Array(readFileSync(file));

        // What `undersigned bundle pdf` (the same module, in Node) makes of the same file: the same bytes.
        const verdict = await verifyBundle(JSON.parse(bundleText), { keys: nodeVerificationKeys });
        const node = await deliveryDocument({ bundle: new TextEncoder().encode(bundleText), verdict, lang, font: documentFont(), site: server.url });
        expect(node.ok && bytesToHex(sha256(node.pdf))).toBe(bytesToHex(sha256(pdf)));

        const text = (await pdfText(pdf)).replace(/[\s\u00a0]+/g, ' ');
        const m = verdict.valid ? verdict.rosterSize : -1;
        expect(text).toContain(lang === 'en' ? `3 of ${m} members signed` : `3 membres sur ${m} ont signé`);
        expect(text).toContain('Élise Gagnon');
        expect(text).toContain('Demande d’examen de la direction');
        const hash = bytesToHex(sha256(new TextEncoder().encode(bundleText)));
        expect(text).toContain(hash);

        const png = await renderInChromium(browser, pdf, `documents-letter-pdf-page1-${lang}`);
        expect(await decodeQrPng(png)).toBe(`${server.url}/verify#sha256=${hash}`);
        expect(tab.problems).toEqual([]);
        await tab.context.close();
      }, 240_000);
    }

    it('the verify page opened from the QR code says whether the dropped file is the one the document describes', async () => {
      const tab = await newTab(browser, { locale: 'en-CA' });
      const good = join(dir, 'bundle.json');
      writeFileSync(good, bundleText);
      const other = join(dir, 'bundle-reformatted.json');
      writeFileSync(other, JSON.stringify(JSON.parse(bundleText), null, 2));
      const hash = bytesToHex(sha256(new TextEncoder().encode(bundleText)));
      await tab.page.goto(`${server.url}/verify#sha256=${hash}`);
      await tab.page.getByText(L['verify.ready']).waitFor({ timeout: 60_000 });
      await tab.page.getByTestId('verify-expected').waitFor();
      await tab.page.getByLabel(L['verify.drop'], { exact: true }).setInputFiles(good);
      await tab.page.getByTestId('verify-expected-match').waitFor({ timeout: 120_000 });
      await tab.page.getByTestId('verdict').waitFor({ timeout: 120_000 });
      await shot(tab.page, 'documents-verify-expected-match');
      // The same content, other bytes: valid, but not the file the document names.
      await tab.page.getByLabel(L['verify.drop'], { exact: true }).setInputFiles(other);
      await tab.page.getByTestId('verify-expected-other').waitFor({ timeout: 120_000 });
      expect(tab.problems).toEqual([]);
      await tab.context.close();
    }, 240_000);

    it('a result file that does not verify gives no document, only the reason', async () => {
      const tab = await newTab(browser, { locale: 'en-CA' });
      const tampered = JSON.parse(bundleText);
      tampered.result.count += 1;
      await tab.page.route(`${server.url}/api/letters/${id}/bundle`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(tampered) }));
      let downloads = 0;
      tab.page.on('download', () => downloads++);
      await tab.page.goto(`${server.url}/letters/${id}`);
      await tab.page.getByTestId('letter-document').waitFor({ timeout: 60_000 });
      await tab.page.getByTestId('download-document').click();
      const refused = tab.page.getByTestId('document-refused');
      await refused.waitFor({ timeout: 120_000 });
      expect(await refused.textContent()).toContain('the bundle claims 4 signatures; the records give 3');
      await tab.page.getByText(L['document.refused']).waitFor();
      expect(downloads).toBe(0);
      await tab.context.close();
    }, 240_000);
  });
});
