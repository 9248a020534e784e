/**
 * The web app as the server serves it (src/server/web.ts): the built files and the app's routes
 * with a strict Content-Security-Policy, the circuit artifacts from node_modules and nothing else,
 * and — when the app is not built — the API still working and a page saying how to build it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/server/app.ts';
import type { Instance } from '../src/server/instance.ts';
import { openOrInit } from '../src/server/open.ts';

let dir: string;
let instance: Instance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-web-'));
  ({ instance } = await openOrInit({ dataDir: join(dir, 'data'), name: 'Web caucus', origin: 'test.invalid/web' }));
});

afterAll(async () => {
  await instance.db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('with the web app built', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    const web = join(dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>app</title><div id="root"></div>');
    writeFileSync(join(web, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(web, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await buildApp({ instance, webDir: web, log: () => {} });
  });

  it("each of the app's routes answers its page, with a strict Content-Security-Policy", async () => {
    for (const url of ['/', '/setup', '/enroll', '/letters', '/letters/new', `/letters/${'a'.repeat(64)}`, '/log', '/verify', '/organizer/codes']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('id="root"');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain("'unsafe-eval'");
      expect(csp).toContain("frame-ancestors 'none'");
    }
  });

  it('built assets are served with a long cache; nothing outside the build is', async () => {
    const js = await app.inject({ url: '/assets/index-abc123.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toContain('text/javascript');
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
    for (const url of ['/assets/missing.js', '/assets/../index.html', '/assets/%2e%2e/%2e%2e/package.json', '/package.json', '/nowhere']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(res.body, url).not.toContain('"name": "undersigned"');
    }
  });

  it('an asset deleted by a rebuild under the running server: 404 with a code, not a 500', async () => {
    writeFileSync(join(dir, 'web', 'assets', 'gone-1.js'), 'console.log(2)');
    const rebuilt = await buildApp({ instance, webDir: join(dir, 'web'), log: () => {} });
    rmSync(join(dir, 'web', 'assets', 'gone-1.js'));
    const res = await rebuilt.inject({ url: '/assets/gone-1.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
    await rebuilt.close();
  });

  it('the Semaphore artifacts of depths 1 to 32 are served from the npm package, and nothing else under /artifacts/', async () => {
    const vkey = await app.inject({ url: '/artifacts/semaphore-8.json' });
    expect(vkey.statusCode).toBe(200);
    expect(JSON.parse(vkey.body)).toMatchObject({ protocol: 'groth16', curve: 'bn128', nPublic: 4 });
    expect(vkey.headers['cache-control']).toContain('max-age');
    const wasm = await app.inject({ url: '/artifacts/semaphore-1.wasm' });
    expect(wasm.statusCode).toBe(200);
    expect(wasm.headers['content-type']).toBe('application/wasm');
    expect(wasm.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
    for (const file of ['semaphore-0.wasm', 'semaphore-33.zkey', 'semaphore-08.json', 'semaphore-8.r1cs', 'package.json', '..%2Fpackage.json']) {
      expect((await app.inject({ url: `/artifacts/${file}` })).statusCode, file).toBe(404);
    }
  });

  it('the verifier in one file is offered as a download (never rendered here), and a clear 404 when it is not built', async () => {
    expect((await app.inject({ url: '/undersigned-verify.html' })).json().error.code).toBe('verifier_not_built');
    mkdirSync(join(dir, 'verifier'), { recursive: true });
    writeFileSync(join(dir, 'verifier', 'undersigned-verify.html'), '<!doctype html><title>verify</title>');
    const res = await app.inject({ url: '/undersigned-verify.html' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('<!doctype html><title>verify</title>');
    expect(res.headers['content-disposition']).toBe('attachment; filename="undersigned-verify.html"');
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    rmSync(join(dir, 'verifier'), { recursive: true });
  });

  it('API answers keep `no-store` and carry the same policy', async () => {
    const res = await app.inject({ url: '/api/instance' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('with the web app not built', () => {
  it('the API works, the pages say how to build the app, and the log says it once', async () => {
    const lines: string[] = [];
    const app = await buildApp({ instance, webDir: join(dir, 'no-such-build'), log: (l) => lines.push(l) });
    expect(lines.join('\n')).toContain('npm run build:web');
    expect((await app.inject({ url: '/api/instance' })).statusCode).toBe(200);
    const page = await app.inject({ url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.body).toContain('npm run build:web');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
  });
});
