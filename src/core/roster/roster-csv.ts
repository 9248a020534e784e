/**
 * Roster import from CSV (RFC 4180): comma-separated fields, fields optionally enclosed in double
 * quotes, a quote inside a quoted field written as two quotes, records ended by CRLF or LF (a lone
 * CR, as old Mac spreadsheets write, is also accepted), an optional UTF-8 byte order mark. The
 * first record is the header; it must have a `name` column (case-insensitive, trimmed). Other
 * columns are kept per member in `extra`, keyed by their trimmed header text.
 *
 * Names follow the one rule for a member's name (member-name.ts: no invisible character, NFC,
 * trimmed, runs of spaces collapsed, 1 to 200 code points). Duplicate detection ignores
 * letter case: "Marc Tremblay" and "MARC TREMBLAY" on one roster are almost surely one person, and
 * a roster with one person twice would give them two votes.
 *
 * Rows in which every field is blank (spreadsheets export trailing ",,," rows) are skipped.
 * Single pass over the text; every error names the 1-based line where the record starts.
 * Codes: csv_invalid, csv_duplicate_name, csv_empty, csv_too_large.
 */
import { type Check, fail, pass } from '../result.ts';
import { memberName } from './member-name.ts';

export const MAX_ROSTER_ROWS = 200_000;
export { MAX_NAME_LENGTH } from './member-name.ts';

export interface RosterCsvMember {
  name: string;
  extra: Record<string, string>;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

export function parseRosterCsv(text: string): Check<{ members: RosterCsvMember[] }> {
  if (typeof text !== 'string') return fail('csv_invalid', 'the roster must be text');
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;

  let header: string[] | null = null;
  let nameColumn = -1;
  const members: RosterCsvMember[] = [];
  /** Case-folded name → where it first appeared. */
  const seen = new Map<string, { line: number; name: string }>();
  const fields: string[] = [];

  while (i < n) {
    // ---- Read one record into `fields`. ----
    const recordLine = line;
    fields.length = 0;
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        const openLine = line;
        let value = '';
        let start = ++i;
        for (;;) {
          const q = text.indexOf('"', i);
          if (q === -1) return fail('csv_invalid', `line ${openLine}: a quoted field is never closed (missing ")`);
          line += countLineBreaks(text, i, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += text.slice(start, q + 1);
            i = start = q + 2;
            continue;
          }
          value += text.slice(start, q);
          i = q + 1;
          break;
        }
        const c = i < n ? text.charCodeAt(i) : -1;
        if (c !== COMMA && c !== CR && c !== LF && c !== -1) {
          return fail('csv_invalid', `line ${line}: unexpected text after a closing quote; a quote inside a quoted field must be doubled ("")`);
        }
        fields.push(value);
      } else {
        const start = i;
        let c = -1;
        while (i < n) {
          c = text.charCodeAt(i);
          if (c === COMMA || c === CR || c === LF) break;
          if (c === QUOTE) {
            return fail('csv_invalid', `line ${line}: a quote (") inside an unquoted field; enclose the field in quotes and double the quote`);
          }
          i++;
        }
        fields.push(text.slice(start, i));
      }
      // `i` is at a comma, a line break, or the end.
      if (i >= n) break;
      const c = text.charCodeAt(i);
      i++;
      if (c === COMMA) continue;
      if (c === CR && text.charCodeAt(i) === LF) i++;
      line++;
      break;
    }

    // ---- Interpret the record. ----
    if (isBlankRecord(fields)) continue;
    if (header === null) {
      header = fields.map((f) => f.trim());
      const seenColumns = new Set<string>();
      for (let col = 0; col < header.length; col++) {
        const h = header[col];
        if (h === '') return fail('csv_invalid', `line ${recordLine}: header column ${col + 1} has no name`);
        const key = h.toLowerCase();
        if (seenColumns.has(key)) return fail('csv_invalid', `line ${recordLine}: header column ${echo(h)} appears twice`);
        seenColumns.add(key);
        if (key === 'name') nameColumn = col;
      }
      if (nameColumn === -1) {
        return fail('csv_invalid', `line ${recordLine}: the header row has no "name" column (found: ${echoColumns(header)})`);
      }
      continue;
    }
    if (fields.length !== header.length) {
      return fail('csv_invalid', `line ${recordLine}: expected ${header.length} fields as in the header, found ${fields.length}`);
    }
    if (members.length >= MAX_ROSTER_ROWS) {
      return fail('csv_too_large', `a roster has at most ${MAX_ROSTER_ROWS} rows; this one has more (line ${recordLine})`);
    }
    const checked = memberName(fields[nameColumn]);
    if (!checked.ok) return fail('csv_invalid', `line ${recordLine}: ${checked.reason}`);
    const { name } = checked;
    const key = name.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      const spelled = first.name === name ? '' : ` (as "${first.name}")`;
      return fail(
        'csv_duplicate_name',
        `line ${recordLine}: "${name}" is already on line ${first.line}${spelled}; give the two members distinguishable names (for example a middle initial)`,
      );
    }
    seen.set(key, { line: recordLine, name });
    const extra: Record<string, string> = {};
    for (let col = 0; col < header.length; col++) {
      if (col === nameColumn) continue;
      const column = header[col];
      const value = fields[col].trim();
      // A column named "__proto__" must stay an ordinary key, not set the prototype.
      if (column === '__proto__') Object.defineProperty(extra, column, { value, enumerable: true, writable: true, configurable: true });
      else extra[column] = value;
    }
    members.push({ name, extra });
  }

  if (header === null) return fail('csv_empty', 'the roster is empty: no header row and no members');
  if (members.length === 0) return fail('csv_empty', 'the roster has a header row but no members');
  return pass({ members });
}

function isBlankRecord(fields: string[]): boolean {
  for (const f of fields) if (f.trim() !== '') return false;
  return true;
}

/** Line breaks (CRLF, LF, or lone CR) in text[from, to). */
function countLineBreaks(text: string, from: number, to: number): number {
  let count = 0;
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c === LF) count++;
    else if (c === CR && text.charCodeAt(k + 1) !== LF) count++;
  }
  return count;
}

/** Text from the file quoted in a message, cut to 40 characters: a message must stay short whatever the file holds. */
function echo(text: string): string {
  if (text.length <= 40) return JSON.stringify(text);
  // Not half of a surrogate pair at the cut.
  const cut = /[\ud800-\udbff]$/.test(text.slice(0, 40)) ? text.slice(0, 39) : text.slice(0, 40);
  return JSON.stringify(`${cut}…`);
}

/** The header's first five columns for a message, each cut as by `echo`, and how many more there are. */
function echoColumns(header: string[]): string {
  const shown = header.slice(0, 5).map(echo).join(', ');
  return header.length > 5 ? `${shown} and ${header.length - 5} more` : shown;
}
