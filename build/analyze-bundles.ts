/**
 * What a function bundle is made of, and why each file is in it: esbuild's own analysis of the
 * shared build's metafile (build/function-build.ts), for the functions named.
 *
 *   node --import tsx build/analyze-bundles.ts                      # every function's size, largest first
 *   node --import tsx build/analyze-bundles.ts AuthDeleteMe …       # its files, each with the import chain that pulled it in
 *   node --import tsx build/analyze-bundles.ts --packages AuthDeleteMe   # its size by package (and @smithy/core submodule)
 *
 * Nothing is written: the build runs in memory.
 */
import { analyzeMetafile, build, type Metafile } from 'esbuild';
import { loadBackend } from '../lib/load-backend.js';
import { functionBuildOptions, functionEntries } from './function-build.js';

const args = process.argv.slice(2);
const byPackage = args.includes('--packages');
const ids = new Set(args.filter((arg) => !arg.startsWith('--')));

const backend = await loadBackend();
// One esbuild run per group of entries, as the shared build does; each keeps its own metafile so
// the import chains are that build's.
const metafiles = await Promise.all(
  functionBuildOptions({ backend, entries: functionEntries(backend), outdir: '/lambase-analysis' }).map(
    async (options) => (await build({ ...options, write: false })).metafile,
  ),
);
const bundles = metafiles.flatMap((metafile) =>
  Object.entries(metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, output]) => ({ id: file.split('/').at(-2)!, file, output, metafile })),
);

if (ids.size === 0) {
  for (const bundle of bundles.sort((a, b) => b.output.bytes - a.output.bytes)) console.log(`${(bundle.output.bytes / 1024).toFixed(1).padStart(7)} KB  ${bundle.id}`);
}
for (const bundle of bundles.filter((candidate) => ids.has(candidate.id))) {
  if (byPackage) {
    console.log(`\n${bundle.id}: ${(bundle.output.bytes / 1024).toFixed(1)} KB`);
    for (const [name, bytes] of packageSizes(bundle.output.inputs)) console.log(`${(bytes / 1024).toFixed(1).padStart(7)} KB  ${name}`);
    continue;
  }
  // esbuild's analysis of this one output, with the chain of imports that brought each file in.
  const only: Metafile = { inputs: bundle.metafile.inputs, outputs: { [bundle.file]: bundle.output } };
  console.log(await analyzeMetafile(only, { verbose: true }));
}

/** Bytes in the output by package; `@smithy/core` and `@aws-sdk/core` by submodule, our own files as `lambase`. */
function packageSizes(inputs: Metafile['outputs'][string]['inputs']): [string, number][] {
  const sizes = new Map<string, number>();
  for (const [file, { bytesInOutput }] of Object.entries(inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist-es\/submodules\/([^/]+))?/.exec(file);
    const name = match ? (match[2] ? `${match[1]} ${match[2]}` : match[1]!) : file.includes(':') ? file.split(':')[0]! : 'lambase';
    sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}
