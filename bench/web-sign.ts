/**
 * `npm run bench:web [-- --rounds N]`: signing in the browser, in a 153-member group, in headless
 * Debian Chromium, through the web app as a member uses it (the button, the prover worker, the
 * server's verification, the receipt check). Not a test: it writes bench/results/web-sign.{json,md}.
 *
 * Setup (not measured): a throwaway instance with 153 members, all enrolled (one of them with an
 * identity file put in the browser's storage, as enrollment would), and one open letter. Then the
 * member alternately signs and withdraws; each round is timed from the click to the confirmation,
 * and split at the moment the record is sent (before: roster and state fetches plus the proof in
 * the worker; the POST: the server verifies the proof and appends to the log; after: the receipt
 * checked in the worker and the page refreshed). The letter page fetches the circuit (~4 MB) and
 * builds the curve when it opens, before the first click; the first round, the worker's first
 * proof, is still reported apart.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { bytesToHex } from '../src/core/encoding.ts';
import { identityFromPrivateKey } from '../src/core/identity/identity.ts';
import { sealIdentityFile } from '../src/core/identity/identity-file.ts';
import { type Letter, letterId as computeLetterId } from '../src/core/letter/letter.ts';
import { plausibleNames } from '../src/cli/demo-names.ts';
import { proveProposal } from '../src/core/letter/prove.ts';
import { rosterRef } from '../src/core/roster/roster.ts';
import { nodeArtifacts, releaseSnarkjs } from '../src/node/artifacts.ts';
import { buildApp } from '../src/server/app.ts';
import { openOrInit } from '../src/server/open.ts';
import { machineInfo } from './machine.ts';
import { summarize, type Summary } from './stats.ts';

const CHROMIUM = '/usr/bin/chromium';
const MEMBERS = 153;
const args = process.argv.slice(2);
const roundsArg = args.indexOf('--rounds');
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : 12;
if (!Number.isInteger(ROUNDS) || ROUNDS < 2 || args.some((a, i) => a !== '--rounds' && i !== roundsArg + 1)) {
  process.stderr.write('bench:web: the only option is --rounds N (N >= 2)\n');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`bench:web: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);
  process.exit(2);
}
const say = (line: string) => process.stderr.write(`bench:web: ${line}\n`);

const dir = mkdtempSync(join(tmpdir(), 'undersigned-bench-web-'));
const { instance, setupToken } = await openOrInit({ dataDir: dir, name: 'Bench caucus', origin: 'bench.invalid/caucus' });
await instance.admin.setup(setupToken!);
const app = await buildApp({ instance, log: () => {} });
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
if (!address || typeof address === 'string') throw new Error('no port');
const url = `http://127.0.0.1:${address.port}`;
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

try {
  say(`enrolling ${MEMBERS} members…`);
  const added = await instance.enrollment.addMembers(plausibleNames(MEMBERS, new Uint8Array(randomBytes(64))).map((name) => ({ name })));
  const keys = added.map(() => new Uint8Array(randomBytes(32)));
  for (let i = 0; i < added.length; i++) await instance.enrollment.enroll(added[i].code, identityFromPrivateKey(keys[i]).commitment.toString());
  const me = MEMBERS - 1;
  const file = await sealIdentityFile({
    privateKey: keys[me],
    passphrase: 'bench passphrase',
    salt: new Uint8Array(randomBytes(16)),
    nonce: new Uint8Array(randomBytes(24)),
    label: { instance: instance.log.verifierKey() },
    kdf: { N: 2 ** 14, r: 8, p: 1 },
  });

  const { snapshot, ref } = await instance.roster.current();
  const computed = rosterRef(snapshot);
  if (!computed.ok) throw new Error(computed.reason);
  const letter: Letter = {
    format: 'undersigned-letter/1',
    title: 'Benchmark letter',
    text: 'Signed in the browser.',
    recipient: 'The chair',
    roster: ref,
    deadline: new Date(Date.now() + 7 * 86400_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    revealThreshold: 0,
    visibility: 'live',
    nonce: bytesToHex(new Uint8Array(randomBytes(16))),
  };
  const id = computeLetterId(letter);
  await instance.letters.propose(letter, await proveProposal({ identity: identityFromPrivateKey(keys[0]), group: computed.group, letter, letterId: id, artifacts: nodeArtifacts }));
  say(`letter open at depth ${ref.depth}; ${ROUNDS} rounds in Chromium…`);

  const context = await browser.newContext({ locale: 'en-CA' });
  const page = await context.newPage();
  await page.goto(`${url}/`);
  await page.evaluate(
    ([identity, key]) => {
      localStorage.setItem('undersigned.identity', identity);
      sessionStorage.setItem('undersigned.key', key);
    },
    [JSON.stringify(file), JSON.stringify(bytesToHex(keys[me]))],
  );
  await page.goto(`${url}/letters/${id}`);
  await page.getByTestId('my-status').waitFor({ timeout: 60_000 });
  await page.waitForLoadState('networkidle');

  const loadBefore = loadavg()[0];
  const rounds: { action: string; totalMs: number; beforeSendMs: number; postMs: number; afterMs: number }[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const signing = i % 2 === 0;
    const button = page.getByRole('button', { exact: true, name: signing ? (i === 0 ? 'Sign anonymously' : 'Sign again anonymously') : 'Withdraw my signature' });
    await button.waitFor({ timeout: 60_000 });
    let sentAt = 0;
    let answeredAt = 0;
    const onRequest = (r: { url(): string; method(): string }) => {
      if (r.method() === 'POST' && r.url().endsWith('/records')) sentAt = performance.now();
    };
    const onResponse = (r: { url(): string; request(): { method(): string } }) => {
      if (r.request().method() === 'POST' && r.url().endsWith('/records')) answeredAt = performance.now();
    };
    page.on('request', onRequest);
    page.on('response', onResponse);
    const start = performance.now();
    await button.click();
    await page.getByText(signing ? 'You signed anonymously.' : 'Your signature is withdrawn.').first().waitFor({ timeout: 120_000 });
    const end = performance.now();
    page.off('request', onRequest);
    page.off('response', onResponse);
    rounds.push({ action: signing ? 'sign' : 'withdraw', totalMs: end - start, beforeSendMs: sentAt - start, postMs: answeredAt - sentAt, afterMs: end - answeredAt });
    say(`round ${i + 1}: ${signing ? 'sign' : 'withdraw'} ${((end - start) / 1000).toFixed(2)} s`);
  }
  const status = await instance.letters.status(id);
  const loadAfter = loadavg()[0];

  const warm = rounds.slice(1);
  const summary = (key: 'totalMs' | 'beforeSendMs' | 'postMs' | 'afterMs'): Summary => summarize(warm.map((r) => r[key]));
  const machine = machineInfo();
  const chromiumVersion = browser.version();
  const results = {
    settings: { members: MEMBERS, depth: ref.depth, rounds: ROUNDS, chromium: chromiumVersion },
    loadAverage: { before: loadBefore, after: loadAfter },
    machine,
    first: rounds[0],
    warm: { total: summary('totalMs'), beforeSend: summary('beforeSendMs'), post: summary('postMs'), after: summary('afterMs') },
    rounds,
    finalCount: status.count,
  };
  const s = (x: number) => (x / 1000).toFixed(2);
  const md = [
    `Run ${machine.date} on ${machine.cpu}, ${machine.cores} cores, headless Chromium ${chromiumVersion}, commit ${machine.git?.commit ?? 'unknown'}${machine.git?.dirty ? ' (src/ modified)' : ''}; load average ${loadBefore.toFixed(2)} before the rounds, ${loadAfter.toFixed(2)} after (other work on the machine slows every number).`,
    '',
    `### Signing in the browser (${MEMBERS} members, tree depth ${ref.depth}, ${ROUNDS} rounds alternating sign and withdraw)`,
    '',
    '| phase | first round (cold) s | warm median s | warm p90 s |',
    '|---|---:|---:|---:|',
    `| click → record sent (fetches + proof in the worker) | ${s(rounds[0].beforeSendMs)} | ${s(results.warm.beforeSend.median)} | ${s(results.warm.beforeSend.p90)} |`,
    `| POST (server verifies, appends, signs a checkpoint) | ${s(rounds[0].postMs)} | ${s(results.warm.post.median)} | ${s(results.warm.post.p90)} |`,
    `| receipt checked, page refreshed | ${s(rounds[0].afterMs)} | ${s(results.warm.after.median)} | ${s(results.warm.after.p90)} |`,
    `| **click → confirmation** | **${s(rounds[0].totalMs)}** | **${s(results.warm.total.median)}** | **${s(results.warm.total.p90)}** |`,
    '',
    `The letter page loads the depth-${ref.depth} circuit (wasm + zkey) from the instance and builds the BN254 curve in the worker when it opens, before the first click; the first round is the worker's first proof. Proofs run single-threaded (the CSP forbids the \`data:\` workers that multi-threaded snarkjs starts; on this 2-core machine multi-threading gained under 10% in Node).`,
    '',
  ].join('\n');
  const out = join(dirname(fileURLToPath(import.meta.url)), 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'web-sign.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(out, 'web-sign.md'), md);
  process.stdout.write(md);
  say('wrote bench/results/web-sign.json and .md');
} finally {
  await browser.close();
  await app.close();
  await instance.db.destroy();
  await releaseSnarkjs();
  rmSync(dir, { recursive: true, force: true });
}
