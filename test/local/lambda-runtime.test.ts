import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import backend from '../../lambase.config.js';
import { FunctionError, LocalLambdaRuntime, MAX_ENVIRONMENTS_PER_FUNCTION, RuntimeStoppedError, type LocalLambdaRuntimeOptions } from '../../local/runtime/lambda-runtime.js';
import { LocalBundles } from '../../local/runtime/local-bundles.js';
import { functionId } from '../../lib/routes.js';

const probe = 'test/fixtures/functions/runtime-probe.ts';
type Probe = { alongside: number; probe: string | null; table: string | null; invocations: number; environment: number; functionName: string; remaining: number };

// The fixtures run as the shared build bundles them, like every local function.
let bundles: LocalBundles;
beforeAll(async () => {
  bundles = await LocalBundles.open({ backend, entries: [] });
}, 120_000);
afterAll(() => bundles.stop());

let runtime: LocalLambdaRuntime;
afterEach(() => runtime?.stop());

function withFunctions(
  ...functions: { name: string; environment?: Record<string, string>; timeoutSeconds?: number; memoryMb?: number; handler?: string }[]
) {
  return withRuntime({}, ...functions);
}

function withRuntime(
  options: Omit<LocalLambdaRuntimeOptions, 'bundles'>,
  ...functions: { name: string; environment?: Record<string, string>; timeoutSeconds?: number; memoryMb?: number; handler?: string }[]
) {
  runtime = new LocalLambdaRuntime({ bundles, ...options });
  for (const { handler = probe, ...fn } of functions) {
    runtime.register({ bundle: { id: functionId(handler), handler }, environment: {}, timeoutSeconds: 5, memoryMb: 128, ...fn });
  }
  return runtime;
}

describe('the local Lambda runtime', () => {
  it('gives each function exactly its own environment and keeps module state between warm calls', async () => {
    withFunctions({ name: 'a', environment: { PROBE: 'A', LAMBASE_TABLE_NAME: 't' } }, { name: 'b', environment: { PROBE: 'B' } });
    const first = (await runtime.invoke('a', {})) as Probe;
    const second = (await runtime.invoke('a', {})) as Probe;
    const other = (await runtime.invoke('b', {})) as Probe;
    expect(first).toMatchObject({ probe: 'A', table: 't', invocations: 1, functionName: 'a' });
    expect(second).toMatchObject({ invocations: 2, environment: first.environment });
    expect(other).toMatchObject({ probe: 'B', table: null, invocations: 1 });
    expect(first.remaining).toBeGreaterThan(4_000);
  });

  it('keeps a booted thread spare for each memory size once its pre-warm is done: a first call runs in it, with nothing of local mode\'s environment, and another is booted', async () => {
    process.env.PROBE = 'local mode'; // must not reach a function that does not set it
    try {
      withFunctions({ name: 'a' }, { name: 'b', environment: { PROBE: 'B' } }, { name: 'big', memoryMb: 256 });
      // None while functions are being registered (local mode does that while Java starts).
      expect(runtime.spares).toEqual([]);
      await runtime.prewarm([]);
      expect(runtime.spares.map((spare) => spare.memoryMb).sort()).toEqual([128, 256]);
      const spare = runtime.spares.find((candidate) => candidate.memoryMb === 128)!;
      const first = (await runtime.invoke('a', {})) as Probe;
      expect(first).toMatchObject({ environment: spare.threadId, invocations: 1, probe: null });
      const next = runtime.spares.find((candidate) => candidate.memoryMb === 128)!;
      expect(next.threadId).not.toBe(spare.threadId);
      // The next function's first call takes that one, with its own environment.
      expect(await runtime.invoke('b', {})).toMatchObject({ environment: next.threadId, invocations: 1, probe: 'B' });
      expect(runtime.environmentCount).toBe(2); // spares are not function environments
    } finally {
      delete process.env.PROBE;
    }
  });

  it('runs a function registered again with its new definition: the old one\'s environments are retired', async () => {
    withFunctions({ name: 'moved', environment: { PROBE: 'old endpoint' } });
    const before = (await runtime.invoke('moved', {})) as Probe;
    runtime.register({ name: 'moved', bundle: { id: functionId(probe), handler: probe }, environment: { PROBE: 'new endpoint' }, timeoutSeconds: 5, memoryMb: 128 });
    const after = (await runtime.invoke('moved', {})) as Probe;
    expect(after).toMatchObject({ probe: 'new endpoint', invocations: 1 });
    expect(after.environment).not.toBe(before.environment);
    expect(runtime.environmentCount).toBe(1);
  });

  it('serves concurrent calls from more environments, one call each at a time, up to a limit', async () => {
    withFunctions({ name: 'slow' });
    const results = (await Promise.all(Array.from({ length: MAX_ENVIRONMENTS_PER_FUNCTION + 2 }, () => runtime.invoke('slow', { sleepMs: 300 })))) as Probe[];
    const environments = new Set(results.map((result) => result.environment));
    expect(environments.size).toBe(MAX_ENVIRONMENTS_PER_FUNCTION);
    // Each environment served its calls one after the other (whichever freed first took the ones
    // that waited): never two at once, and numbered 1, 2, … without a gap or a repeat.
    expect(results.every((result) => result.alongside === 0)).toBe(true);
    for (const environment of environments) {
      const served = results.filter((result) => result.environment === environment).map((result) => result.invocations).sort((a, b) => a - b);
      expect(served).toEqual(served.map((_, index) => index + 1));
    }
  });

  it('reports a handler error as Lambda does, and a timeout discards the environment', async () => {
    withFunctions({ name: 'f', timeoutSeconds: 1 });
    await expect(runtime.invoke('f', { fail: 'boom' })).rejects.toMatchObject({ errorType: 'TypeError', message: expect.stringContaining('boom') });
    const before = (await runtime.invoke('f', {})) as Probe;
    const timedOut = runtime.invoke('f', { sleepMs: 3_000 });
    await expect(timedOut).rejects.toBeInstanceOf(FunctionError);
    await expect(timedOut).rejects.toMatchObject({ errorType: 'Sandbox.Timedout' });
    const after = (await runtime.invoke('f', {})) as Probe;
    expect(after.invocations).toBe(1); // a fresh environment: a cold start
    expect(after.environment).not.toBe(before.environment);
  });

  it('fails an invocation whose module cannot load with Runtime.ImportModuleError', async () => {
    withFunctions({ name: 'broken', handler: 'test/fixtures/functions/broken-import.ts' });
    await expect(runtime.invoke('broken', {})).rejects.toMatchObject({ errorType: 'Runtime.ImportModuleError', message: expect.stringContaining('LAMBASE_TABLE_NAME') });
  });

  it('gives each environment Lambda\'s reserved variables (over the function\'s own) and a heap limited by its memory', async () => {
    withFunctions({
      name: 'sized',
      memoryMb: 256,
      environment: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '99999' },
      handler: 'test/local/fixtures/env-probe.ts',
    });
    const result = (await runtime.invoke('sized', {})) as { env: Record<string, string>; heapLimitMb: number };
    expect(result.env).toMatchObject({
      TZ: 'UTC',
      AWS_LAMBDA_FUNCTION_NAME: 'sized',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    });
    expect(result.heapLimitMb).toBeGreaterThanOrEqual(256);
    expect(result.heapLimitMb).toBeLessThan(400); // Node's default is several gigabytes
  });

  it('once stopped, rejects what runs, what waits for an environment and anything new', async () => {
    withFunctions({ name: 'slow', timeoutSeconds: 30 });
    const calls = Array.from({ length: MAX_ENVIRONMENTS_PER_FUNCTION + 2 }, () => runtime.invoke('slow', { sleepMs: 20_000 }));
    const outcomes = Promise.allSettled(calls);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the first ones are running, two wait
    const startedAt = Date.now();
    await runtime.stop();
    const settled = await Promise.race([
      outcomes,
      new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), 5_000)),
    ]);
    expect(settled).not.toBe('still waiting');
    expect((settled as PromiseSettledResult<unknown>[]).map((result) => result.status)).toEqual(calls.map(() => 'rejected'));
    for (const result of settled as PromiseRejectedResult[]) expect(result.reason).toBeInstanceOf(RuntimeStoppedError);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await expect(runtime.invoke('slow', {})).rejects.toBeInstanceOf(RuntimeStoppedError);
    expect(runtime.spares).toEqual([]);
  });

  it('retires an environment left idle, as Lambda does: the next call is a cold start', async () => {
    withRuntime({ idleEnvironmentMs: 300 }, { name: 'idle' });
    await runtime.prewarm([]);
    const [spare] = runtime.spares;
    const first = (await runtime.invoke('idle', {})) as Probe;
    expect(first.environment).toBe(spare!.threadId);
    expect(runtime.environmentCount).toBe(1);
    await vi.waitFor(() => expect(runtime.environmentCount).toBe(0), { timeout: 5_000, interval: 50 });
    expect(runtime.spares).toHaveLength(1); // the one booted after that call: spares are not retired
    const next = (await runtime.invoke('idle', {})) as Probe;
    expect(next.invocations).toBe(1);
    expect(next.environment).not.toBe(first.environment);
  });

  it('keeps at most maxEnvironments: a new one retires the least recently used idle one, never a busy one', async () => {
    withRuntime({ maxEnvironments: 2 }, { name: 'a' }, { name: 'b' }, { name: 'c' });
    const a = (await runtime.invoke('a', {})) as Probe;
    const b = (await runtime.invoke('b', {})) as Probe;
    expect(runtime.environmentCount).toBe(2);
    await runtime.invoke('c', {});
    expect(runtime.environmentCount).toBe(2);
    // a was used longest ago: its next call is a cold start, b's is warm.
    expect(((await runtime.invoke('b', {})) as Probe).environment).toBe(b.environment);
    const coldA = (await runtime.invoke('a', {})) as Probe;
    expect(coldA.invocations).toBe(1);
    expect(coldA.environment).not.toBe(a.environment);
    // All busy at once: the limit gives way for as long as the burst lasts, nothing waits on it.
    const burst = (await Promise.all(['a', 'b', 'c'].map((name) => runtime.invoke(name, { sleepMs: 200 })))) as Probe[];
    expect(burst.every((result) => result.alongside === 0)).toBe(true);
    expect(runtime.environmentCount).toBe(3);
  });

  it('pre-warms: the environment loads before the first call, which then finds it warm', async () => {
    withFunctions({ name: 'warm' }, { name: 'cold' });
    await runtime.prewarm(['warm', 'unknown']);
    expect(runtime.environmentCount).toBe(1);
    const first = (await runtime.invoke('warm', {})) as Probe;
    expect(first.invocations).toBe(1);
    expect(runtime.environmentCount).toBe(1);
  });

  it('a call that comes while its function is pre-warmed waits for that environment: one cold start, not two', async () => {
    const loads = path.join(await mkdtemp(path.join(os.tmpdir(), 'lambase-prewarm-')), 'loads.txt');
    withFunctions({ name: 'trigger', environment: { PROBE_LOADS: loads } });
    // As local mode pre-warms a Cognito trigger at start, and a confirmation comes before it is loaded.
    const [, first] = await Promise.all([runtime.prewarm(['trigger']), runtime.invoke('trigger', {})]);
    const second = (await runtime.invoke('trigger', {})) as Probe;
    expect(first).toMatchObject({ invocations: 1 });
    expect(second).toMatchObject({ invocations: 2, environment: (first as Probe).environment });
    expect(readFileSync(loads, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('beyond the environments being pre-warmed, concurrent calls still get environments of their own', async () => {
    withFunctions({ name: 'busy' });
    const [, ...results] = (await Promise.all([runtime.prewarm(['busy']), ...Array.from({ length: 3 }, () => runtime.invoke('busy', { sleepMs: 300 }))])) as [void, ...Probe[]];
    // One waited for the pre-warmed environment, the two others started their own, none ran beside another.
    expect(new Set(results.map((result) => result.environment)).size).toBe(3);
    expect(results.every((result) => result.alongside === 0)).toBe(true);
  });
});
