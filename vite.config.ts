/**
 * Builds the web app (src/web) into dist/web, which the Fastify server serves itself
 * (src/server/web.ts). No CDN, no third-party font or script: everything the browser runs comes
 * from this build or from the instance's /artifacts/ route.
 */
import { fileURLToPath } from 'node:url';
import { build, defineConfig, type LogLevel, type Plugin } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/**
 * After the app, the verifier in one file (vite.verifier.config.ts → dist/verifier), which the
 * server offers on its verify page and `undersigned verifier` writes: made at build time rather
 * than on request, because it needs Vite (a development tool) and half a minute of CPU, and because
 * everyone then gets the same bytes, whose SHA-256 the CLI prints for comparison.
 */
function verifierInOneFile(): Plugin {
  let logLevel: LogLevel | undefined;
  return {
    name: 'undersigned:verifier-in-one-file',
    apply: 'build',
    configResolved(config) {
      logLevel = config.logLevel;
    },
    async closeBundle() {
      await build({ configFile: here('./vite.verifier.config.ts'), logLevel });
    },
  };
}

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
  plugins: [verifierInOneFile()],
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
