/**
 * Summarises a Stryker run (reports/mutation/mutation.json) by folder of the protocol — letters,
 * log, sealed, ballots, procedures — as the Markdown table test/mutation/README.md keeps, and
 * lists every survivor and every mutant no test reaches, with its line.
 *
 *   node --import tsx test/mutation/summary.ts [reports/mutation/mutation.json]
 */
import { readFileSync } from 'node:fs';

interface Mutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}
interface Report {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

/** Which folder of the protocol a source file belongs to (stryker.config.mjs lists them). */
export function folderOf(file: string): string {
  if (file.includes('/log/')) return 'log';
  if (file.includes('/ballot/')) return 'ballots';
  if (/procedure/.test(file)) return 'procedures';
  if (/trustee\/|bundle-sealed|reveal|sealed|committee/.test(file)) return 'sealed';
  return 'letters';
}

const KILLED = new Set(['Killed', 'Timeout']);
const COUNTED = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);

if (process.argv[1]?.endsWith('summary.ts')) {
  const report = JSON.parse(readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8')) as Report;
  const rows = new Map<string, { killed: number; total: number; survived: number; noCoverage: number; ignored: number }>();
  const left: string[] = [];
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = source.split('\n');
    const row = rows.get(folderOf(file)) ?? { killed: 0, total: 0, survived: 0, noCoverage: 0, ignored: 0 };
    for (const m of mutants) {
      if (!COUNTED.has(m.status)) {
        row.ignored++;
        continue;
      }
      row.total++;
      if (KILLED.has(m.status)) row.killed++;
      if (m.status === 'Survived') row.survived++;
      if (m.status === 'NoCoverage') row.noCoverage++;
      if (!KILLED.has(m.status)) {
        const at = m.location.start.line;
        left.push(`${file}:${at} ${m.status} ${m.mutatorName}: \`${lines[at - 1].trim().slice(0, 100)}\` → \`${(m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80)}\``);
      }
    }
    rows.set(folderOf(file), row);
  }
  const all = [...rows.values()].reduce((a, r) => ({ killed: a.killed + r.killed, total: a.total + r.total, survived: a.survived + r.survived, noCoverage: a.noCoverage + r.noCoverage, ignored: a.ignored + r.ignored }));
  const pct = (r: { killed: number; total: number }) => ((100 * r.killed) / Math.max(1, r.total)).toFixed(1);
  console.log('| folder | mutants | killed | survived | no test reaches | score | not counted (static, ignored) |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const name of ['letters', 'log', 'sealed', 'ballots', 'procedures']) {
    const r = rows.get(name);
    if (r) console.log(`| ${name} | ${r.total} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${pct(r)} % | ${r.ignored} |`);
  }
  console.log(`| **all** | ${all.total} | ${all.killed} | ${all.survived} | ${all.noCoverage} | **${pct(all)} %** | ${all.ignored} |`);
  console.log(`\n${left.length} mutants left:\n`);
  for (const l of left) console.log(`- ${l}`);
}
