/**
 * An instance put online (docs/deploy.md): the public URL the setup link is printed with,
 * Strict-Transport-Security when that URL is HTTPS (the strict CSP kept), and `serve` refusing
 * plain HTTP beyond loopback unless --insecure-http: a browser gives a page WebCrypto only in a
 * secure context, and the setup link is the organizer's credential.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/errors.ts';
import { isLoopbackHost, servingAddress } from '../src/cli/public-url.ts';
import { STRICT_TRANSPORT_SECURITY, buildApp } from '../src/server/app.ts';
import type { Instance } from '../src/server/instance.ts';
import { openOrInit } from '../src/server/open.ts';
import { CONTENT_SECURITY_POLICY } from '../src/server/web.ts';
import { STACK_LINE, bin, root } from './support/processes.ts';

let dir: string;
const children = new Set<ChildProcess>();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'undersigned-serve-'));
});
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Run `undersigned serve --port 0 ...args` (without the caller's PORT, HOST, UNDERSIGNED_PUBLIC_URL) until it prints its setup link, then stop it; or until it exits. */
function serveUntilReady(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const k of ['PORT', 'HOST', 'UNDERSIGNED_PUBLIC_URL']) delete env[k];
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${stdout}\n${stderr}`)), 60_000);
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (stdout.includes('(opening the link does not use it up')) child.kill('SIGTERM');
    });
    child.on('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

describe('the public URL and plain HTTP (servingAddress)', () => {
  const refusal = (o: Parameters<typeof servingAddress>[0]) => {
    try {
      servingAddress(o);
    } catch (e) {
      return e instanceof CliError ? e.code : 'not a CliError';
    }
    return null;
  };

  it('loopback is localhost, 127.0.0.0/8 and ::1, nothing else', () => {
    for (const h of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.10', 'caucus.example.org', '127.0.0.1.example.org', 'localhost.example.org']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('plain HTTP on loopback is allowed, with the address listened on as public URL', () => {
    expect(servingAddress({ host: '127.0.0.1', port: 3000 })).toEqual({ publicUrl: 'http://127.0.0.1:3000', https: false, warnings: [] });
  });

  it('an HTTPS public URL is allowed whatever the server listens on, and turns on HSTS', () => {
    expect(servingAddress({ host: '127.0.0.1', port: 3000, publicUrl: 'https://caucus.example.org/' })).toEqual({ publicUrl: 'https://caucus.example.org', https: true, warnings: [] });
    expect(servingAddress({ host: '0.0.0.0', port: 3000, publicUrl: 'https://caucus.example.org' }).warnings).toEqual([]);
  });

  it('plain HTTP beyond loopback is refused without --insecure-http', () => {
    expect(refusal({ host: '0.0.0.0', port: 3000 })).toBe('insecure_http');
    expect(refusal({ host: '192.168.1.10', port: 3000 })).toBe('insecure_http');
    expect(refusal({ host: '127.0.0.1', port: 3000, publicUrl: 'http://caucus.example.org' })).toBe('insecure_http');
    expect(refusal({ host: '0.0.0.0', port: 3000, insecureHttp: true })).toBeNull();
  });

  it('a loopback public URL while listening on another interface is warned about', () => {
    const { warnings } = servingAddress({ host: '0.0.0.0', port: 3000, insecureHttp: true });
    expect(warnings.some((w) => w.includes('is a loopback address but the server listens on 0.0.0.0'))).toBe(true);
    expect(servingAddress({ host: '0.0.0.0', port: 3000, publicUrl: 'https://localhost:8443' }).warnings).toHaveLength(1);
  });

  it('a public URL is an http(s) origin, nothing more', () => {
    for (const bad of ['caucus.example.org', 'ftp://caucus.example.org', 'https://caucus.example.org/undersigned', 'https://u:p@caucus.example.org', 'https://caucus.example.org/?a=1']) {
      expect(refusal({ host: '127.0.0.1', port: 3000, publicUrl: bad }), bad).toBe('bad_public_url');
    }
  });
});

describe('undersigned serve', () => {
  it('refuses plain HTTP on a non-loopback address, says why, and creates nothing', async () => {
    const data = join(dir, 'refused');
    const r = await serveUntilReady(['--data', data, '--host', '0.0.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('[insecure_http]');
    expect(r.stderr).toContain('WebCrypto');
    expect(r.stderr).toContain('--insecure-http');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).not.toContain('setup');
    expect(existsSync(data)).toBe(false);
  });

  it('prints the setup link with the public URL', async () => {
    const r = await serveUntilReady(['--data', join(dir, 'public'), '--public-url', 'https://caucus.example.org']);
    expect(r.stdout).toMatch(/one-time setup link for the organizer: https:\/\/caucus\.example\.org\/setup#[A-Za-z0-9_-]{32}\n/);
    expect(r.stderr).not.toContain('warning');
  }, 60_000);

  it('with --insecure-http on every interface, serves and warns that the public URL is loopback', async () => {
    const r = await serveUntilReady(['--data', join(dir, 'insecure'), '--host', '0.0.0.0', '--insecure-http']);
    expect(r.stdout).toMatch(/one-time setup link for the organizer: http:\/\/127\.0\.0\.1:\d+\/setup#/);
    expect(r.stderr).toContain('is a loopback address but the server listens on 0.0.0.0');
    expect(r.stderr).toContain('plain HTTP');
  }, 60_000);
});

describe('security headers', () => {
  let instance: Instance;
  beforeAll(async () => {
    instance = (await openOrInit({ dataDir: join(dir, 'headers') })).instance;
  });
  afterAll(async () => {
    await instance.db.destroy();
  });

  it('HSTS on every response when the public URL is HTTPS, with the strict CSP kept', async () => {
    const app = await buildApp({ instance, log: () => {}, proofBatching: false, https: true });
    for (const url of ['/api/instance', '/', '/no-such-page', '/api/letters/zzz']) {
      const res = await app.inject({ url });
      expect(res.headers['strict-transport-security'], url).toBe(STRICT_TRANSPORT_SECURITY);
      expect(res.headers['content-security-policy'], url).toBe(CONTENT_SECURITY_POLICY);
    }
    await app.close();
  });

  it('no HSTS over plain HTTP (a browser ignores it there, and it would pin localhost)', async () => {
    const app = await buildApp({ instance, log: () => {}, proofBatching: false });
    const res = await app.inject({ url: '/api/instance' });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    await app.close();
  });
});
