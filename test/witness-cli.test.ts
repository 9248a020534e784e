/**
 * `undersigned witness init | add-log | serve` as a newcomer runs them: real processes, the key
 * printed, clear one-line errors with a code (never a stack trace), and a served witness that
 * cosigns a checkpoint over HTTP.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '../src/core/encoding.ts';
import { formatCheckpoint, signNote, verifierKey } from '../src/core/log/checkpoint.ts';
import { addSignatureLines, verifyCosignatures } from '../src/core/log/cosignature.ts';
import { MerkleTree, leafHash } from '../src/core/log/merkle.ts';
import { formatAddCheckpoint } from '../src/core/log/witness.ts';
import { STACK_LINE, bin, root, runCli } from './support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-witness-cli-'));
const run = (args: string[]) => runCli(args);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('undersigned witness', () => {
  const data = join(dir, 'w');
  const log = { name: 'cli.test/log', secretKey: new Uint8Array(32).fill(21) };
  const logVkey = verifierKey(log.name, ed25519.getPublicKey(log.secretKey));
  let witnessVkey = '';

  it('init prints the verifier key; a second init is refused with a code, no stack trace', async () => {
    const r = await run(['witness', 'init', '--data', data, '--name', 'cli.test/w']);
    expect(r.code, r.stderr).toBe(0);
    witnessVkey = /verifier key: (\S+)/.exec(r.stdout)![1];
    expect(witnessVkey).toMatch(/^cli\.test\/w\+[0-9a-f]{8}\+B/);
    const again = await run(['witness', 'init', '--data', data, '--name', 'cli.test/w']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/\[witness_exists\]/);
    expect(again.stderr).not.toMatch(STACK_LINE);
  });

  it('add-log refuses a key that does not parse, and follows one that does', async () => {
    const bad = await run(['witness', 'add-log', '--data', data, '--log', 'not-a-key']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/\[witness_bad_log_key\]/);
    const missing = await run(['witness', 'add-log', '--data', join(dir, 'nowhere'), '--log', logVkey]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\[witness_not_initialized\]/);
    const good = await run(['witness', 'add-log', '--data', data, '--log', logVkey]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toContain('following cli.test/log');
  });

  it('serve answers add-checkpoint with a cosignature that verifies', async () => {
    const child = spawn(process.execPath, [bin, 'witness', 'serve', '--data', data, '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /running at (http:\/\/\S+?)\/?\n/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on('close', (code) => reject(new Error(`witness serve exited ${code}`)));
      });
      const tree = new MerkleTree();
      for (let i = 0; i < 3; i++) tree.append(leafHash(utf8ToBytes(`e${i}`)));
      const note = signNote(formatCheckpoint({ origin: log.name, size: 3, rootHash: tree.root() }), log);
      const res = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: note }) });
      expect(res.status).toBe(200);
      const v = verifyCosignatures(addSignatureLines(note, [await res.text()]), { quorum: 1, witnesses: [witnessVkey] });
      expect(v.ok).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('undersigned demo --witnesses', () => {
  it('writes a bundle whose checkpoint the witnesses cosigned: verify shows them; one cosignature line removed, verify exits 1', async () => {
    const out = join(dir, 'demo.json');
    const demo = await run(['demo', '--members', '5', '--signers', '2', '--named', '1', '--witnesses', '2', '--out', out]);
    expect(demo.code, demo.stderr).toBe(0);
    const ok = await run(['verify', out]);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/witnesses: 2 of 2 cosigned the checkpoint \(2 needed\)/);
    const bundle = JSON.parse(readFileSync(out, 'utf8'));
    const lines = bundle.log.checkpoint.split('\n');
    const cut = lines.findIndex((l: string) => l.startsWith('\u2014 witness2.'));
    expect(cut).toBeGreaterThan(0);
    lines.splice(cut, 1);
    writeFileSync(join(dir, 'cut.json'), JSON.stringify({ ...bundle, log: { ...bundle.log, checkpoint: lines.join('\n') } }));
    const bad = await run(['verify', join(dir, 'cut.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID: witnesses: 1 of the 2 witness cosignatures needed/);
    expect(bad.stderr).not.toMatch(STACK_LINE);
  }, 180_000);
});
