/**
 * Builds the web app (src/web) into dist/web, which the Fastify server serves itself
 * (src/server/web.ts). No CDN, no third-party font or script: everything the browser runs comes
 * from this build or from the instance's /artifacts/ route.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('./src/web'),
  base: '/',
  publicDir: here('./src/web/public'),
  // React 19's automatic JSX runtime through esbuild (no @vitejs/plugin-react needed).
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: {
      // @semaphore-protocol/proof falls back to downloading circuit artifacts from a CDN when none
      // are given. We always give the instance's own; this stub makes any fallback fail loudly.
      '@zk-kit/artifacts': here('./src/web/prover/no-artifact-download.ts'),
    },
  },
  worker: { format: 'es' },
  build: {
    outDir: here('./dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
    modulePreload: { polyfill: false },
    rollupOptions: {
      // snarkjs and ffjavascript declare no `sideEffects`; without this hint the pages that only
      // need a hash or a schema from src/core would carry the whole prover.
      treeshake: { moduleSideEffects: (id) => !/node_modules\/(snarkjs|ffjavascript)\//.test(id) },
      onwarn(warning, warn) {
        // zod's sources carry /* @__PURE__ */ comments where Rollup cannot use them: harmless.
        if (warning.code === 'INVALID_ANNOTATION') return;
        warn(warning);
      },
    },
  },
});
