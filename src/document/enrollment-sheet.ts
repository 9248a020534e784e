/**
 * The enrollment sheet as a PDF (issue #15): one slip per member, three to a page, with the
 * member's name, their code, what to do, and a QR code that opens the enrollment page with the
 * code filled in. The code travels in the URL's fragment (`/enroll#code=…`), which a browser never
 * sends to the server: it stays out of server and proxy logs, and opening the page spends nothing
 * (only the member's enrollment request does: docs/protocol.md §3.5).
 *
 * Pure, like delivery.ts: the font is given, and the same slips give the same bytes. The organizer
 * page offers this file as soon as codes are made, because the codes live only in that tab.
 */
import { enrollmentUrl } from './links.ts';
import { PdfWriter } from './pdf-writer.ts';
import { qrMatrix } from './qr.ts';
import { type DocumentLanguage, documentText, instantText } from './strings.ts';

export interface Slip {
  name: string;
  code: string;
  expiresAt: string;
}

const PER_PAGE = 3;

export async function enrollmentSheet(input: { group: string; site: string; slips: Slip[]; lang: DocumentLanguage; font: Uint8Array }): Promise<Uint8Array> {
  const { lang } = input;
  const title = documentText(lang, 'sheet.title', { group: input.group });
  const w = await PdfWriter.create(input.font, { title, lang: lang === 'fr' ? 'fr-CA' : 'en-CA', subject: title });
  const { left, top, width, bottom } = PdfWriter.area;
  const height = (top - bottom) / PER_PAGE;
  const modulePt = 3;
  const enroll = `${input.site.replace(/\/+$/, '')}/enroll`;
  input.slips.forEach((slip, i) => {
    if (i > 0 && i % PER_PAGE === 0) w.newPage();
    const slipTop = top - (i % PER_PAGE) * height;
    if (i % PER_PAGE > 0) w.cutLine(slipTop + 2);
    const qr = qrMatrix(enrollmentUrl(input.site, slip.code));
    const side = (qr.size + 8) * modulePt;
    w.qrAt(qr, left, slipTop - 8, modulePt);
    const x = left + side + 14;
    const textWidth = width - side - 14;
    let y = w.textAt(input.group, x, slipTop - 12, textWidth, { size: 9, muted: true });
    y = w.textAt(slip.name, x, y - 2, textWidth, { size: 15 });
    y = w.textAt(documentText(lang, 'sheet.step1', { url: enroll }), x, y - 4, textWidth, { size: 9.5 });
    y = w.textAt(documentText(lang, 'sheet.step2', { date: instantText(lang, slip.expiresAt) }), x, y - 4, textWidth, { size: 9.5 });
    y = w.textAt(slip.code, x + 10, y - 4, textWidth - 10, { size: 17 });
    y = w.textAt(documentText(lang, 'sheet.private'), x, y - 6, textWidth, { size: 8.5, muted: true });
    w.textAt(documentText(lang, 'sheet.footer'), x, y - 1, textWidth, { size: 8.5, muted: true });
  });
  return w.save(title);
}
