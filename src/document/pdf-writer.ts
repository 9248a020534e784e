/**
 * A small flowing layout on pdf-lib: paragraphs wrapped at word boundaries in one embedded font
 * (subset, so a page of text weighs a few dozen kilobytes), headings, indented lines, a QR code
 * beside a caption, page breaks, and "page i / n" at the foot of each page.
 *
 * Reproducible: no date or producer from the clock or the library's version (`updateMetadata:
 * false`), a fixed subset name instead of pdf-lib's generated one, and nothing else that varies
 * between runs, so the same input gives the same bytes in Node and in a browser. The text is real
 * text (a ToUnicode map comes with the font), so it can be selected, searched and extracted.
 */
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { type QrMatrix, qrRuns } from './qr.ts';

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const WIDTH = A4[0] - 2 * MARGIN;
const BOTTOM = MARGIN + 24; // room for the page number
const INK = rgb(0.1, 0.1, 0.12);
const MUTED = rgb(0.35, 0.35, 0.4);

export interface TextStyle {
  size?: number;
  /** Space above, in points. */
  before?: number;
  indent?: number;
  muted?: boolean;
  /** Line height as a multiple of the size. */
  leading?: number;
}

/** What the text layer may hold: no control characters but the newline; tabs become spaces. */
export function printable(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, '');
}

export class PdfWriter {
  private page: PDFPage;
  private y: number;

  private constructor(
    private readonly doc: PDFDocument,
    private readonly font: PDFFont,
  ) {
    this.page = doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  /** A new document in `font` (a TrueType or OpenType font's bytes), with its title and language. */
  static async create(font: Uint8Array, meta: { title: string; lang: string; subject: string }): Promise<PdfWriter> {
    const doc = await PDFDocument.create({ updateMetadata: false });
    doc.registerFontkit(fontkit);
    const embedded = await doc.embedFont(font, { subset: true, customName: 'UNDSGN+DejaVuSans' });
    doc.setTitle(printable(meta.title).replace(/\n/g, ' '), { showInWindowTitleBar: true });
    doc.setSubject(meta.subject);
    doc.setLanguage(meta.lang);
    doc.setCreator('undersigned');
    doc.setProducer('undersigned');
    return new PdfWriter(doc, embedded);
  }

  /** A paragraph (or several, split on newlines), wrapped to the text width. */
  text(text: string, style: TextStyle = {}): void {
    const size = style.size ?? 10.5;
    const leading = size * (style.leading ?? 1.35);
    const indent = style.indent ?? 0;
    this.y -= style.before ?? 0;
    for (const line of this.wrap(printable(text), size, WIDTH - indent)) {
      this.room(leading);
      this.y -= leading;
      if (line) this.page.drawText(line, { x: MARGIN + indent, y: this.y + (leading - size) / 2, size, font: this.font, color: style.muted ? MUTED : INK });
    }
  }

  heading(text: string, size = 13): void {
    // Keep a heading with at least two lines of what follows.
    this.room(size * 1.4 + 14 + 30);
    this.text(text, { size, before: 14 });
    this.y -= 3;
  }

  space(points: number): void {
    this.y -= points;
  }

  /** A QR code (`modulePt` points per module, with its quiet zone) and, beside it, `lines` of text. */
  qr(matrix: QrMatrix, modulePt: number, caption: string[]): void {
    const side = (matrix.size + 8) * modulePt;
    this.room(side);
    const top = this.y;
    const left = MARGIN;
    this.qrAt(matrix, left, top, modulePt);
    const size = 9;
    let y = top - 4 * modulePt;
    for (const line of caption.flatMap((c) => this.wrap(printable(c), size, WIDTH - side - 12))) {
      y -= size * 1.35;
      this.page.drawText(line, { x: left + side + 12, y, size, font: this.font, color: INK });
    }
    this.y = Math.min(top - side, y - 4);
  }

  /** Text at a fixed place (top-left of its first line), wrapped to `width`; returns the y below it. */
  textAt(text: string, x: number, top: number, width: number, style: { size?: number; muted?: boolean } = {}): number {
    const size = style.size ?? 10;
    let y = top;
    for (const line of this.wrap(printable(text), size, width)) {
      y -= size * 1.3;
      if (line) this.page.drawText(line, { x, y, size, font: this.font, color: style.muted ? MUTED : INK });
    }
    return y;
  }

  /** A QR code with its top-left corner (quiet zone included) at (x, top). */
  qrAt(matrix: QrMatrix, x: number, top: number, modulePt: number): void {
    for (const [mx, my, w] of qrRuns(matrix)) {
      this.page.drawRectangle({ x: x + (mx + 4) * modulePt, y: top - (my + 5) * modulePt, width: w * modulePt, height: modulePt, color: rgb(0, 0, 0) });
    }
  }

  /** A dashed line across the text width at height y (where to cut). */
  cutLine(y: number): void {
    this.page.drawLine({ start: { x: MARGIN, y }, end: { x: MARGIN + WIDTH, y }, thickness: 0.5, color: MUTED, dashArray: [4, 3] });
  }

  /** The page's text area: left edge, top, width and bottom. */
  static readonly area = { left: MARGIN, top: A4[1] - MARGIN, width: WIDTH, bottom: BOTTOM };

  /** The remaining height on this page, down to the bottom margin. */
  get remaining(): number {
    return this.y - BOTTOM;
  }

  /** Start a new page unless `height` points still fit on this one. */
  room(height: number): void {
    if (this.y - height >= BOTTOM) return;
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  newPage(): void {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - MARGIN;
  }

  /** Number the pages ("footer · 2 / 3") and write the file. */
  async save(footer: string): Promise<Uint8Array> {
    const pages = this.doc.getPages();
    const foot = printable(footer).replace(/\n/g, ' ');
    pages.forEach((p, i) => {
      const label = this.fit(`${foot} · ${i + 1} / ${pages.length}`, 8, WIDTH);
      p.drawText(label, { x: MARGIN, y: MARGIN - 8, size: 8, font: this.font, color: MUTED });
    });
    return this.doc.save({ useObjectStreams: false });
  }

  widthOf(text: string, size: number): number {
    return this.font.widthOfTextAtSize(text, size);
  }

  /** `text` cut with an ellipsis to fit `width`. */
  private fit(text: string, size: number, width: number): string {
    if (this.widthOf(text, size) <= width) return text;
    let cut = text;
    while (cut.length > 1 && this.widthOf(cut + '…', size) > width) cut = cut.slice(0, -1);
    return cut + '…';
  }

  /** Lines of at most `width` points: broken at spaces, and inside a word only if it alone is too wide (a hash, a URL). */
  wrap(text: string, size: number, width: number): string[] {
    const lines: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line = '';
      for (const word of paragraph.split(' ')) {
        const candidate = line ? `${line} ${word}` : word;
        if (this.widthOf(candidate, size) <= width) {
          line = candidate;
          continue;
        }
        if (line) lines.push(line);
        line = '';
        let rest = [...word]; // code points: a surrogate pair is never cut in two
        while (this.widthOf(rest.join(''), size) > width) {
          let n = rest.length - 1;
          while (n > 1 && this.widthOf(rest.slice(0, n).join(''), size) > width) n--;
          lines.push(rest.slice(0, n).join(''));
          rest = rest.slice(n);
        }
        line = rest.join('');
      }
      lines.push(line);
    }
    return lines;
  }
}
