/**
 * Byte encodings shared by every protocol object: canonical JSON, hex, base64, SHA-256.
 *
 * Canonical JSON is the subset of RFC 8785 (JSON Canonicalization Scheme) that our objects use:
 * strings, booleans, null, safe integers, arrays and objects; object keys sorted by UTF-16 code
 * units, no insignificant whitespace, strings escaped as ECMAScript JSON.stringify does (which
 * RFC 8785 §3.2.2.2 adopts). Big numbers (field elements) are always decimal strings, never JSON
 * numbers, so no float formatting question arises. See docs/protocol.md §1.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes, concatBytes } from '@noble/hashes/utils.js';

export { sha256, bytesToHex, hexToBytes, utf8ToBytes, concatBytes };

export type Canonical = string | number | boolean | null | Canonical[] | { [key: string]: Canonical };

export class EncodingError extends Error {
  readonly code = 'bad_encoding';
}

/** Serialize a value as canonical JSON (RFC 8785 subset). Throws EncodingError on anything else. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new EncodingError('string is not well-formed UTF-16');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new EncodingError(`number ${value} is not a safe integer`);
      return String(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new EncodingError('only plain objects can be encoded');
      const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
      return `{${keys.map((k) => `${canonicalJson(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
    }
    default:
      throw new EncodingError(`cannot encode a value of type ${typeof value}`);
  }
}

/**
 * Throw what canonicalJson would throw for `value` (the same first error: keys in the same order),
 * without building the text (a large bundle is checked once before its parts are hashed).
 */
export function assertCanonicalEncodable(value: unknown): void {
  if (value === null) return;
  switch (typeof value) {
    case 'string':
      if (!value.isWellFormed()) throw new EncodingError('string is not well-formed UTF-16');
      return;
    case 'boolean':
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) throw new EncodingError(`number ${value} is not a safe integer`);
      return;
    case 'object': {
      if (Array.isArray(value)) {
        for (const v of value) assertCanonicalEncodable(v);
        return;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new EncodingError('only plain objects can be encoded');
      for (const k of Object.keys(value).sort()) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue;
        assertCanonicalEncodable(k);
        assertCanonicalEncodable(v);
      }
      return;
    }
    default:
      throw new EncodingError(`cannot encode a value of type ${typeof value}`);
  }
}

/**
 * Where the first string or object key of `value` that is not well-formed UTF-16 (a lone
 * surrogate, which canonical JSON refuses) is, as a path of keys and indexes; null when there is
 * none. Iterative, so a deeply nested value (JSON.parse accepts any depth) cannot exhaust the stack.
 */
export function illFormedStringPath(value: unknown): (string | number)[] | null {
  // Each node links to its parent, so the path is built only for the one ill-formed string.
  interface Node { value: unknown; key: string | number; parent: Node | null }
  const pathOf = (node: Node, last: (string | number)[] = []): (string | number)[] => {
    const reversed = [...last];
    for (let n: Node | null = node; n.parent !== null; n = n.parent) reversed.push(n.key);
    return reversed.reverse();
  };
  const stack: Node[] = [{ value, key: '', parent: null }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const v = node.value;
    if (typeof v === 'string') {
      if (!v.isWellFormed()) return pathOf(node);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) {
        const e: unknown = v[i];
        if (typeof e === 'string') {
          if (!e.isWellFormed()) return pathOf(node, [i]);
        } else if (typeof e === 'object' && e !== null) stack.push({ value: e, key: i, parent: node });
      }
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const k = keys[i];
        if (!k.isWellFormed()) return pathOf(node, [k.toWellFormed()]);
        const e = (v as Record<string, unknown>)[k];
        if (typeof e === 'string') {
          if (!e.isWellFormed()) return pathOf(node, [k]);
        } else if (typeof e === 'object' && e !== null) stack.push({ value: e, key: k, parent: node });
      }
    }
  }
  return null;
}

/** UTF-8 bytes of the canonical JSON of `value`. */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}

/** SHA-256 of a domain tag, a NUL byte, then the canonical JSON of `value`, as lowercase hex. */
export function taggedHash(tag: string, value: unknown): string {
  return bytesToHex(sha256(concatBytes(utf8ToBytes(tag), new Uint8Array([0]), canonicalBytes(value))));
}

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

/** Strict standard base64 (RFC 4648 §4, padded). Returns null on anything else. */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  // Reject non-canonical encodings (non-zero padding bits) by re-encoding.
  return toBase64(out) === text ? out : null;
}

export function isHex(text: string, bytes: number): boolean {
  return text.length === bytes * 2 && /^[0-9a-f]*$/.test(text);
}
