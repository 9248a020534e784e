/**
 * `npm run fuzz -- --requests N [--seed S] [--concurrency C]`: a real `undersigned serve` process on
 * a fresh copy of a real instance (fixture.ts), N malformed requests across every route of
 * docs/api.md (requests.ts), then one JSON line on stdout:
 *
 *     {"requests":N,"byStatus":{"400":…},"serverErrors":0,"dbChanged":false,"crashed":false}
 *
 * - serverErrors: answers with a 5xx status. Only 503 `not_witnessed_yet`/`not_initialized` are
 *   documented 5xx, and neither can happen on this instance (no witnesses, initialized).
 * - dbChanged: a digest of every row of every table (and the schema) taken once the server is up
 *   and again after it has stopped differs. Ignored, and only these: the rows of `challenges`
 *   (POST /api/session/challenge is body-less and public by design and stores the challenge it
 *   answers, docs/api.md "Membership sessions"; a challenge gives no access and expires).
 * - crashed: the server exited before it was told to, or stopped answering.
 *
 * byStatus also counts "closed" (the connection closed before an answer could be read: seen for a
 * HEAD sent with a body, which the server then reads as the start of a next, malformed request) and
 * "timeout" (no answer within 30 s). `--verbose` lists them. Every 4xx must be in our error shape
 * `{"error":{"code","message"}}`; a wrong shape is printed to stderr and fails the run too.
 * `--verbose` prints, on stderr, each 2xx answer to a request that is not a GET, each connection
 * closed without an answer, and the time spent by route. `--plant-change` ends the run with one valid request that changes the instance, to show that the
 * comparison sees a change (the run must then fail).
 * Exit status: 0 when serverErrors is 0, dbChanged and crashed are false, and every error had
 * our shape; 1 otherwise. Deterministic for a seed (the requests; timings may vary).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DB_FILE } from '../../src/server/open.ts';
import { bin, root } from '../support/processes.ts';
import { fixtureCopy } from './fixture.ts';
import { type FuzzRequest, fuzzRequests } from './requests.ts';

/** Tables whose rows the comparison leaves out, and why: see the header (and docs/api.md). */
const HARMLESS_ROWS = new Set(['challenges']);
const ANSWER_TIMEOUT_MS = 30_000;

interface Outcome {
  status: number | 'closed' | 'timeout';
  body: string;
  contentType: string;
}

const say = (line: string) => process.stderr.write(`fuzz: ${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { requests: { type: 'string', default: '1000' }, seed: { type: 'string', default: '1' }, concurrency: { type: 'string', default: '4' }, 'plant-change': { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false } },
  });
  const n = Number(values.requests);
  const seed = Number(values.seed);
  const concurrency = Number(values.concurrency);
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(seed) || !(concurrency >= 1 && concurrency <= 64)) {
    say('usage: npm run fuzz -- --requests N [--seed S] [--concurrency C] [--verbose] [--plant-change]');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-fuzz-'));
  const dataDir = join(dir, 'data');
  let server: Server | undefined;
  try {
    const fx = await fixtureCopy(dataDir, say);
    server = await startServer(dataDir);
    const before = digest(join(dataDir, DB_FILE));
    const web = existsSync(join(root, 'dist', 'web', 'index.html'));
    if (!web) say('the web app is not built (npm run build:web): its pages are left out');

    const byStatus: Record<string, number> = {};
    const badShapes: string[] = [];
    let sent = 0;
    const prof: Record<string, number> = {};
    const requests = fuzzRequests(n, seed, fx, web);
    const started = performance.now();
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const worker = async () => {
      for (let next = requests.next(); !next.done; next = requests.next()) {
        const req = next.value;
        const t0 = performance.now();
        const outcome = req.kind === 'raw' ? await sendRaw(server!.port, req.bytes) : await sendHttp(server!.port, req, agent);
        if (values.verbose) {
          const k = req.route;
          prof[k] = (prof[k] ?? 0) + performance.now() - t0;
        }
        sent++;
        byStatus[String(outcome.status)] = (byStatus[String(outcome.status)] ?? 0) + 1;
        const wrong = shapeProblem(req, outcome);
        if (wrong) badShapes.push(`${describe(req)}: ${wrong}`);
        if (values.verbose && outcome.status === 'closed') say(`closed without an answer: ${describe(req)}`);
        if (values.verbose && req.kind === 'http' && req.method !== 'GET' && typeof outcome.status === 'number' && outcome.status < 300) say(`${outcome.status} for ${describe(req)}`);
        if (typeof outcome.status === 'number' && outcome.status >= 500) say(`${outcome.status} for ${describe(req)}: ${outcome.body.slice(0, 300)}`);
        if (server!.exited) return;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    agent.destroy();
    if (values['plant-change']) {
      // The harness's own check (test/fuzz.test.ts): one request that does change the instance
      // (the organizer adds a member) must make this run report dbChanged and fail.
      const planted = await sendHttp(server.port, { kind: 'http', route: 'planted', method: 'POST', path: '/api/admin/members', headers: { authorization: `Bearer ${fx.adminToken}`, 'content-type': 'application/json' }, body: Buffer.from('{"name":"Planted Change"}') });
      say(`planted change: ${planted.status}`);
    }
    if (values.verbose) say('time spent by route (ms, summed over concurrent requests): ' + JSON.stringify(Object.entries(prof).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${Math.round(v)}`)));
    if (values.verbose) say(`${sent} requests in ${Math.round(performance.now() - started)} ms`);
    const alive = !server.exited && (await sendHttp(server.port, { kind: 'http', route: 'liveness', method: 'GET', path: '/api/instance', headers: {} })).status === 200;
    const exitedEarly = server.exited;
    await server.stop();
    const after = digest(join(dataDir, DB_FILE));
    const serverErrors = Object.entries(byStatus).reduce((sum, [status, count]) => (Number(status) >= 500 ? sum + count : sum), 0);
    const crashed = exitedEarly || !alive;
    if (crashed) say(`the server ${exitedEarly ? 'exited' : 'stopped answering'}; its last output:\n${server.output.slice(-2000)}`);
    for (const line of server.output.split('\n').filter((l) => l.startsWith('internal error'))) say(`server: ${line}`);
    for (const b of badShapes.slice(0, 20)) say(`not in the error shape: ${b}`);
    if (badShapes.length > 20) say(`… and ${badShapes.length - 20} more not in the error shape`);
    const changed = changedTables(before, after);
    if (changed.length) say(`changed: ${changed.join(', ')}`);
    const dbChanged = changed.length > 0;
    const sorted = Object.fromEntries(Object.entries(byStatus).sort(([a], [b]) => a.localeCompare(b)));
    process.stdout.write(JSON.stringify({ requests: sent, byStatus: sorted, serverErrors, dbChanged, crashed }) + '\n');
    return serverErrors === 0 && !dbChanged && !crashed && badShapes.length === 0 && sent === n ? 0 : 1;
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SHA-256 of the schema and of every table's rows, sorted (read-only, beside the running server). */
function digest(file: string): Map<string, string> {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const out = new Map<string, string>();
    const hash = (text: string) => createHash('sha256').update(text).digest('hex');
    const schema = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string }[];
    out.set('(schema)', hash(JSON.stringify(schema)));
    for (const { name } of schema.filter((s) => s.type === 'table')) {
      if (HARMLESS_ROWS.has(name)) continue;
      const rows = (db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).raw().all() as unknown[][]).map((row) => JSON.stringify(row, (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : typeof v === 'bigint' ? String(v) : v)));
      rows.sort();
      out.set(name, hash(rows.join('\n')));
    }
    return out;
  } finally {
    db.close();
  }
}

/** The tables whose digest differs (or that appeared or went). */
function changedTables(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])].filter((t) => before.get(t) !== after.get(t));
}

interface Server {
  port: number;
  exited: boolean;
  output: string;
  stop(): Promise<void>;
}

/** `undersigned serve` on a free port, no publication window (a refused request is answered at once). */
function startServer(dataDir: string): Promise<Server> {
  const env = { ...process.env };
  for (const k of ['PORT', 'HOST', 'UNDERSIGNED_PUBLISH_WINDOW']) delete env[k];
  const child: ChildProcess = spawn(process.execPath, [bin, 'serve', '--data', dataDir, '--port', '0', '--publish-window', '0'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const server: Server = {
    port: 0,
    exited: false,
    output: '',
    stop: () =>
      new Promise((resolve) => {
        if (server.exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      server.output += d.toString();
      if (server.output.length > 1_000_000) server.output = server.output.slice(-500_000);
      const m = /undersigned is running at http:\/\/[^:]+:(\d+)\//.exec(server.output);
      if (m && server.port === 0) {
        server.port = Number(m[1]);
        resolve(server);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => {
      server.exited = true;
      if (server.port === 0) reject(new Error(`the server did not start:\n${server.output}`));
    });
  });
}

function sendHttp(port: number, req: Extract<FuzzRequest, { kind: 'http' }>, agent?: Agent): Promise<Outcome> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (!settled) (settled = true), resolve(o);
    };
    let r: ReturnType<typeof request>;
    try {
      r = request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: req.headers, agent, timeout: ANSWER_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.length < 64 && chunks.push(c));
        res.on('end', () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), contentType: String(res.headers['content-type'] ?? '') }));
        res.on('error', () => done({ status: 'closed', body: '', contentType: '' }));
      });
    } catch {
      // Node refuses to send this (a header value it will not write): send the same bytes raw.
      return sendRaw(port, rawBytesOf(req)).then(done);
    }
    r.on('timeout', () => (r.destroy(), done({ status: 'timeout', body: '', contentType: '' })));
    r.on('error', () => done({ status: 'closed', body: '', contentType: '' }));
    r.end(req.body);
  });
}

function rawBytesOf(req: Extract<FuzzRequest, { kind: 'http' }>): Buffer {
  const head = [`${req.method} ${req.path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...Object.entries(req.headers).map(([k, v]) => `${k}: ${v}`)];
  if (req.body) head.push(`Content-Length: ${req.body.length}`);
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), req.body ?? Buffer.alloc(0)]);
}

/** Write raw bytes, half-close, read the first answer (or none) until the server closes. */
function sendRaw(port: number, bytes: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error('timeout')), ANSWER_TIMEOUT_MS);
    let timedOut = false;
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (e) => (timedOut = e.message === 'timeout'));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(text);
      if (!m) return resolve({ status: timedOut ? 'timeout' : 'closed', body: '', contentType: '' });
      const [head, ...rest] = text.split('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const body = rest.join('\r\n\r\n');
      resolve({ status: Number(m[1]), body: length ? body.slice(0, Number(length[1])) : body, contentType: /\r\ncontent-type: *([^\r]*)/i.exec(head)?.[1] ?? '' });
    });
    socket.end(bytes);
  });
}

/** Why an error answer is not `{"error":{"code","message"}}` (JSON, exactly those keys), or null. */
function shapeProblem(req: FuzzRequest, o: Outcome): string | null {
  if (typeof o.status !== 'number' || o.status < 400) return null;
  if (req.kind === 'http' && req.method === 'HEAD') return null;
  if (!/^application\/json/.test(o.contentType)) return `${o.status} with content type ${o.contentType || 'none'}`;
  try {
    const body = JSON.parse(o.body) as { error?: Record<string, unknown> };
    const keys = Object.keys(body).join(',');
    const inner = body.error ? Object.keys(body.error).sort().join(',') : '';
    if (keys !== 'error' || inner !== 'code,message' || typeof body.error!.code !== 'string' || typeof body.error!.message !== 'string') return `${o.status} ${o.body.slice(0, 200)}`;
    if (/\n\s+at |node_modules|\.ts:\d+/.test(o.body)) return `${o.status} with a stack trace`;
  } catch {
    return `${o.status} not JSON: ${o.body.slice(0, 200)}`;
  }
  return null;
}

function describe(req: FuzzRequest): string {
  if (req.kind === 'raw') return `raw ${JSON.stringify(req.bytes.subarray(0, 80).toString('latin1'))}`;
  return `${req.method} ${req.path.slice(0, 120)} (${req.route}) body ${JSON.stringify((req.body ?? Buffer.alloc(0)).subarray(0, 200).toString())}`;
}

const code = await main().catch((e: unknown) => {
  say(e instanceof Error ? (e.stack ?? e.message) : String(e));
  return 1;
});
// Nothing is left to wait for (a proof library may keep a thread alive after the fixture is built).
process.exit(code);
