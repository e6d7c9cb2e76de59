/**
 * What every function bundle may contain (ARCHITECTURE.md, "Bundles"), checked on the shared
 * build's own output for every route and trigger, so a new function is held to the same rules:
 * zod/mini only (English messages only), one copy of each package, the environment as the only
 * credential source, and at most 400 KB.
 */
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import { buildFunctions, functionEntries } from '../../../build/function-build.js';

/** The budget for one function (minified, SDK bundled). */
const MAX_BUNDLE_BYTES = 400 * 1024;

type Bundle = { id: string; bytes: number; inputs: string[] };
let bundles: Bundle[] = [];

beforeAll(async () => {
  const warnings: string[] = [];
  const entries = functionEntries(backend);
  const result = await buildFunctions({ backend, entries, outdir: '/lambase-bundles', warn: (message) => warnings.push(message), write: false });
  expect(warnings).toEqual([]);
  bundles = Object.entries(result.metafile.outputs as Metafile['outputs'])
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, output]) => ({ id: file.split('/').at(-2)!, bytes: output.bytes, inputs: Object.keys(output.inputs) }));
  expect(bundles.map((bundle) => bundle.id).sort()).toEqual(entries.map((entry) => entry.id).sort());
}, 180_000);

const offenders = (test: (input: string) => boolean) =>
  bundles.flatMap((bundle) => bundle.inputs.filter(test).map((input) => `${bundle.id}: ${input}`));

describe('every function bundle', () => {
  it('holds zod/mini only: no full zod, no locale but English', () => {
    expect(bundles.length).toBeGreaterThan(30);
    expect(offenders((input) => input.includes('node_modules/zod/'))).not.toEqual([]);
    expect(offenders((input) => /node_modules\/zod\/(v4\/classic|v3)\//.test(input) || /node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(input))).toEqual([]);
  });

  it('holds one copy of each package (one pinned version, not several)', () => {
    const duplicates = bundles.flatMap((bundle) => {
      const locations = new Map<string, Set<string>>();
      for (const input of bundle.inputs) {
        const match = /^(.*node_modules\/)((?:@[^/]+\/)?[^/]+)\//.exec(input);
        if (match) locations.set(match[2]!, (locations.get(match[2]!) ?? new Set()).add(match[1]!));
      }
      return [...locations].filter(([, where]) => where.size > 1).map(([name, where]) => `${bundle.id}: ${name} from ${[...where].join(' and ')}`);
    });
    expect(duplicates).toEqual([]);
  });

  it('reads credentials from the environment only (no SSO, ini, process, web-identity or metadata providers)', () => {
    expect(offenders((input) => /node_modules\/@aws-sdk\/(credential-provider-(?!env\/)|nested-clients\/|token-providers\/)|credential-provider-imds/.test(input))).toEqual([]);
  });

  it(`is at most ${MAX_BUNDLE_BYTES / 1024} KB`, () => {
    const sizes = bundles.map((bundle) => ({ id: bundle.id, kb: Math.ceil(bundle.bytes / 1024) }));
    expect(sizes.filter((size) => size.kb * 1024 > MAX_BUNDLE_BYTES)).toEqual([]);
  });

  it("carries, in a user function, only the parts of ctx its uses name (welcome: the inbox; stats: documents and files)", () => {
    const holds = (id: string, pattern: RegExp) => bundles.find((bundle) => bundle.id === id)!.inputs.some((input) => pattern.test(input));
    const s3 = /^functions\/adapters\/s3-file-object-store\.ts$/;
    const sns = /^functions\/adapters\/sns-/;
    const documents = /^functions\/core\/documents\/server-documents\.ts$/;
    expect([holds('FunctionWelcome', s3), holds('FunctionWelcome', sns), holds('FunctionWelcome', documents)]).toEqual([false, false, false]);
    expect([holds('FunctionStats', s3), holds('FunctionStats', sns), holds('FunctionStats', documents)]).toEqual([true, false, true]);
  });
});
