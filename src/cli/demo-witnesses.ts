/**
 * Witnesses for the demo: N real witnesses (their own keys and SQLite files in a temporary
 * directory, their own HTTP servers on loopback), following the demo instance's log, with a
 * quorum of N. The demo's letter or ballot names them, so its bundle's checkpoint carries their
 * cosignatures and `verify` checks them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WitnessPolicy } from '../core/log/cosignature.ts';
import type { Instance } from '../server/instance.ts';
import { buildWitnessApp } from '../witness/http.ts';
import { Witness, initWitness } from '../witness/witness.ts';

export async function startDemoWitnesses(instance: Instance, count: number, log: (line: string) => void): Promise<{ policy: WitnessPolicy | undefined; stop(): Promise<void> }> {
  if (count === 0) return { policy: undefined, stop: async () => {} };
  const dir = mkdtempSync(join(tmpdir(), 'undersigned-demo-witnesses-'));
  const running: { witness: Witness; close: () => Promise<void>; url: string; vkey: string }[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const { verifierKey } = initWitness(join(dir, `w${i}`), `witness${i}.demo.undersigned.invalid`);
      const witness = new Witness(join(dir, `w${i}`));
      witness.addLog(instance.log.verifierKey());
      const app = await buildWitnessApp(witness);
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      running.push({ witness, close: () => app.close(), vkey: verifierKey, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}` });
    }
    await instance.witnesses.configure({ endpoints: running.map((w) => ({ url: w.url, verifierKey: w.vkey })), intervalMs: 250, waitMs: 120_000 });
  } catch (e) {
    for (const w of running) await w.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  log(`witnesses: ${count} running, all ${count} must cosign (${running.map((w) => w.vkey.slice(0, w.vkey.indexOf('+'))).join(', ')})`);
  return {
    policy: await instance.witnesses.policy(),
    async stop() {
      instance.witnesses.stop();
      for (const w of running) {
        await w.close();
        w.witness.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
