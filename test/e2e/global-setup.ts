/**
 * Before any test file: build the web app (dist/web) when it is missing or older than its
 * sources, so the browser tests — and the server's front page — serve what the sources say.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const ROOT = resolve(import.meta.dirname, '../..');

function newest(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newest(join(path, name))), s.mtimeMs);
}

export default async function setup(): Promise<void> {
  const index = join(ROOT, 'dist/web/index.html');
  const sources = Math.max(newest(join(ROOT, 'src/web')), newest(join(ROOT, 'src/core')), newest(join(ROOT, 'src/document')), newest(join(ROOT, 'vite.config.ts')), newest(join(ROOT, 'vite.verifier.config.ts')), newest(join(ROOT, 'package-lock.json')));
  // The verifier in one file is built after the app (vite.config.ts): both must be there and fresh.
  const verifier = join(ROOT, 'dist/verifier/undersigned-verify.html');
  if (existsSync(index) && existsSync(verifier) && Math.min(statSync(index).mtimeMs, statSync(verifier).mtimeMs) > sources) return;
  process.stderr.write('building the web app (vite build) for the tests…\n');
  await build({ configFile: join(ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
