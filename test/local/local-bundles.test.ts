/**
 * Local mode's function bundles (local/runtime/local-bundles.ts): built once and reused while their
 * sources are unchanged, rebuilt when a source changes (noticed at the next start, or at once when
 * watching) before the function next runs, in a fresh environment.
 */
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import backend from '../../lambase.config.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';
import type { FunctionEntry } from '../../build/function-build.js';
import { functionId } from '../../lib/routes.js';
import { LocalLambdaRuntime } from '../../local/runtime/lambda-runtime.js';
import { LocalBundles } from '../../local/runtime/local-bundles.js';

const handler = `test/local/fixtures/edited-${process.pid}.ts`;
const source = (version: string) => `import { threadId } from 'node:worker_threads';\nexport const handler = async () => ({ version: '${version}', environment: threadId });\n`;
const entries = [{ id: functionId(handler), handler }];
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bundles-'));
  await writeFile(path.join(PROJECT_ROOT, handler), source('one'));
});
afterAll(async () => {
  await rm(path.join(PROJECT_ROOT, handler), { force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

const open = async (watch = false) => {
  const lines: string[] = [];
  const bundles = await LocalBundles.open({ backend, entries, cacheDir, watch, log: (line) => lines.push(line) });
  return { bundles, lines };
};

describe('local function bundles', () => {
  it('builds once, then starts from the cache until a source changes', async () => {
    const first = await open();
    expect(first.bundles.staleCount).toBe(1);
    await first.bundles.prepare();
    expect(first.lines.filter((line) => line.startsWith('built'))).toHaveLength(1);
    await first.bundles.stop();

    const again = await open();
    expect(again.bundles.staleCount).toBe(0);
    await again.bundles.file(entries[0]!);
    expect(again.lines).toEqual([]);
    await again.bundles.stop();

    await writeFile(path.join(PROJECT_ROOT, handler), source('two'));
    const changed = await open();
    expect(changed.bundles.staleCount).toBe(1);
    await changed.bundles.file(entries[0]!);
    expect(changed.lines.filter((line) => line.startsWith('built'))).toHaveLength(1);
    await changed.bundles.stop();
  }, 120_000);

  it('rebuilds a saved change while running, and the next call runs it in a fresh environment', async () => {
    await writeFile(path.join(PROJECT_ROOT, handler), source('three'));
    const { bundles } = await open(true);
    const runtime = new LocalLambdaRuntime({ bundles });
    try {
      runtime.register({ name: 'edited', bundle: entries[0]!, environment: {}, timeoutSeconds: 5, memoryMb: 128 });
      const before = (await runtime.invoke('edited', {})) as { version: string; environment: number };
      expect(before.version).toBe('three');
      const staled = new Promise<string[]>((resolve) => bundles.onStale(resolve));
      await writeFile(path.join(PROJECT_ROOT, handler), source('four'));
      expect(await staled).toEqual([functionId(handler)]);
      const after = (await runtime.invoke('edited', {})) as { version: string; environment: number };
      expect(after.version).toBe('four');
      expect(after.environment).not.toBe(before.environment);
    } finally {
      await runtime.stop();
      await bundles.stop();
    }
  }, 120_000);

  describe('on a cold cache, built side by side', () => {
    const pair = ['c', 'd'].map((name) => ({ id: `Pair${name.toUpperCase()}${process.pid}`, handler: `test/local/fixtures/pair-${name}-${process.pid}.ts` }));
    let coldDir: string;
    beforeAll(async () => {
      for (const entry of pair) await writeFile(path.join(PROJECT_ROOT, entry.handler), `export const handler = async () => '${entry.id}';\n`);
    });
    afterAll(() => Promise.all(pair.map((entry) => rm(path.join(PROJECT_ROOT, entry.handler), { force: true }))));
    beforeEach(async () => {
      coldDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bundles-cold-'));
    });
    afterEach(() => rm(coldDir, { recursive: true, force: true }));
    // The bundle a call gets must be there when it gets it: the worker imports it next.
    const fileNow = (bundles: LocalBundles, entry: FunctionEntry) => bundles.file(entry).then(async (file) => (await access(file), file));

    it('gives a call that comes while its function builds (a Cognito trigger during its pre-warm) the written bundle, and records every build', async () => {
      const bundles = await LocalBundles.open({ backend, entries: pair, cacheDir: coldDir });
      // The pre-warm's calls, then the first request's, each before any build has finished.
      await Promise.all([fileNow(bundles, pair[0]!), fileNow(bundles, pair[1]!), fileNow(bundles, pair[0]!), fileNow(bundles, pair[1]!)]);
      await bundles.stop();
      const next = await LocalBundles.open({ backend, entries: pair, cacheDir: coldDir });
      expect(next.staleCount).toBe(0);
      await next.stop();
    }, 120_000);

    it('keeps what two local instances sharing the cache (test files run in parallel) each built', async () => {
      const [one, two] = await Promise.all([0, 1].map(() => LocalBundles.open({ backend, entries: pair, cacheDir: coldDir })));
      await Promise.all([fileNow(one!, pair[0]!), fileNow(two!, pair[1]!)]);
      await Promise.all([one!.stop(), two!.stop()]);
      const next = await LocalBundles.open({ backend, entries: pair, cacheDir: coldDir });
      expect(next.staleCount).toBe(0);
      await next.stop();
    }, 120_000);
  });

  it("keeps one function's bundle stale when another one is rebuilt from a file both are built from", async () => {
    const shared = `test/local/fixtures/shared-${process.pid}.ts`;
    const twins = ['a', 'b'].map((name) => ({ id: `Twin${name.toUpperCase()}${process.pid}`, handler: `test/local/fixtures/twin-${name}-${process.pid}.ts` }));
    const write = (version: string) => writeFile(path.join(PROJECT_ROOT, shared), `export const version = '${version}';\n`);
    try {
      await write('one');
      for (const twin of twins) await writeFile(path.join(PROJECT_ROOT, twin.handler), `import { version } from './shared-${process.pid}.js';\nexport const handler = async () => version;\n`);
      const first = await LocalBundles.open({ backend, entries: twins, cacheDir });
      await first.prepare();
      await first.stop();
      await write('two, longer');
      // Only b is rebuilt now, which records the shared file's new state...
      const second = await LocalBundles.open({ backend, entries: [twins[1]!], cacheDir });
      await second.file(twins[1]!);
      await second.stop();
      // ...and a is still stale: its bundle holds the old version.
      const third = await LocalBundles.open({ backend, entries: [twins[0]!], cacheDir });
      expect(third.staleCount).toBe(1);
      await third.stop();
    } finally {
      await Promise.all([shared, ...twins.map((twin) => twin.handler)].map((file) => rm(path.join(PROJECT_ROOT, file), { force: true })));
    }
  }, 120_000);
});
