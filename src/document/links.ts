/**
 * The addresses the documents' QR codes hold. Both carry their secret or hash in the URL fragment,
 * which a browser never sends in a request: it stays out of server and proxy logs.
 */

/** The verify page, expecting the result file with this SHA-256 (verify.tsx reads the fragment). */
export function verifyPageUrl(site: string, fileSha256: string): string {
  return `${site.replace(/\/+$/, '')}/verify#sha256=${fileSha256}`;
}

/** The enrollment page with this code filled in (enroll.tsx reads the fragment; opening the page spends nothing). */
export function enrollmentUrl(site: string, code: string): string {
  return `${site.replace(/\/+$/, '')}/enroll#code=${encodeURIComponent(code)}`;
}
