/**
 * What tests that play a newcomer or a liar share: the `undersigned` CLI run as a real process,
 * an instance served over real HTTP on loopback, a copy of an instance's database opened as a
 * second instance with the same log key (a lying server's), and witnesses on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../src/server/app.ts';
import type { Instance } from '../../src/server/instance.ts';
import { DB_FILE, openInstance } from '../../src/server/open.ts';
import { buildWitnessApp } from '../../src/witness/http.ts';
import { Witness, initWitness } from '../../src/witness/witness.ts';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const bin = join(root, 'bin', 'undersigned.mjs');
/** A line of a JavaScript stack trace: never in what the CLI prints. */
export const STACK_LINE = /^ {4}at /m;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `undersigned ...args` as a process, without the caller's PORT, HOST and UNDERSIGNED_SERVER,
 * _IDENTITY, _PASSPHRASE (tests name their own, in `env`).
 */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const k of ['PORT', 'HOST', 'UNDERSIGNED_SERVER', 'UNDERSIGNED_IDENTITY', 'UNDERSIGNED_PASSPHRASE']) if (!(k in env)) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The http://127.0.0.1:port of a listening app. */
export function urlOf(app: FastifyInstance): string {
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('the app is not listening on a port');
  return `http://127.0.0.1:${address.port}`;
}

/** Serve an instance on loopback (in-thread proofs, no request log); the app goes into `servers` for closing. */
export async function serve(instance: Instance, servers: { app: FastifyInstance; instance: Instance }[]): Promise<string> {
  const app = await buildApp({ instance, log: () => {}, proofBatching: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  servers.push({ app, instance });
  return urlOf(app);
}

/** A copy of `instance`'s database as it is now, in `dir/name`, opened as a second instance with the same log key. */
export async function copyOfInstance(instance: Instance, dir: string, name: string, now: () => Date): Promise<Instance> {
  const copy = join(dir, name);
  mkdirSync(copy);
  await sql`VACUUM INTO ${join(copy, DB_FILE)}`.execute(instance.db);
  const opened = await openInstance({ dataDir: copy, now });
  await opened.admin.load();
  return opened;
}

export interface RunningWitness {
  witness: Witness;
  app: FastifyInstance;
  url: string;
  /** Its verifier key (type 0x04). */
  vkey: string;
  stop(): Promise<void>;
}

/** A witness in `dir/name` (named `<name>.test/w`), following the log `logVkey`, served on loopback. */
export async function startWitness(dir: string, name: string, logVkey: string): Promise<RunningWitness> {
  const vkey = initWitness(join(dir, name), `${name}.test/w`).verifierKey;
  const witness = new Witness(join(dir, name));
  witness.addLog(logVkey);
  const app = await buildWitnessApp(witness);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    witness,
    app,
    vkey,
    url: urlOf(app),
    async stop() {
      await app.close().catch(() => {});
      witness.close();
    },
  };
}

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:port/ */
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What it has printed on stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
}

/**
 * `undersigned serve --data dataDir --port 0 ...extra` as a real process (without the caller's PORT,
 * HOST, UNDERSIGNED_*), resolved with its URL once it prints the port it bound; rejected if it
 * exits first or is not ready within `timeoutMs`.
 */
export function startServer(dataDir: string, extra: string[] = [], timeoutMs = 60_000): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['PORT', 'HOST', 'UNDERSIGNED_SERVER', 'UNDERSIGNED_IDENTITY', 'UNDERSIGNED_PASSPHRASE', 'UNDERSIGNED_PUBLISH_WINDOW']) delete env[k];
  const child = spawn(process.execPath, [bin, 'serve', '--data', dataDir, '--port', '0', '--host', '127.0.0.1', ...extra], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    // Not ready in time: killed, and rejected once it is gone.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      void exited.then(() => reject(new Error(`the server was not ready within ${timeoutMs} ms:\n${stdout}\n${stderr}`)));
    }, timeoutMs);
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /undersigned is running at (http:\/\/127\.0\.0\.1:(\d+)\/)/.exec(stdout);
      if (m && m[2] !== '0') {
        clearTimeout(timer);
        resolve({ child, url: m[1], exited, output: () => ({ stdout, stderr }) });
      }
    });
    child.on('error', reject);
    void exited.then(({ code, signal }) => {
      if (signal === 'SIGKILL') return; // killed by the timer above, which rejects
      clearTimeout(timer);
      reject(new Error(`the server exited (${code ?? signal}) before it was ready:\n${stdout}\n${stderr}`));
    });
  });
}
