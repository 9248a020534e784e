/**
 * QR codes (ISO/IEC 18004) as a matrix of dark and light modules, made by the `qrcode` package
 * (its encoder only: no canvas, no file), for the PDF documents and the enrollment sheet's SVG.
 * Error correction M (15 % of the symbol can be lost): a printed slip folded or smudged still scans.
 */
import QRCode from 'qrcode';

export interface QrMatrix {
  /** Modules per side (21 for version 1, +4 per version). */
  size: number;
  /** Row-major, `size × size`: true is a dark module. */
  dark: boolean[];
}

export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const dark: boolean[] = [];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) dark.push(Boolean(modules.get(y, x)));
  return { size, dark };
}

/**
 * The dark modules as horizontal runs, one rectangle each: `[x, y, width]` in modules, row by
 * row. What both the PDF and the SVG draw (a few hundred rectangles instead of a thousand squares).
 */
export function qrRuns(m: QrMatrix): [number, number, number][] {
  const runs: [number, number, number][] = [];
  for (let y = 0; y < m.size; y++) {
    let x = 0;
    while (x < m.size) {
      if (!m.dark[y * m.size + x]) {
        x++;
        continue;
      }
      const start = x;
      while (x < m.size && m.dark[y * m.size + x]) x++;
      runs.push([start, y, x - start]);
    }
  }
  return runs;
}

/** An SVG path (`d`) of the dark modules, with a quiet zone of 4 modules: viewBox 0 0 size+8 size+8. */
export function qrSvgPath(m: QrMatrix): string {
  return qrRuns(m)
    .map(([x, y, w]) => `M${x + 4} ${y + 4}h${w}v1h-${w}z`)
    .join('');
}
