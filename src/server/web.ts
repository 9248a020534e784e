/**
 * The web app, served by the instance itself: the Vite build in dist/web (hashed assets, and
 * index.html for each of the app's routes), and the Semaphore v4 circuit artifacts from the npm
 * package @zk-kit/semaphore-artifacts under /artifacts/ — so a browser never fetches anything
 * from anyone but this server.
 *
 * Every response carries a strict Content-Security-Policy: scripts only from this origin, no
 * inline script or style, no eval. The one relaxation is 'wasm-unsafe-eval', which lets a page
 * compile WebAssembly (and nothing else: JavaScript eval stays forbidden): the prover (snarkjs'
 * witness calculator and its BN254 arithmetic) and the offline verifier are WebAssembly.
 *
 * When dist/web is missing, the API still runs and the front page says how to build the app.
 */
import { existsSync, readFileSync, readdirSync, statSync, createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { VERIFIER_FILE_NAME } from '../node/verifier-file.ts';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths the single-page app answers (its router lives in src/web/routes.ts). */
const APP_ROUTES = [
  '/',
  '/setup',
  '/organizer',
  '/organizer/codes',
  '/organizer/letters',
  '/enroll',
  '/restore',
  '/unlock',
  '/letters',
  '/letters/new',
  '/letters/:id',
  '/log',
  '/verify',
  '/trustee',
  '/ballots',
  '/ballots/:id',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.zkey': 'application/octet-stream',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export const DEFAULT_WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/web');
const ARTIFACTS_DIR = dirname(createRequire(import.meta.url).resolve('@zk-kit/semaphore-artifacts/package.json'));

export interface WebOptions {
  /** The Vite build output; by default dist/web at the repository root. */
  dir?: string;
  log: (line: string) => void;
}

/** Every file of the build by URL path, listed once at start: nothing outside this set is ever read. */
function listFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`);
      else files.set(`${prefix}${name}`, full);
    }
  };
  walk(root, '/');
  return files;
}

export function registerWeb(app: FastifyInstance, options: WebOptions): { built: boolean } {
  const dir = options.dir ?? DEFAULT_WEB_DIR;
  const indexFile = join(dir, 'index.html');
  const built = existsSync(indexFile);

  // Registered after the app's own onSend hook, so these headers win over its `no-store`.
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    reply.header('Cross-Origin-Resource-Policy', 'same-origin');
    reply.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), interest-cohort=()');
    const url = req.routeOptions.url ?? '';
    if (reply.statusCode === 200 && url === '/assets/*') reply.header('Cache-Control', 'public, max-age=31536000, immutable');
    if (reply.statusCode === 200 && url === '/artifacts/:file') reply.header('Cache-Control', 'public, max-age=604800');
    return payload;
  });

  // --- circuit artifacts: semaphore-<depth>.{wasm,zkey,json}, depth 1..32, from node_modules
  app.get('/artifacts/:file', async (req, reply) => {
    const { file } = req.params as { file: string };
    const m = /^semaphore-([1-9][0-9]?)\.(wasm|zkey|json)$/.exec(file);
    if (!m || Number(m[1]) > 32) {
      return reply.status(404).send({ error: { code: 'not_found', message: 'artifacts are semaphore-<1..32>.wasm, .zkey or .json' } });
    }
    const path = join(ARTIFACTS_DIR, file);
    reply.type(TYPES[`.${m[2]}`]);
    reply.header('Content-Length', statSync(path).size);
    return reply.send(createReadStream(path));
  });

  // --- the verifier in one file (vite.verifier.config.ts, next to the app's build), as a download
  // from the verify page: opened from disk it checks a result file with no server at all. Sent as
  // an attachment, never rendered here (its inline scripts would not run under this CSP anyway).
  const verifierFile = join(dir, '..', 'verifier', VERIFIER_FILE_NAME);
  app.get(`/${VERIFIER_FILE_NAME}`, async (_req, reply) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(verifierFile);
    } catch {
      return reply.status(404).send({ error: { code: 'verifier_not_built', message: 'the verifier in one file is not built: on the server, run `npm run build:web`' } });
    }
    reply.header('Content-Disposition', `attachment; filename="${VERIFIER_FILE_NAME}"`);
    reply.header('X-Content-Type-Options', 'nosniff');
    return reply.type(TYPES['.html']).send(bytes);
  });

  if (!built) {
    options.log(`the web app is not built (no ${indexFile}): run \`npm run build:web\` (npm start does it); the API works meanwhile`);
    const notBuilt = async (_req: unknown, reply: FastifyReply) =>
      reply
        .status(503)
        .type(TYPES['.html'])
        .send(
          `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>undersigned</title></head><body><h1>The web app is not built yet</h1><p>On the server, run <code>npm run build:web</code> (or <code>npm start</code>, which builds it first), then reload this page. The API under <code>/api/</code> works meanwhile.</p></body></html>`,
        );
    for (const route of APP_ROUTES) app.get(route, notBuilt);
    return { built };
  }

  const files = listFiles(dir);
  const index = readFileSync(indexFile);
  const sendIndex = async (_req: unknown, reply: FastifyReply) => reply.type(TYPES['.html']).send(index);
  for (const route of APP_ROUTES) app.get(route, sendIndex);

  // Hashed build assets and the few top-level files (favicon): only files that exist in the build.
  const sendFile = (urlPath: string, reply: FastifyReply) => {
    const path = files.get(urlPath);
    if (!path) return reply.status(404).send({ error: { code: 'not_found', message: 'no such file' } });
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      // Listed at start, gone now: the app was rebuilt under a running server (its index.html is the old one).
      return reply.status(404).send({ error: { code: 'not_found', message: 'this file is gone: the web app was rebuilt since the server started; restart the server' } });
    }
    return reply.type(TYPES[extname(path)] ?? 'application/octet-stream').send(bytes);
  };
  app.get('/assets/*', async (req, reply) => sendFile(new URL(req.url, 'http://x').pathname, reply));
  for (const [urlPath] of files) {
    if (urlPath.startsWith('/assets/') || urlPath === '/index.html' || urlPath === `/${VERIFIER_FILE_NAME}`) continue;
    app.get(urlPath, async (_req, reply) => sendFile(urlPath, reply));
  }
  return { built };
}
