/**
 * Reading a PDF back as a reader would, for the document tests: its text with pdf.js (Mozilla's
 * PDF reader, pdfjs-dist's Node build), and a page rendered by pdf.js onto a canvas
 * (@napi-rs/canvas) as RGBA pixels, for jsQR to find the QR code in.
 */
import { createCanvas, loadImage } from '@napi-rs/canvas';
import jsQRModule from 'jsqr';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

// jsqr is CommonJS with its function on `default`: Node's ESM import wraps it once more.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

/** The text of the QR code found in RGBA pixels, or null. */
export function decodeQr(data: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(data, width, height)?.data ?? null;
}

async function open(pdf: Uint8Array) {
  // pdf.js takes ownership of the buffer it is given: hand it a copy.
  return getDocument({ data: new Uint8Array(pdf), useSystemFonts: false, isEvalSupported: false }).promise;
}

/** Every page's text, lines joined by newlines, pages by blank lines. */
export async function pdfText(pdf: Uint8Array): Promise<string> {
  const doc = await open(pdf);
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
  }
  await doc.destroy();
  return pages.join('\n\n');
}

export async function pdfPageCount(pdf: Uint8Array): Promise<number> {
  const doc = await open(pdf);
  const n = doc.numPages;
  await doc.destroy();
  return n;
}

/** Page `n` rendered at `scale` (1 = 72 dpi): RGBA pixels, and the PNG. */
export async function pdfPageImage(pdf: Uint8Array, n: number, scale: number): Promise<{ data: Uint8ClampedArray; width: number; height: number; png: Buffer }> {
  const doc = await open(pdf);
  const page = await doc.getPage(n);
  const viewport = page.getViewport({ scale });
  const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
  const context = canvas.getContext('2d');
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  await page.render({ canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
  const image = context.getImageData(0, 0, canvas.width, canvas.height);
  const png = canvas.toBuffer('image/png');
  await doc.destroy();
  return { data: image.data as unknown as Uint8ClampedArray, width: canvas.width, height: canvas.height, png };
}

/** The QR code found in a PNG (a screenshot), or null. */
export async function decodeQrPng(png: Buffer): Promise<string | null> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const { data } = context.getImageData(0, 0, image.width, image.height);
  return decodeQr(data as unknown as Uint8ClampedArray, image.width, image.height);
}
