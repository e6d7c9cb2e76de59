#!/usr/bin/env node
/**
 * `npm run size`: the client's weight as an app ships it — bundled and minified by esbuild (the
 * repository's own), then gzipped — for the whole client and for a small app that composes only
 * auth and one collection (which shows tree-shaking works). The budget is 15 KB for the whole.
 */
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const CLIENT_SIZE_BUDGET_BYTES = 15 * 1024;

const ENTRY = fileURLToPath(new URL('../src/index.ts', import.meta.url));

/** What an app importing from the client ships: the minified bundle, its size, and gzip -9's. */
async function shippedBytes(code: string): Promise<{ minified: number; gzipped: number; text: string }> {
  const result = await build({
    stdin: { contents: code, resolveDir: process.cwd(), loader: 'ts' },
    alias: { '@lambase/client': ENTRY },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0]!.contents;
  return { minified: bytes.length, gzipped: gzipSync(bytes, { level: 9 }).length, text: result.outputFiles[0]!.text };
}

/**
 * The sizes the bench reports, in bytes.
 *
 * @example
 * const { whole } = await measureClientSize();
 * console.log(`${whole.gzipped} B min+gzip`);
 */
export async function measureClientSize() {
  return {
    whole: await shippedBytes(`export * from '@lambase/client';`),
    authAndOneCollection: await shippedBytes(
      `import { createCore, createAuth, createCollection } from '@lambase/client';
       const core = createCore({ url: 'http://127.0.0.1:4000' });
       export const auth = createAuth(core), notes = createCollection(core, 'notes');`,
    ),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await measureClientSize();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  console.log(`@lambase/client, whole:                ${kb(sizes.whole.gzipped)} min+gzip (${kb(sizes.whole.minified)} min); budget ${kb(CLIENT_SIZE_BUDGET_BYTES)}`);
  console.log(`@lambase/client, auth + one collection: ${kb(sizes.authAndOneCollection.gzipped)} min+gzip (${kb(sizes.authAndOneCollection.minified)} min)`);
  if (sizes.whole.gzipped > CLIENT_SIZE_BUDGET_BYTES) process.exitCode = 1;
}
