/**
 * `undersigned verify --state FILE BUNDLE` as a process (docs/bundle-format.md §10): the first run
 * saves the state (mode 0600), the next resumes from it with the same verdict, a state file that
 * is not the one it wrote is refused with exit 2 and a code, and nothing is printed as a stack.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { STACK_LINE, root, runCli } from './support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'undersigned-verify-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const bundle = join(root, 'test/fixtures/bad-bundles/good/letter.json');
const state = join(dir, 'state.json');

describe('undersigned verify --state', () => {
  it('saves a state on the first run, resumes from it on the next with the same verdict, and refuses a state changed by hand', async () => {
    const first = await runCli(['verify', '--json', '--state', state, bundle]);
    expect(first.code).toBe(0);
    const v1 = JSON.parse(first.stdout);
    expect(v1).toMatchObject({ valid: true, resume: { mode: 'full' } });
    expect(statSync(state).mode & 0o777).toBe(0o600);

    const second = await runCli(['verify', '--json', '--state', state, bundle]);
    expect(second.code).toBe(0);
    const v2 = JSON.parse(second.stdout);
    expect(v2.resume).toMatchObject({ mode: 'resumed', reused: v1.records });
    const { resume: _a, ...full } = v1;
    const { resume: _b, ...resumed } = v2;
    expect(resumed).toEqual(full);

    const saved = JSON.parse(readFileSync(state, 'utf8'));
    const letter = Object.values(saved.letters)[0] as { seen: string[] };
    letter.seen[0] = (letter.seen[0][0] === '0' ? '1' : '0') + letter.seen[0].slice(1); // the digest is left as it was
    writeFileSync(state, JSON.stringify(saved));
    const corrupt = await runCli(['verify', '--state', state, bundle]);
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('[verify_state_corrupt]');
    expect(corrupt.stderr).not.toMatch(STACK_LINE);

    writeFileSync(state, '{not json');
    const notJson = await runCli(['verify', '--state', state, bundle]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('[verify_state_corrupt]');
  }, 120_000);
});
