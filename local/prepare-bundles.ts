/**
 * Builds every function bundle local mode runs into its cache, so a start after `npm install`
 * builds nothing (postinstall runs it; `npm start` would otherwise build each function at its
 * first call). A failure (a config being edited, say) only warns: each start builds what it lacks.
 *
 *   node --import tsx local/prepare-bundles.ts
 */
import { functionEntries } from '../build/function-build.js';
import { loadBackend } from '../lib/load-backend.js';
import { LocalBundles } from './runtime/local-bundles.js';

/** Fills the cache for lambase.config.ts (every route's and trigger's function). */
export async function prepareLocalBundles(log: (line: string) => void = () => {}): Promise<void> {
  const backend = await loadBackend();
  const bundles = await LocalBundles.open({ backend, entries: functionEntries(backend), log });
  try {
    await bundles.prepare();
  } finally {
    await bundles.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await prepareLocalBundles((line) => console.log(`lambase: ${line}`));
  } catch (error) {
    console.warn(`lambase: the function bundles were not built now (${(error as Error).message}); npm start builds them when needed.`);
  }
}
