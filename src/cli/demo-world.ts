/**
 * What both demos (and the browser tests that drive a committee in-process) set up the same way:
 * members enrolled with fresh identities, and a trustee committee whose members join with their
 * codes and run the key generation steps through the same server checks as real trustees.
 */
import { randomBytes } from 'node:crypto';
import { identityFromPrivateKey, type Identity } from '../core/identity/identity.ts';
import type { CommitteeRef } from '../core/ballot/ballot.ts';
import { transportEntry } from '../core/trustee/dkg.ts';
import { trusteeStep } from '../core/trustee/duties.ts';
import { randomScalar } from '../core/trustee/group.ts';
import { nodeVerificationKeys } from '../node/artifacts.ts';
import type { Instance } from '../server/instance.ts';
import { inProcessTrusteeApi } from '../server/trustee-api.ts';
import { Progress } from './progress.ts';

export const random = (n: number): Uint8Array => new Uint8Array(randomBytes(n));

/** Add `names` to the roster and enroll each with a fresh identity (a progress bar when `progress`). */
export async function enrollMembers(instance: Instance, names: readonly string[], progress?: string): Promise<Identity[]> {
  const added = await instance.enrollment.addMembers(names.map((name) => ({ name })));
  const identities: Identity[] = [];
  const bar = progress ? new Progress(progress, added.length) : null;
  for (let i = 0; i < added.length; i++) {
    const identity = identityFromPrivateKey(random(32));
    await instance.enrollment.enroll(added[i].code, identity.commitment.toString());
    identities.push(identity);
    bar?.tick(i + 1);
  }
  return identities;
}

/** A k-of-n committee of `trustees`, formed in-process: their secrets and the committee's reference. */
export async function formCommittee(instance: Instance, name: string, k: number, trustees: readonly string[]): Promise<{ secrets: bigint[]; ref: CommitteeRef }> {
  const slots = await instance.committee.create({ name, k, trustees: [...trustees] });
  const secrets: bigint[] = [];
  for (const slot of slots) {
    const secret = randomScalar(random);
    secrets.push(secret);
    const { transportKey, proof } = transportEntry(secret, name, slot.index, random);
    await instance.committee.join(slot.code, transportKey, proof);
  }
  for (let round = 0; round < 3 && !(await instance.committee.letterRef()); round++) {
    for (const secret of secrets) await trusteeStep(inProcessTrusteeApi(instance), secret, nodeVerificationKeys, random);
  }
  const ref = await instance.committee.letterRef();
  if (!ref) throw new Error('the committee did not complete its key generation');
  return { secrets, ref };
}

/** Each of these trustees takes its next step (deal, check, reveal, tally); what each did. */
export async function trusteesStep(instance: Instance, secrets: readonly bigint[]): Promise<string[]> {
  const did: string[] = [];
  for (const secret of secrets) did.push(...(await trusteeStep(inProcessTrusteeApi(instance), secret, nodeVerificationKeys, random)).did);
  return did;
}
