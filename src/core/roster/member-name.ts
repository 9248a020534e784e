/**
 * The one rule for a member's name, whether the organizer types it (POST /api/admin/members) or
 * a CSV import brings it (roster-csv.ts): a name is shown to every member and published on the
 * log, so it must read as what it is.
 *
 * 1. Well-formed UTF-16 (no lone surrogate: canonical JSON, RFC 8785 §3.2.2.2, cannot encode one).
 * 2. No invisible or meaningless character (Unicode general categories, UAX #44 §5.7.1):
 *    Cc controls (tab and line breaks included); Cf format characters (zero-width space, soft
 *    hyphen, byte order mark, the bidirectional controls that can make a name read differently
 *    from its text, CVE-2021-42574 "Trojan Source") except the zero-width joiner and non-joiner
 *    that Persian, Indic scripts and emoji need; Zl, Zp line and paragraph separators; Co private
 *    use; Cn unassigned code points and noncharacters such as U+FFFF.
 * 3. Normalized: Unicode NFC (UAX #15), so the same name typed on two systems compares equal;
 *    trimmed, and every run of spaces (no-break spaces included) one space.
 * 4. 1 to 200 code points after that.
 * 5. Not starting with a combining mark (Mn, Mc, Me): a mark belongs on the character before it.
 * With 2, 3 and 5, a name's first character is a letter, number, punctuation or symbol: never blank.
 */
import { type Check, fail, pass } from '../result.ts';

/** Longest member name, in Unicode code points (after normalization). */
export const MAX_NAME_LENGTH = 200;

/** Rule 2: Cc, Cf other than U+200C/U+200D, Zl, Zp, Co, Cn (Cs cannot remain after rule 1). */
const INVISIBLE = /[\p{Cc}\p{Zl}\p{Zp}\p{Co}\p{Cn}]|(?![\u200c\u200d])\p{Cf}/u;
const LEADING_MARK = /^\p{M}/u;

/** The name as it is stored and published, or why it cannot be one (code `bad_name`). */
export function memberName(raw: string): Check<{ name: string }> {
  // 1.
  if (!raw.isWellFormed()) return fail('bad_name', 'the name has an unpaired UTF-16 surrogate (not text)');
  // 2.
  const invisible = INVISIBLE.exec(raw);
  if (invisible) {
    const cp = invisible[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    return fail('bad_name', `the name has an invisible or unassigned character, U+${cp} (a control such as a tab or line break, a format or text-direction character, or an unassigned code point)`);
  }
  // 3.
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  // 4.
  if (name === '') return fail('bad_name', 'the name is empty');
  if (name.length > MAX_NAME_LENGTH && [...name].length > MAX_NAME_LENGTH) return fail('bad_name', `the name is longer than ${MAX_NAME_LENGTH} characters`);
  // 5.
  if (LEADING_MARK.test(name)) return fail('bad_name', 'the name starts with a combining mark (an accent with no letter under it)');
  return pass({ name });
}
