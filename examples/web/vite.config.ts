/**
 * The example's Vite settings, shared by `npm run example` (dev server) and the browser test
 * (a production build). `@lambase/client` resolves to its TypeScript sources (the `source` export
 * condition), so the app runs on the workspace's client without building it first.
 */
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // Servers listen on this machine only.
  server: { host: '127.0.0.1', strictPort: false },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
  // Nothing phones home.
  clearScreen: false,
  logLevel: 'warn',
});
