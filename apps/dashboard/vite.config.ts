import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const apiUrl = process.env.SANDGLASS_DASHBOARD_API ?? 'http://127.0.0.1:3000';

// Preact through the automatic JSX runtime (no preset plugin needed). The `source` condition makes the
// repo's `#contracts` subpath import resolve to the TypeScript source, so the browser shares the schemas.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      '/api': apiUrl,
      '/socket.io': { target: apiUrl, ws: true },
    },
  },
});
