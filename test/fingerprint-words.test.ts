/**
 * Fingerprint words (src/core/fingerprint-words.ts): two frozen lists of 256 words, one per
 * language, indexing the same bytes of a digest.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { WORDS_EN, WORDS_FR, fingerprintPositions, fingerprintWords } from '../src/core/fingerprint-words.ts';

const lists = { en: WORDS_EN, fr: WORDS_FR };

describe('fingerprint word lists', () => {
  for (const [lang, words] of Object.entries(lists)) {
    it(`${lang}: 256 distinct lowercase ASCII words, none a prefix of another`, () => {
      expect(words).toHaveLength(256);
      expect(new Set(words).size).toBe(256);
      for (const w of words) expect(w).toMatch(/^[a-z]{2,12}$/);
      const prefixes = words.filter((a) => words.some((b) => a !== b && b.startsWith(a)));
      expect(prefixes).toEqual([]);
    });
  }

  it('the lists are frozen: changing a word would change every fingerprint ever shown', () => {
    // SHA-256 of each list joined by newlines, pinned when the lists were written.
    const digest = (words: readonly string[]) => bytesToHex(sha256(utf8ToBytes(words.join('\n'))));
    expect(digest(WORDS_EN)).toBe('743ecf3d3749e3aa6295185cf9de71facf5ff7606ffee0a3bceeb1088168abbe');
    expect(digest(WORDS_FR)).toBe('05b2436f92169d845fc1776508504497e2e5f27606dc257e1cf9ecba71b2c4cd');
    expect(Object.isFrozen(WORDS_EN) && Object.isFrozen(WORDS_FR)).toBe(true);
  });
});

describe('fingerprintWords', () => {
  const digest = '00ff01fe' + '7f'.repeat(28);

  it('word i is the list entry for byte i of the digest when the bytes are distinct (v1 and v2 agree), 8 words by default', () => {
    expect(fingerprintWords(digest, 'en').slice(0, 4)).toEqual([WORDS_EN[0], WORDS_EN[255], WORDS_EN[1], WORDS_EN[254]]);
    expect(fingerprintWords(digest, 'en')).toHaveLength(8);
    expect(fingerprintWords(digest, 'fr', 3)).toEqual([WORDS_FR[0], WORDS_FR[255], WORDS_FR[1]]);
  });

  it('English and French words name the same bytes', () => {
    const en = fingerprintWords(digest, 'en').map((w) => WORDS_EN.indexOf(w));
    const fr = fingerprintWords(digest, 'fr').map((w) => WORDS_FR.indexOf(w));
    expect(fr).toEqual(en);
  });

  it('a repeated byte takes the next free position: no word repeats within one fingerprint (docs/protocol.md §1.1)', () => {
    // The example of docs/protocol.md §1.1: 05 05 → positions 5, 6.
    expect(fingerprintWords('0505' + '00'.repeat(30), 'en', 2)).toEqual(['badge', 'bagel']);
    // 00 00 00 …: positions 0, 1, 2, …; and the same positions in French.
    expect(fingerprintWords('00'.repeat(32), 'en')).toEqual(WORDS_EN.slice(0, 8));
    expect(fingerprintWords('00'.repeat(32), 'fr')).toEqual(WORDS_FR.slice(0, 8));
    // Wrapping after 255: ff ff fe → 255, 0, 254; 07 08 07 → 7, 8, 9 (7 and 8 taken).
    expect(fingerprintPositions('fffffe')).toEqual([255, 0, 254]);
    expect(fingerprintPositions('070807')).toEqual([7, 8, 9]);
    // A digest that read "loup abeille bateau loup" in v1 (bytes 6e 00 11 6e) now ends on the next word.
    const v1Repeat = '6e00116e' + 'aa'.repeat(28);
    expect(fingerprintWords(v1Repeat, 'fr', 4)).toEqual(['loup', 'abeille', 'bateau', 'loutre']);
  });

  it('for every digest: distinct words, the same positions in both languages, and v1 wherever v1 did not repeat', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 32 }), (bytes, count) => {
        const hex = bytesToHex(bytes);
        const en = fingerprintWords(hex, 'en', count);
        const fr = fingerprintWords(hex, 'fr', count);
        expect(new Set(en).size).toBe(count);
        expect(new Set(fr).size).toBe(count);
        expect(fr.map((w) => WORDS_FR.indexOf(w))).toEqual(en.map((w) => WORDS_EN.indexOf(w)));
        const firstBytes = [...bytes.slice(0, count)];
        if (new Set(firstBytes).size === count) expect(en).toEqual(firstBytes.map((b) => WORDS_EN[b]));
      }),
    );
  });

  it('refuses what is not lowercase hex of enough bytes, and silly counts', () => {
    expect(() => fingerprintWords('ABCD'.repeat(16), 'en')).toThrow(RangeError);
    expect(() => fingerprintWords('abc', 'en', 1)).toThrow(RangeError);
    expect(() => fingerprintWords('00'.repeat(7), 'en')).toThrow(RangeError);
    expect(() => fingerprintWords(digest, 'en', 0)).toThrow(RangeError);
    expect(() => fingerprintWords(digest, 'en', 33)).toThrow(RangeError);
    expect(() => fingerprintWords(digest, 'de' as 'en')).toThrow(RangeError);
  });
});
