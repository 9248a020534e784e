/**
 * The font of the PDF documents (src/document/), read from the dejavu-fonts-ttf package: DejaVu
 * Sans covers French and most Latin, Greek and Cyrillic names. The web app serves the same file
 * (imported with Vite's `?url`), so a document made in the browser has the same bytes.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export function documentFont(): Uint8Array {
  return new Uint8Array(readFileSync(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));
}
