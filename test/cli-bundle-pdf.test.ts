/**
 * `undersigned bundle pdf` (src/cli/commands/bundle.ts): verifies the result file first, writes
 * the same bytes as src/document/delivery.ts makes, and for a file that does not verify writes
 * nothing and says why (exit 1), like `undersigned verify`.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../src/core/bundle/bundle.ts';
import { deliveryDocument } from '../src/document/delivery.ts';
import { nodeVerificationKeys, releaseSnarkjs } from '../src/node/artifacts.ts';
import { documentFont } from '../src/node/document-font.ts';
import { pdfText } from './support/pdf.ts';
import { STACK_LINE, runCli } from './support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-pdf-cli-'));
const good = join(import.meta.dirname, 'fixtures/documents/accented-names.json');
const bad = join(import.meta.dirname, 'fixtures/bad-bundles/a-record-dropped.json');
const site = 'https://letters.example.org';
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await releaseSnarkjs();
});

describe('undersigned bundle pdf', () => {
  it('writes the document of a valid file, in French on request: the bytes the shared module makes', async () => {
    const out = join(dir, 'letter-fr.pdf');
    const r = await runCli(['bundle', 'pdf', good, '--out', out, '--lang', 'fr', '--server', site]);
    expect(r.code, r.stderr).toBe(0);
    const bytes = new Uint8Array(readFileSync(good));
    expect(r.stdout).toContain(sha(bytes));
    const pdf = new Uint8Array(readFileSync(out));
    expect((await pdfText(pdf)).replace(/[\s\u00a0]+/g, ' ')).toContain('5 membres sur 12 ont signé');
    const verdict = await verifyBundle(JSON.parse(new TextDecoder().decode(bytes)), { keys: nodeVerificationKeys });
    const made = await deliveryDocument({ bundle: bytes, verdict, lang: 'fr', font: documentFont(), site });
    expect(made.ok && sha(made.pdf)).toBe(sha(pdf));
  }, 120_000);

  it('a file that does not verify: no document, the reason, exit 1', async () => {
    const out = join(dir, 'bad.pdf');
    const r = await runCli(['bundle', 'pdf', bad, '--out', out, '--server', site]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no document for a result file that does not verify: .+ \[bundle_invalid\]/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('a pinned log key that is not the file’s: no document', async () => {
    const out = join(dir, 'other-key.pdf');
    const r = await runCli(['bundle', 'pdf', good, '--out', out, '--server', site, '--key', 'other.invalid/log+00000000+AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[bundle_invalid]');
    expect(existsSync(out)).toBe(false);
  }, 120_000);

  it('usage errors: a site that is not an address, an unknown language, no site', async () => {
    const out = join(dir, 'usage.pdf');
    const notUrl = await runCli(['bundle', 'pdf', good, '--out', out, '--server', 'letters.example.org']);
    expect(notUrl.code).toBe(2);
    expect(notUrl.stderr).toContain('[bad_site]');
    expect((await runCli(['bundle', 'pdf', good, '--out', out, '--server', site, '--lang', 'de'])).code).toBe(2);
    expect((await runCli(['bundle', 'pdf', good, '--out', out])).code).toBe(2); // runCli drops UNDERSIGNED_SERVER
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});
