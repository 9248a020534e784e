/**
 * `undersigned verifier --out FILE` (issue #15): writes the verifier in one file that the web
 * app's build made (dist/verifier, byte for byte), prints its size and SHA-256; a path it cannot
 * write is a one-line error with a code, exit 2, no stack trace. The file itself is exercised in
 * Chromium by test/e2e/web-verifier-file.test.ts (its global setup builds it).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_VERIFIER_FILE } from '../src/node/verifier-file.ts';
import { STACK_LINE, runCli } from './support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-verifier-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('undersigned verifier', () => {
  it('writes the built file, byte for byte, and prints its size and SHA-256', async () => {
    const out = join(dir, 'verify.html');
    const run = await runCli(['verifier', '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const built = readFileSync(DEFAULT_VERIFIER_FILE);
    const written = readFileSync(out);
    expect(written.equals(built)).toBe(true);
    expect(run.stdout).toContain(`(${statSync(out).size} bytes`);
    expect(run.stdout).toContain(`SHA-256 ${createHash('sha256').update(built).digest('hex')}`);
    // Self-contained: one page, its scripts inline, nothing loaded from a src= or href=.
    const page = written.toString('utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    const markup = page.replace(/<script type="module">[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
    expect(markup.length).toBeLessThan(2_000);
    expect(markup).not.toMatch(/\s(src|href)=/i);
    expect(markup).toContain('<div id="root"></div>');
  });

  it('a path it cannot write: one line with a code, exit 2, nothing written', async () => {
    for (const out of [join(dir, 'no-such-dir', 'verify.html'), dir]) {
      const run = await runCli(['verifier', '--out', out]);
      expect(run.code, out).toBe(2);
      expect(run.stderr).toMatch(/^error: cannot write .* \[file_unwritable\]\n$/);
      expect(run.stderr).not.toMatch(STACK_LINE);
      expect(run.stdout).toBe('');
    }
  });

  it('--out is required', async () => {
    const run = await runCli(['verifier']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--out <file>'");
  });
});
