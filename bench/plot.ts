/**
 * bench/results/scale.svg: each target of issue #7 against its latest measurement, read from the
 * committed results (verify-throughput.json, scale.json, bundle.json). One row per target, each on
 * its own scale: the bar is the measurement, the tick is the target; green when met. Plain SVG
 * written by hand: no plotting tool to install.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const results = join(dirname(fileURLToPath(import.meta.url)), 'results');
const read = (name: string): any => (existsSync(join(results, name)) ? JSON.parse(readFileSync(join(results, name), 'utf8')) : null);

interface Row {
  label: string;
  value: number;
  target: number;
  /** 'min': the value must reach the target; 'max': it must stay under it. */
  kind: 'min' | 'max';
  text: string;
}

function rows(): Row[] {
  const out: Row[] = [];
  const vt = read('verify-throughput.json');
  if (vt) out.push({ label: 'verification throughput vs bare verifyProof', value: vt.ratio, target: 15, kind: 'min', text: `${vt.ratio.toFixed(1)}× (≥ 15×)` });
  const scale = read('scale.json');
  if (scale?.ingest) out.push({ label: `server ingest, ${scale.ingest.records} records, 150 members`, value: scale.ingest.ratio, target: 5, kind: 'min', text: `${scale.ingest.ratio}× one by one (≥ 5×)` });
  const bundle = read('bundle.json');
  if (bundle) {
    const n = bundle.signatures.toLocaleString('en');
    out.push({ label: `server ingest, ${bundle.ingest.records.toLocaleString('en')} records, 100,000 members`, value: bundle.ingest.ratio, target: 5, kind: 'min', text: `${bundle.ingest.ratio}× one by one (≥ 5×)` });
    out.push({ label: `undersigned verify, ${n} signatures${bundle.full ? '' : ' (partial)'}: wall`, value: bundle.verify.wallMs / 1000, target: 15, kind: 'max', text: `${(bundle.verify.wallMs / 1000).toFixed(1)} s (≤ 15 s)` });
    out.push({ label: `undersigned verify, ${n} signatures: peak RSS`, value: bundle.verify.peakRssMiB, target: 1024, kind: 'max', text: `${Math.round(bundle.verify.peakRssMiB)} MiB (< 1024)` });
  }
  // No target for the tree: the tick is the construction used before, on the same leaves, same run.
  if (scale?.tree) {
    out.push({ label: 'roster tree of 100,000, bottom-up, every core', value: scale.tree.parallelMs / 1000, target: scale.tree.beforeMs / 1000, kind: 'max', text: `${(scale.tree.parallelMs / 1000).toFixed(1)} s (tick: before, ${(scale.tree.beforeMs / 1000).toFixed(1)} s)` });
  }
  return out;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function writePlot(): void {
  const data = rows();
  const W = 920;
  const left = 370;
  const barW = 330;
  const rowH = 34;
  const top = 46;
  const H = top + data.length * rowH + 30;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="13">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600">Issue #7 targets: measured (bar) against target (tick), each row on its own scale</text>`,
  ];
  data.forEach((r, i) => {
    const y = top + i * rowH;
    const scaleMax = Math.max(r.value, r.target) * 1.15;
    const x = (v: number) => left + (v / scaleMax) * barW;
    const met = r.kind === 'min' ? r.value >= r.target : r.value <= r.target;
    parts.push(`<text x="16" y="${y + 17}">${esc(r.label)}</text>`);
    parts.push(`<rect x="${left}" y="${y + 5}" width="${barW}" height="18" fill="#f2f2f2"/>`);
    parts.push(`<rect x="${left}" y="${y + 5}" width="${Math.max(1, x(r.value) - left).toFixed(1)}" height="18" fill="${met ? '#2e8b57' : '#e07b24'}"/>`);
    parts.push(`<line x1="${x(r.target).toFixed(1)}" x2="${x(r.target).toFixed(1)}" y1="${y + 1}" y2="${y + 27}" stroke="#222" stroke-width="2"/>`);
    parts.push(`<text x="${left + barW + 12}" y="${y + 17}">${esc(r.text)}${met ? ' ✓' : ''}</text>`);
  });
  parts.push(`<text x="16" y="${H - 10}" fill="#555" font-size="11">From bench/results/*.json (npm run bench:verify, npm run bench:scale, bench/bundle-10k.ts). Green: target met; orange: not met.</text>`);
  parts.push('</svg>');
  writeFileSync(join(results, 'scale.svg'), parts.join('\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) writePlot();
