/**
 * Fingerprint words (src/core/fingerprint-words.ts): two frozen lists of 256 words, one per
 * language, indexing the same bytes of a digest.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, sha256, utf8ToBytes } from '../src/core/encoding.ts';
import { WORDS_EN, WORDS_FR, fingerprintWords } from '../src/core/fingerprint-words.ts';

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

  it('word i is the list entry for byte i of the digest, 8 words by default', () => {
    expect(fingerprintWords(digest, 'en').slice(0, 4)).toEqual([WORDS_EN[0], WORDS_EN[255], WORDS_EN[1], WORDS_EN[254]]);
    expect(fingerprintWords(digest, 'en')).toHaveLength(8);
    expect(fingerprintWords(digest, 'fr', 3)).toEqual([WORDS_FR[0], WORDS_FR[255], WORDS_FR[1]]);
  });

  it('English and French words name the same bytes', () => {
    const en = fingerprintWords(digest, 'en').map((w) => WORDS_EN.indexOf(w));
    const fr = fingerprintWords(digest, 'fr').map((w) => WORDS_FR.indexOf(w));
    expect(fr).toEqual(en);
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
