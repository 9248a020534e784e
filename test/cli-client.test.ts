/**
 * The member CLI's HTTP client and the rate limiter (docs/api.md "Rate limits"): a 429 with a
 * short Retry-After is waited out and tried again (nothing was done the first time); one with a
 * long Retry-After is the error, at once, with its code. A real server with a tight limit.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../src/cli/client.ts';
import { CliError } from '../src/cli/errors.ts';
import { buildApp } from '../src/server/app.ts';
import { releaseSnarkjs } from '../src/node/artifacts.ts';
import { urlOf } from './support/processes.ts';
import { type World, makeWorld } from './support/world.ts';

let world: World;
const apps: FastifyInstance[] = [];

async function serve(routes: Record<string, { burst: number; perSecond: number }>): Promise<Client> {
  const app = await buildApp({ instance: world.instance, log: () => {}, proofBatching: false, rateLimits: { routes } });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return new Client(urlOf(app));
}

beforeAll(async () => {
  world = await makeWorld({ members: 2 });
}, 60_000);

afterAll(async () => {
  for (const a of apps) await a.close();
  await world?.close();
  await releaseSnarkjs();
});

describe('the member CLI and a rate-limited server', () => {
  it('a 429 with a short Retry-After is waited out and tried again: every request gets its answer', async () => {
    const client = await serve({ 'GET /api/log/checkpoint': { burst: 1, perSecond: 1 } });
    // Without the retry the second and third would fail with rate_limited (the bucket holds one).
    const notes = await Promise.all([client.text('api/log/checkpoint'), client.text('api/log/checkpoint'), client.text('api/log/checkpoint')]);
    for (const n of notes) expect(n).toMatch(/^[^\n]+\n\d+\n/);
  }, 30_000);

  it('a 429 whose Retry-After is long is the error at once, with its code', async () => {
    const client = await serve({ 'GET /api/log/checkpoint': { burst: 1, perSecond: 0.01 } });
    await client.text('api/log/checkpoint');
    const err = await client.text('api/log/checkpoint').catch((e) => e);
    expect(err).toBeInstanceOf(CliError);
    expect(err.code).toBe('rate_limited');
  });
});
