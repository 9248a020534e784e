/**
 * Where the verifier in one file lives once the web app is built (vite.verifier.config.ts, run by
 * vite.config.ts): `undersigned verifier --out` copies it and the server offers it for download
 * (src/server/web.ts), so both hand out the same bytes.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VERIFIER_FILE_NAME = 'undersigned-verify.html';
export const DEFAULT_VERIFIER_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/verifier', VERIFIER_FILE_NAME);
