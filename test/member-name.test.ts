/**
 * The one rule for a member's name (src/core/roster/member-name.ts), and that the CSV import
 * applies exactly it: a name typed alone and the same name in a CSV file are both accepted, as
 * the same stored text, or both refused.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_NAME_LENGTH, memberName } from '../src/core/roster/member-name.ts';
import { parseRosterCsv } from '../src/core/roster/roster-csv.ts';

const refused = (raw: string) => {
  const r = memberName(raw);
  return r.ok ? `accepted as ${JSON.stringify(r.name)}` : r.code;
};

describe('memberName', () => {
  it('accepts names in any script, with accents, joiners and emoji, normalized to NFC and single spaces', () => {
    expect(memberName('  Geneviève\u00a0  Côté ')).toEqual({ ok: true, name: 'Geneviève Côté' });
    expect(memberName('Gene\u0300vie\u0300ve')).toEqual({ ok: true, name: 'Gen\u00e8vi\u00e8ve' });
    for (const name of ['李小龍', 'علی\u200cرضا', 'Ngũgĩ wa Thiong\u2019o', '👩\u200d💻 Dev', "O'Brien", '3M']) expect(memberName(name)).toEqual({ ok: true, name });
  });

  it('refuses what cannot be seen or read: zero-width and format characters, bidi controls, a lone mark, controls, unassigned code points, noncharacters, private use, lone surrogates', () => {
    const bad = {
      'zero-width space alone': '\u200b',
      'zero-width space inside': 'Ann\u200bLee',
      'word joiner': 'Ann\u2060',
      'soft hyphen': 'An\u00adn',
      'byte order mark inside': 'Ann\ufeffLee',
      'a lone combining mark': '\u0301',
      'a leading combining mark': '\u0301Ann',
      'left-to-right isolate (U+2066)': 'Ann\u2066',
      'right-to-left isolate (U+2067)': '\u2067Ann',
      'first strong isolate (U+2068)': 'Ann\u2068Lee',
      'pop directional isolate (U+2069)': 'Ann\u2069',
      'right-to-left override': 'Ann\u202eeeL',
      'noncharacter U+FFFF': '\uffff',
      'noncharacter U+FDD0': 'Ann\ufdd0',
      'unassigned U+0378': 'Ann\u0378',
      'private use': '\ue000',
      'tag character': 'Ann\u{e0001}',
      tab: 'Ann\tLee',
      'line feed': 'Ann\nLee',
      'next line (C1)': 'Ann\u0085Lee',
      'line separator': 'Ann\u2028Lee',
      'lone high surrogate': 'Ann\ud800',
      'lone low surrogate': '\udc00Ann',
      empty: '',
      'only spaces': ' \u00a0 \u3000 ',
      [`${MAX_NAME_LENGTH + 1} code points`]: '😀'.repeat(MAX_NAME_LENGTH + 1),
    };
    for (const [what, raw] of Object.entries(bad)) expect(refused(raw), what).toBe('bad_name');
    expect(memberName('😀'.repeat(MAX_NAME_LENGTH)).ok).toBe(true);
  });

  it('is idempotent: an accepted name is accepted again as itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (raw) => {
        const r = memberName(raw);
        if (r.ok) expect(memberName(r.name)).toEqual(r);
      }),
      { numRuns: 3000 },
    );
  });

  it('is the rule of the CSV import: one name, typed or imported, gets the same answer', () => {
    const unit = fc.oneof(fc.constantFrom(' ', '\u00a0', '\t', '\u200b', '\u200d', '\u0301', '\u2066', '\uffff', '\ud800', '\u00ad', 'é', 'e', '李', ','), fc.string({ unit: 'binary', maxLength: 1 }));
    fc.assert(
      fc.property(fc.array(unit, { maxLength: 12 }).map((a) => a.join('')), (raw) => {
        const alone = memberName(raw);
        const imported = parseRosterCsv(`name,x\n"${raw.replaceAll('"', '""')}",1\n`);
        if (imported.ok) expect(alone).toEqual({ ok: true, name: imported.members[0].name });
        // A row whose name is blank after trimming is skipped as empty, like a ",,," row.
        else if (imported.code === 'csv_empty') expect(alone).toEqual({ ok: false, code: 'bad_name', reason: 'the name is empty' });
        else expect(imported).toEqual({ ok: false, code: 'csv_invalid', reason: `line 2: ${alone.ok ? '?' : alone.reason}` });
      }),
      { numRuns: 1000 },
    );
  });
});
