/**
 * Builds the verifier in one file (src/web/verifier) into dist/verifier/undersigned-verify.html:
 * the app's verify panel and verifier worker, with every script, the WebAssembly (mcl's and
 * ffjavascript's, which their packages already carry as base64 inside their JavaScript) and the
 * Semaphore verification keys (verify/verification-keys.ts) inside one HTML file. Run by the app's
 * build (vite.config.ts) after dist/web, so both always come from the same sources.
 *
 * No plugin from the registry: one bundle with no code splitting (page and worker), the worker
 * inlined by Vite itself (`?worker&inline`: a classic worker started from a blob: URL), and the short step
 * below that puts the page's one script and one style sheet into the HTML and drops every other
 * file — failing the build if anything would still be loaded from elsewhere.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import type { OutputAsset, OutputChunk } from 'rollup';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export const VERIFIER_FILE = 'undersigned-verify.html';

/** `</script` and `<!--` would end or confuse an inline script; `<\/script` means the same in JavaScript. */
function scriptText(code: string): string {
  if (code.includes('<!--')) throw new Error('the verifier script holds "<!--", which cannot be inlined safely');
  return code.replace(/<\/script/gi, '<\\/script');
}

function singleFile(): Plugin {
  return {
    name: 'undersigned:single-file',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const files = Object.values(bundle);
      const html = files.find((f): f is OutputAsset => f.type === 'asset' && f.fileName === 'index.html');
      const chunks = files.filter((f): f is OutputChunk => f.type === 'chunk');
      const styles = files.filter((f): f is OutputAsset => f.type === 'asset' && f.fileName.endsWith('.css'));
      if (!html || chunks.length !== 1 || styles.length > 1) {
        throw new Error(`the verifier must build to one page, one script and at most one style sheet, not: ${files.map((f) => f.fileName).join(', ')}`);
      }
      const [chunk] = chunks;
      let page = String(html.source);
      const script = new RegExp(`<script type="module" crossorigin src="[^"]*${chunk.fileName}"></script>`);
      if (!script.test(page)) throw new Error(`the verifier page does not load ${chunk.fileName} as expected`);
      page = page.replace(script, () => `<script type="module">${scriptText(chunk.code)}</script>`);
      for (const style of styles) {
        const link = new RegExp(`<link rel="stylesheet" crossorigin href="[^"]*${style.fileName}">`);
        if (!link.test(page)) throw new Error(`the verifier page does not load ${style.fileName} as expected`);
        page = page.replace(link, () => `<style>${String(style.source).replace(/<\/style/gi, '<\\/style')}</style>`);
      }
      // Nothing may be fetched: no src= or href= attribute left, and no other file in the build.
      const outside = /\s(src|href)=["']?(?!#)/i.exec(page.replace(/<script type="module">[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, ''));
      if (outside) throw new Error(`the verifier page would still load something: ${outside[0]}`);
      for (const name of Object.keys(bundle)) delete bundle[name];
      this.emitFile({ type: 'asset', fileName: VERIFIER_FILE, source: page });
    },
  };
}

export default defineConfig({
  root: here('./src/web/verifier'),
  base: './',
  publicDir: false,
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: {
      // As in vite.config.ts: no fallback that would download circuit artifacts (the verifier needs none).
      '@zk-kit/artifacts': here('./src/web/prover/no-artifact-download.ts'),
    },
  },
  // A classic worker: Chromium refuses a module worker from a blob: URL made by a page opened from
  // file:// (its origin is opaque), and starts a classic one. One file, so no dynamic import inside.
  worker: { format: 'iife' },
  plugins: [singleFile()],
  build: {
    outDir: here('./dist/verifier'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 8192,
    modulePreload: { polyfill: false },
    assetsInlineLimit: Number.POSITIVE_INFINITY,
    rollupOptions: {
      output: { inlineDynamicImports: true },
      treeshake: { moduleSideEffects: (id) => !/node_modules\/(snarkjs|ffjavascript)\//.test(id) },
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
});
