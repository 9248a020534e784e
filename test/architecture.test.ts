/**
 * The shape of the code (issue #12), checked so that it cannot drift back in a refactoring:
 * the core is pure and imports nothing outside itself, grouped in concept folders with a short
 * README each; the web app never imports the server; the CLI imports the server only to run it;
 * no import cycle; no file in src/server or src/cli over 400 lines and no function over 120.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const files = walk(src);
const rel = (path: string) => relative(root, path).split('\\').join('/');
const parsed = new Map(files.map((f) => [f, ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true)]));

/** Every module specifier a file imports or re-exports (static or dynamic), with whether it is type-only. */
function importsOf(file: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: !!node.importClause?.isTypeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      out.push({ spec: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) {
      out.push({ spec: (node.arguments[0] as ts.StringLiteral).text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(parsed.get(file)!);
  return out;
}

/** Relative imports resolved to files of src (a worker's `?worker` suffix dropped). */
function localImports(file: string, { runtimeOnly = false } = {}): string[] {
  return importsOf(file)
    .filter((i) => i.spec.startsWith('.') && !(runtimeOnly && i.typeOnly))
    .map((i) => resolve(dirname(file), i.spec.replace(/\?.*$/, '')));
}

describe('architecture', () => {
  it('the core imports nothing outside itself, no Node built-in, and reads no clock or randomness', () => {
    const core = join(src, 'core');
    const offences: string[] = [];
    for (const file of files.filter((f) => f.startsWith(core))) {
      for (const { spec } of importsOf(file)) {
        if (spec.startsWith('node:')) offences.push(`${rel(file)} imports ${spec}`);
        if (spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(core)) offences.push(`${rel(file)} imports ${spec}`);
      }
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const banned of ['Date.now(', 'new Date()', 'Math.random(', 'getRandomValues(', 'randomBytes(', 'process.', 'fetch(']) {
        if (text.includes(banned)) offences.push(`${rel(file)} uses ${banned}`);
      }
    }
    expect(offences).toEqual([]);
  });

  it('variable-time multiplication only where everything is public: mulPublic and multiplyUnsafe only in verifiers', () => {
    // A function that handles a secret (a prover, sealing, encryption, a trustee's share) must use
    // the constant-time `mul`; `mulPublic` is for checking proofs, commitments and published partials.
    const publicOnly = /^(verify|check|evalCommitments|combinePartials)/;
    const offences: string[] = [];
    for (const file of files.filter((f) => f.startsWith(join(src, 'core')))) {
      const sf = parsed.get(file)!;
      const visit = (node: ts.Node, fn: string) => {
        let name = fn;
        if (ts.isFunctionDeclaration(node) && node.name) name = node.name.text;
        if (ts.isIdentifier(node) && node.text === 'multiplyUnsafe' && name !== 'mulPublic' && !publicOnly.test(name)) offences.push(`${rel(file)}: multiplyUnsafe in ${name || 'top level'}`);
        if (ts.isIdentifier(node) && node.text === 'mulPublic' && !ts.isImportSpecifier(node.parent) && !(ts.isFunctionDeclaration(node.parent) && node.parent.name === node)) {
          if (!publicOnly.test(name)) offences.push(`${rel(file)}: mulPublic in ${name || 'top level'}`);
        }
        ts.forEachChild(node, (child) => visit(child, name));
      };
      visit(sf, '');
    }
    expect(offences).toEqual([]);
  });

  it('the core is grouped in concept folders, each with a README of ten lines or fewer', () => {
    const core = join(src, 'core');
    const loose = readdirSync(core).filter((n) => n.endsWith('.ts'));
    // Only what every folder shares stays at the top: byte encodings, the result type, fingerprint words.
    expect(loose.sort()).toEqual(['encoding.ts', 'fingerprint-words.ts', 'result.ts']);
    const folders = readdirSync(core).filter((n) => statSync(join(core, n)).isDirectory());
    expect(folders.length).toBeGreaterThanOrEqual(8);
    for (const folder of [...folders, '.']) {
      const readme = readFileSync(join(core, folder, 'README.md'), 'utf8').trimEnd().split('\n');
      expect(readme.length, `src/core/${folder}/README.md`).toBeLessThanOrEqual(10);
    }
  });

  it('the web app imports nothing from the server, the CLI, the witness or Node-only code (only itself, the core and the documents)', () => {
    const web = join(src, 'web');
    const offences = files
      .filter((f) => f.startsWith(web))
      .flatMap((f) => localImports(f).filter((t) => !t.startsWith(web) && !t.startsWith(join(src, 'core')) && !t.startsWith(join(src, 'document'))).map((t) => `${rel(f)} -> ${rel(t)}`));
    expect(offences).toEqual([]);
  });

  it('the documents (src/document, shared by the CLI and the browser) import only the core and themselves, no Node built-in, and read no clock or randomness', () => {
    const document = join(src, 'document');
    const offences: string[] = [];
    for (const file of files.filter((f) => f.startsWith(document))) {
      for (const { spec } of importsOf(file)) {
        if (spec.startsWith('node:')) offences.push(`${rel(file)} imports ${spec}`);
        if (spec.startsWith('.') && !resolve(dirname(file), spec).startsWith(document) && !resolve(dirname(file), spec).startsWith(join(src, 'core'))) offences.push(`${rel(file)} imports ${spec}`);
      }
      const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const banned of ['Date.now(', 'new Date(', 'Math.random(', 'getRandomValues(', 'process.', 'fetch(', 'Intl.', 'toLocale']) {
        if (text.includes(banned)) offences.push(`${rel(file)} uses ${banned}`);
      }
    }
    expect(files.some((f) => f.startsWith(document))).toBe(true);
    expect(offences).toEqual([]);
  });

  it('the CLI imports the server only to run it (serve, demo and the organizer commands on the data directory)', () => {
    const cli = join(src, 'cli');
    const server = join(src, 'server');
    const importers = new Set(
      files.filter((f) => f.startsWith(cli) && localImports(f, { runtimeOnly: true }).some((t) => t.startsWith(server))).map(rel),
    );
    // commands/instance.ts runs `serve` and `init`; command-kit.ts opens the data directory for the
    // organizer's commands (lazily); main.ts prints those commands' ApiErrors; demo*.ts run a demo.
    const allowed = /^src\/cli\/(commands\/instance|command-kit|main|demo[\w-]*)\.ts$/;
    expect([...importers].filter((f) => !allowed.test(f))).toEqual([]);
  });

  it('has no import cycle between runtime imports', () => {
    const graph = new Map(files.map((f) => [f, localImports(f, { runtimeOnly: true }).filter((t) => parsed.has(t))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, path: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' -> '));
        return;
      }
      state.set(f, 'open');
      for (const t of graph.get(f)!) visit(t, [...path, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it('no file in src/server or src/cli is over 400 lines, and no function there over 120', () => {
    const offences: string[] = [];
    for (const file of files.filter((f) => f.startsWith(join(src, 'server')) || f.startsWith(join(src, 'cli')))) {
      const sf = parsed.get(file)!;
      const lines = sf.getLineAndCharacterOfPosition(sf.end).line + 1;
      if (lines > 400) offences.push(`${rel(file)}: ${lines} lines`);
      const visit = (node: ts.Node) => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const end = sf.getLineAndCharacterOfPosition(node.end).line;
          if (end - start + 1 > 120) offences.push(`${rel(file)}:${start + 1}: a function of ${end - start + 1} lines`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(offences).toEqual([]);
  });
});
