/**
 * Stands in for @zk-kit/artifacts in the browser build (see vite.config.ts). Semaphore's
 * generateProof only calls it when no artifacts are given, to download them from a CDN; this app
 * always gives the instance's own /artifacts/ URLs, so reaching this is a bug, and it fails
 * instead of fetching anything from a third party.
 */
export const Project = { SEMAPHORE: 'semaphore' } as const;

export async function maybeGetSnarkArtifacts(): Promise<never> {
  throw new Error('circuit artifacts come from this instance only; nothing is downloaded from elsewhere');
}
