import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, GIVEN_NAMES, MIDDLE_INITIALS, plausibleNames } from '../src/cli/demo-names.ts';
import { parseRosterCsv } from '../src/core/roster/roster-csv.ts';

const seed = (b: number) => new Uint8Array(32).fill(b);
const pairs = GIVEN_NAMES.length * FAMILY_NAMES.length;

describe('plausibleNames', () => {
  it('has enough names to build 100,000 with a middle initial at most', () => {
    expect(GIVEN_NAMES.length).toBeGreaterThanOrEqual(60);
    expect(FAMILY_NAMES.length).toBeGreaterThanOrEqual(80);
    expect(new Set(GIVEN_NAMES).size).toBe(GIVEN_NAMES.length);
    expect(new Set(FAMILY_NAMES).size).toBe(FAMILY_NAMES.length);
    expect(GIVEN_NAMES.filter((g) => FAMILY_NAMES.includes(g))).toEqual([]);
    expect(pairs * MIDDLE_INITIALS.length).toBeGreaterThan(100_000);
  });

  it('makes 153 distinct plain "Given Family" names, including French ones with accents', () => {
    const names = plausibleNames(153, seed(1));
    expect(names).toHaveLength(153);
    expect(new Set(names).size).toBe(153);
    for (const n of names) {
      const [given, family, ...rest] = n.split(' ');
      expect(rest).toEqual([]);
      expect(GIVEN_NAMES).toContain(given);
      expect(FAMILY_NAMES).toContain(family);
    }
    expect(names.some((n) => /[À-ÿ]/.test(n))).toBe(true);
  });

  it('is deterministic for the same random bytes and differs for other bytes', () => {
    expect(plausibleNames(153, seed(1))).toEqual(plausibleNames(153, seed(1)));
    expect(plausibleNames(153, seed(2))).not.toEqual(plausibleNames(153, seed(1)));
    // A prefix property is not promised, but the first tier is drawn first, so small counts agree.
    expect(plausibleNames(10, seed(1))).toEqual(plausibleNames(153, seed(1)).slice(0, 10));
  });

  it('makes 100,000 distinct names, using middle initials only past the plain combinations', () => {
    const names = plausibleNames(100_000, seed(3));
    expect(names).toHaveLength(100_000);
    expect(new Set(names).size).toBe(100_000);
    const plain = names.filter((n) => n.split(' ').length === 2);
    expect(plain).toHaveLength(pairs);
    expect(names.every((n) => /^\S+ ([A-Z]\. )?\S+$/.test(n))).toBe(true);
    expect(plausibleNames(100_000, seed(3))).toEqual(names);
  });

  it('produces names a roster CSV accepts, with no duplicates even ignoring case', () => {
    const names = plausibleNames(20_000, seed(4));
    const csv = ['name', ...names.map((n) => (/[",]/.test(n) ? `"${n.replaceAll('"', '""')}"` : n))].join('\n');
    const r = parseRosterCsv(csv);
    expect(r.ok && r.members.map((m) => m.name)).toEqual(names);
  });

  it('falls back to numeric suffixes only when initials run out', () => {
    const total = pairs * (1 + MIDDLE_INITIALS.length) + 5;
    const names = plausibleNames(total, seed(5));
    expect(new Set(names).size).toBe(total);
    expect(names.filter((n) => / \d+$/.test(n))).toHaveLength(5);
  });

  it('handles zero and rejects bad arguments', () => {
    expect(plausibleNames(0, seed(1))).toEqual([]);
    expect(() => plausibleNames(-1, seed(1))).toThrow(RangeError);
    expect(() => plausibleNames(1.5, seed(1))).toThrow(RangeError);
    expect(() => plausibleNames(10, new Uint8Array(8))).toThrow(TypeError);
  });
});
