/**
 * Builds function bundles from the command line, with the shared settings (build/function-build.ts):
 *
 *   node --import tsx build/build-functions.ts <outdir> [handler.ts …]
 *
 * With no handler, every function of the backend (routes and triggers). The CDK runs this once per
 * synth, synchronously, from its local bundling (lib/functions/function-bundles.ts): esbuild's
 * plugins need its asynchronous API, which a CDK bundling callback cannot await.
 */
import path from 'node:path';
import { functionId } from '../lib/routes.js';
import { loadBackend } from '../lib/load-backend.js';
import { buildFunctions, functionEntries } from './function-build.js';

const [outdir, ...handlers] = process.argv.slice(2);
if (!outdir) {
  console.error('usage: node --import tsx build/build-functions.ts <outdir> [handler.ts …]');
  process.exit(2);
}
try {
  const backend = await loadBackend();
  const entries = handlers.length > 0 ? handlers.map((handler) => ({ id: functionId(handler), handler })) : functionEntries(backend);
  await buildFunctions({ backend, entries, outdir: path.resolve(outdir) });
} catch (error) {
  console.error(`✖ building the functions failed: ${(error as Error).message}`);
  process.exit(1);
}
