/**
 * The PDF documents in the browser: the delivery document of a result file this browser verified
 * (letter and verify pages) and the enrollment sheet (organizer pages). The code that writes them
 * (src/document/, with pdf-lib) and the font (DejaVu Sans, from the dejavu-fonts-ttf package,
 * served by this instance) load only when a document is asked for, so no other page pays for them.
 * Same code and font as `undersigned bundle pdf`: the same file gives the same bytes.
 */
import fontUrl from 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf?url';
import type { BundleVerdict } from '../core/bundle/bundle.ts';
import type { ProcedureVerdict } from '../core/bundle/procedure-bundle.ts';
import type { Check } from '../core/result.ts';
import type { Slip } from '../document/enrollment-sheet.ts';

let font: Promise<Uint8Array> | null = null;

function documentFont(): Promise<Uint8Array> {
  font ??= fetch(fontUrl).then(async (r) => {
    if (!r.ok) throw new Error(`the document font could not be loaded (${r.status})`);
    return new Uint8Array(await r.arrayBuffer());
  });
  font.catch(() => (font = null));
  return font;
}

/** The delivery document of a result file (its exact bytes, or its text as fetched), given the verdict this browser computed on exactly it. */
export async function deliveryPdf(file: string | Uint8Array, verdict: BundleVerdict | ProcedureVerdict, lang: 'en' | 'fr'): Promise<Check<{ pdf: Uint8Array; sha256: string }>> {
  const [{ deliveryDocument }, bytes] = await Promise.all([import('../document/delivery.ts'), documentFont()]);
  return deliveryDocument({ bundle: typeof file === 'string' ? new TextEncoder().encode(file) : file, verdict, lang, font: bytes, site: window.location.origin });
}

export async function enrollmentSheetPdf(group: string, slips: Slip[], lang: 'en' | 'fr'): Promise<Uint8Array> {
  const [{ enrollmentSheet }, bytes] = await Promise.all([import('../document/enrollment-sheet.ts'), documentFont()]);
  return enrollmentSheet({ group, site: window.location.origin, slips, lang, font: bytes });
}
