import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_ROSTER_ROWS, parseRosterCsv } from '../src/core/roster/roster-csv.ts';

const names = (text: string) => {
  const r = parseRosterCsv(text);
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.members.map((m) => m.name);
};
const failure = (text: string) => {
  const r = parseRosterCsv(text);
  if (r.ok) throw new Error('expected the roster to be rejected');
  return r;
};

describe('parseRosterCsv: RFC 4180 syntax', () => {
  it('reads a simple file and puts the other columns in extra', () => {
    const r = parseRosterCsv('name,email,riding\nGeneviève Côté,gc@example.ca,Outremont\nMarc-André Tremblay,,Laurier\n');
    expect(r).toEqual({
      ok: true,
      members: [
        { name: 'Geneviève Côté', extra: { email: 'gc@example.ca', riding: 'Outremont' } },
        { name: 'Marc-André Tremblay', extra: { email: '', riding: 'Laurier' } },
      ],
    });
  });

  it('accepts quoted fields containing commas, doubled quotes and line breaks', () => {
    const r = parseRosterCsv('name,address\n"Smith, John","12 ""Elm"" St\r\nApt 3"\n"Robert ""Bob"" O\'Brien",x');
    expect(r.ok && r.members).toEqual([
      { name: 'Smith, John', extra: { address: '12 "Elm" St\r\nApt 3' } },
      { name: 'Robert "Bob" O\'Brien', extra: { address: 'x' } },
    ]);
  });

  it('accepts an empty quoted field', () => {
    const r = parseRosterCsv('name,email\nAnn Lee,""\n');
    expect(r.ok && r.members[0].extra).toEqual({ email: '' });
  });

  it('accepts CRLF, LF, lone CR and a mix, with or without a final line break', () => {
    for (const text of ['name\r\nA B\r\nC D\r\n', 'name\nA B\nC D', 'name\rA B\rC D\r', 'name\r\nA B\nC D']) {
      expect(names(text)).toEqual(['A B', 'C D']);
    }
  });

  it('strips a UTF-8 byte order mark before the header', () => {
    expect(names('\uFEFFname,riding\nA B,x\n')).toEqual(['A B']);
  });

  it('rejects an unterminated quote, naming the line where it opened', () => {
    const r = failure('name,note\nA B,ok\nC D,"never closed\nmore\nlines\n');
    expect(r.code).toBe('csv_invalid');
    expect(r.reason).toContain('line 3');
  });

  it('rejects a quote inside an unquoted field, and text after a closing quote', () => {
    expect(failure('name\nRobert "Bob" Smith\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 2') });
    expect(failure('name\n"Robert" Smith\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 2') });
  });

  it('rejects rows with the wrong number of fields, naming the line', () => {
    expect(failure('name,email\nA B,a@b\nC D\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 3') });
    expect(failure('name,email\nA B,a@b,extra\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 2') });
  });

  it('counts physical lines, so a multi-line quoted field shifts later line numbers', () => {
    const r = failure('name,note\nA B,"one\ntwo\r\nthree"\nC D,x,y\n');
    expect(r.reason).toContain('line 5');
  });

  it('skips rows in which every field is blank', () => {
    expect(names('name,email\n\nA B,x\n,\n  ,  \n\nC D,y\n,,\n')).toEqual(['A B', 'C D']);
  });
});

describe('parseRosterCsv: header', () => {
  it('finds the name column case-insensitively after trimming, in any position', () => {
    const r = parseRosterCsv('Email , NAME \na@b,A B\n');
    expect(r.ok && r.members).toEqual([{ name: 'A B', extra: { Email: 'a@b' } }]);
  });

  it('rejects a header without a name column', () => {
    expect(failure('first,last\nA,B\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('"name"') });
  });

  it('rejects duplicate or empty header columns', () => {
    expect(failure('name,Name\nA,B\n').code).toBe('csv_invalid');
    expect(failure('name,email,email\nA,B,C\n').code).toBe('csv_invalid');
    expect(failure('name,,email\nA,B,C\n').code).toBe('csv_invalid');
  });

  it('keeps a column named __proto__ as an ordinary key', () => {
    const r = parseRosterCsv('name,__proto__\nA B,x\n');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Object.getPrototypeOf(r.members[0].extra)).toBe(Object.prototype);
    expect(Object.keys(r.members[0].extra)).toEqual(['__proto__']);
    expect(r.members[0].extra['__proto__']).toBe('x');
  });
});

describe('parseRosterCsv: names', () => {
  it('trims names and collapses internal whitespace (including no-break spaces)', () => {
    expect(names('name\n   Jean    Tremblay  \n"  Marie-Ève\u00a0 Roy "\n')).toEqual(['Jean Tremblay', 'Marie-Ève Roy']);
  });

  it('normalizes names to NFC', () => {
    expect(names('name\nGeneviève Côté\n'.normalize('NFD'))).toEqual(['Geneviève Côté'.normalize('NFC')]);
  });

  it('trims extra values', () => {
    const r = parseRosterCsv('name,riding\nA B,  Outremont \n');
    expect(r.ok && r.members[0].extra.riding).toBe('Outremont');
  });

  it('rejects an empty name, naming the line', () => {
    expect(failure('name,email\nA B,x\n,y\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 3') });
    expect(failure('name,email\nA B,x\n"   ",y\n')).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 3') });
  });

  it('accepts a 200-character name and rejects a 201-character one, counting code points', () => {
    expect(names(`name\n${'a'.repeat(200)}\n`)).toHaveLength(1);
    expect(names(`name\n${'😀'.repeat(200)}\n`)).toHaveLength(1);
    expect(failure(`name\nA B\n${'a'.repeat(201)}\n`)).toMatchObject({ code: 'csv_invalid', reason: expect.stringContaining('line 3') });
  });

  it('rejects control characters, text-direction overrides and lone surrogates in a name', () => {
    for (const bad of ['Ann\tLee', 'Ann\u0000Lee', '"Ann\nLee"', 'Ann\u007fLee', 'Ann\u0085Lee', 'Ann\u202eeeL', 'Ann\u2066Lee', 'Ann\ud800Lee']) {
      expect(failure(`name\nA B\n${bad}\n`), JSON.stringify(bad)).toMatchObject({
        code: 'csv_invalid',
        reason: expect.stringContaining('line 3'),
      });
    }
  });

  it('rejects duplicate names, naming both lines', () => {
    const r = failure('name\nA B\nC D\nA B\n');
    expect(r.code).toBe('csv_duplicate_name');
    expect(r.reason).toContain('line 4');
    expect(r.reason).toContain('line 2');
  });

  it('treats names differing only in case, spacing or Unicode form as duplicates', () => {
    expect(failure('name\nMarc Tremblay\nMARC  TREMBLAY\n').code).toBe('csv_duplicate_name');
    expect(failure(`name\nCôté Ann\n${'Côté Ann'.normalize('NFD')}\n`).code).toBe('csv_duplicate_name');
  });
});

describe('parseRosterCsv: size', () => {
  it('rejects an empty file, a header-only file and a file of blank lines as csv_empty', () => {
    for (const text of ['', '\uFEFF', 'name\n', 'name,email\r\n\r\n,\r\n', '\n\n\n']) {
      expect(failure(text).code, JSON.stringify(text)).toBe('csv_empty');
    }
  });

  const roster = (rows: number) => {
    const parts = ['name,email'];
    for (let k = 0; k < rows; k++) parts.push(`Member ${k},m${k}@example.ca`);
    return parts.join('\r\n') + '\r\n';
  };

  it(`accepts ${MAX_ROSTER_ROWS} rows and rejects ${MAX_ROSTER_ROWS + 1} as csv_too_large`, () => {
    const r = parseRosterCsv(roster(MAX_ROSTER_ROWS));
    expect(r.ok && r.members.length).toBe(MAX_ROSTER_ROWS);
    expect(failure(roster(MAX_ROSTER_ROWS + 1)).code).toBe('csv_too_large');
  });

  it('parses 100,000 quoted rows', () => {
    const parts = ['"name","email","riding"'];
    for (let k = 0; k < 100_000; k++) parts.push(`"Tremblay, Member ${k}","m${k}@example.ca","Riding ""${k % 338}"""`);
    const r = parseRosterCsv(parts.join('\n'));
    expect(r.ok && r.members.length).toBe(100_000);
    expect(r.ok && r.members[99_999]).toEqual({
      name: 'Tremblay, Member 99999',
      extra: { email: 'm99999@example.ca', riding: `Riding "${99_999 % 338}"` },
    });
  });
});

describe('parseRosterCsv: property', () => {
  // Names as the parser would output them: trimmed, single-spaced, NFC, no controls, ≤ 200 code points.
  const forbidden = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
  const wordChar = fc.oneof(
    fc.constantFrom('a', 'Z', 'é', 'Ç', 'ß', 'İ', 'ı', '"', ',', "'", '-', '.', '😀', 'ℌ'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  );
  const word = fc.array(wordChar, { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
  const name = fc
    .array(word, { minLength: 1, maxLength: 4 })
    .map((ws) => ws.join(' '))
    .filter((n) => n === n.trim().replace(/\s+/g, ' ').normalize('NFC') && n !== '' && !forbidden.test(n) && [...n].length <= 200);
  const quote = (field: string) => (/[",\r\n]/.test(field) || field !== field.trim() ? `"${field.replaceAll('"', '""')}"` : field);

  it('any list of distinct valid names, serialized with quoting where needed, parses back to the same names', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { minLength: 1, maxLength: 40, selector: (n) => n.toLowerCase() }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (list, eol, bom, finalEol) => {
          const rows = ['riding,Name', ...list.map((n, k) => `${quote(`r${k}`)},${quote(n)}`)];
          const text = (bom ? '\uFEFF' : '') + rows.join(eol) + (finalEol ? eol : '');
          const r = parseRosterCsv(text);
          if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
          expect(r.members.map((m) => m.name)).toEqual(list);
          expect(r.members.map((m) => m.extra.riding)).toEqual(list.map((_, k) => `r${k}`));
        },
      ),
      { numRuns: 300 },
    );
  });
});
