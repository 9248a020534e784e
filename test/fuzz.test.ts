/**
 * The fuzz harness (test/fuzz/fuzz.ts, `npm run fuzz`) as CI runs it: 2,000 malformed requests
 * across every route against a real `undersigned serve` on a copy of a real instance, and not one
 * answered with a 5xx, not one change to the database, no crash, every error in our shape.
 * Then the harness itself: a run that ends with one request that does change the instance must
 * say so and fail, or "dbChanged": false would prove nothing.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './support/processes.ts';
import { ROUTES } from './fuzz/requests.ts';

function fuzz(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fuzz/fuzz.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run fuzz', () => {
  it('attacks every route docs/api.md documents', () => {
    const documented = [...readFileSync(join(root, 'docs', 'api.md'), 'utf8').matchAll(/^### `([A-Z]+) (\/[^\s?`]*)/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(documented.length).toBeGreaterThan(40);
    expect(documented.filter((route) => !ROUTES.some((r) => `${r.method} ${r.path}` === route))).toEqual([]);
  });

  it('2,000 malformed requests over every route: no 5xx, the database unchanged, no crash', { timeout: 300_000 }, async () => {
    const run = await fuzz(['--requests', '2000', '--seed', '14']);
    const lines = run.stdout.trim().split('\n');
    expect(lines, run.stderr).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(Object.keys(result)).toEqual(['requests', 'byStatus', 'serverErrors', 'dbChanged', 'crashed']);
    expect(result, run.stderr).toMatchObject({ requests: 2000, serverErrors: 0, dbChanged: false, crashed: false });
    expect(Object.values(result.byStatus as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(2000);
    expect(Object.keys(result.byStatus).filter((s) => Number(s) >= 500)).toEqual([]);
    // It reached the refusals it is meant to reach, not only one kind.
    for (const status of ['400', '401', '404', '409', '413', '415', '431']) expect(result.byStatus[status], status).toBeGreaterThan(0);
    expect(run.code, run.stderr).toBe(0);
  });

  it('a run in which one request does change the instance reports dbChanged and fails', { timeout: 300_000 }, async () => {
    const run = await fuzz(['--requests', '20', '--seed', '3', '--plant-change']);
    expect(run.stderr).toContain('planted change: 201');
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ requests: 20, dbChanged: true });
    expect(run.code).toBe(1);
  });
});
