/**
 * Which memory size each function should have, from measurement: Lambda gives a function CPU in
 * proportion to its memory (1,769 MB is one full vCPU), so a function waiting mostly on DynamoDB
 * runs as fast at 256 MB as at 1,769, and one that computes does not. Each measured function's
 * bundle serves warm calls (bench/warm-harness.mjs) in a CPU cgroup holding the share of each size
 * (CFS quota = memory / 1,769 of one CPU), against the running emulators; the choice is the
 * cheapest size (memory × time) whose p99 is within 10 % of the fastest size's p99.
 *
 * It needs a CPU cgroup this process may create (cgroup v1 `cpu` or v2 with `cpu` enabled, as
 * root); elsewhere it says so and measures nothing.
 */
import { execFile } from 'node:child_process';
import { access, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { buildFunctions, bundleFile, functionEntries } from '../build/function-build.js';
import type { Backend } from '../functions/core/config/define-backend.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import type { LocalBackend } from '../local/start-local.js';
import { functionProcessEnvironment, invocationOf, routeMatcher } from './cold-starts.js';
import { functionRequests, type Fixtures } from './function-requests.js';
import { median, percentile } from './stats.js';

const run = promisify(execFile);
const HARNESS = path.join(PROJECT_ROOT, 'bench/warm-harness.mjs');
/** Lambda's sizes worth comparing: 1,769 MB is one full vCPU, the most a single-threaded handler uses. */
export const MEMORY_SIZES = [128, 256, 512, 1024, 1769] as const;
const FULL_CPU_MB = 1769;
const PERIOD_US = 100_000;

export type MemorySize = { memoryMb: number; p50Ms: number; p99Ms: number; statuses: (number | null)[] };
export type MemoryChoice = { id: string; configuredMb: number; sizes: MemorySize[]; chosenMb: number; reason: string };

/** A CPU cgroup per memory size, or why there can be none here. */
type Cgroups = { procsFile: (memoryMb: number) => string; remove: () => Promise<void> };

async function makeCgroups(): Promise<Cgroups | string> {
  const name = `lambase-bench-${process.pid}`;
  const v1 = '/sys/fs/cgroup/cpu';
  const v2 = '/sys/fs/cgroup';
  const made: string[] = [];
  try {
    let layout: 'v1' | 'v2';
    if (await access(path.join(v1, 'cpu.cfs_quota_us')).then(() => true, () => false)) layout = 'v1';
    else if ((await readFile(path.join(v2, 'cgroup.controllers'), 'utf8').catch(() => '')).split(/\s+/).includes('cpu')) layout = 'v2';
    else return 'no CPU cgroup controller on this machine';
    for (const memoryMb of MEMORY_SIZES) {
      const dir = path.join(layout === 'v1' ? v1 : v2, `${name}-${memoryMb}`);
      await mkdir(dir);
      made.push(dir);
      const quota = Math.round((PERIOD_US * memoryMb) / FULL_CPU_MB);
      if (layout === 'v1') {
        await writeFile(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
        await writeFile(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
      } else {
        await writeFile(path.join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
      }
    }
    return {
      procsFile: (memoryMb) => path.join(made[MEMORY_SIZES.indexOf(memoryMb as (typeof MEMORY_SIZES)[number])]!, 'cgroup.procs'),
      // A cgroup goes once its processes have exited (each harness exits before the next starts).
      remove: async () => {
        for (const dir of made) await rmdir(dir).catch(() => undefined);
      },
    };
  } catch (error) {
    for (const dir of made) await rmdir(dir).catch(() => undefined);
    return `cannot make CPU cgroups here (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): needs root or a delegated cgroup`;
  }
}

export async function measureMemorySizes(
  local: LocalBackend,
  backend: Backend,
  fixtures: Fixtures,
  options: { ids: readonly string[]; calls: number; log: (line: string) => void },
): Promise<{ choices: MemoryChoice[] } | { skipped: string }> {
  const cgroups = await makeCgroups();
  if (typeof cgroups === 'string') return { skipped: cgroups };
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-memory-sizes-'));
  try {
    const entries = functionEntries(backend).filter((entry) => options.ids.includes(entry.id));
    await buildFunctions({ backend, entries, outdir });
    const requests = (await functionRequests(local, backend, fixtures, 0)).filter((request) => options.ids.includes(request.id));
    const matcher = routeMatcher();
    const choices: MemoryChoice[] = [];
    for (const request of requests) {
      const { settings, event } = invocationOf(request, matcher);
      // Every call a real one: a repeated Idempotency-Key would be answered from its record.
      const headers = (event as { headers?: Record<string, string> }).headers;
      if (headers) delete headers['idempotency-key'];
      const eventFile = path.join(outdir, `event-${request.id}.json`);
      await writeFile(eventFile, JSON.stringify(event));
      const sizes: MemorySize[] = [];
      for (const memoryMb of MEMORY_SIZES) {
        const environment = { ...functionProcessEnvironment(local, settings, request.id), AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb) };
        const { stdout } = await run(
          process.execPath,
          [HARNESS, pathToFileURL(bundleFile(outdir, request.id)).href, eventFile, String(options.calls), cgroups.procsFile(memoryMb)],
          { env: environment, maxBuffer: 16 * 1024 * 1024 },
        );
        const { durations, statuses } = JSON.parse(stdout.trim().split('\n').at(-1)!) as { durations: number[]; statuses: (number | null)[] };
        sizes.push({ memoryMb, p50Ms: median(durations), p99Ms: percentile(durations, 99), statuses });
      }
      choices.push({ id: request.id, configuredMb: settings.memoryMb ?? 512, sizes, ...choose(sizes) });
      options.log(`memory sizes: ${request.id} done`);
    }
    return { choices };
  } finally {
    await cgroups.remove();
    await rm(outdir, { recursive: true, force: true });
  }
}

/** The cheapest size (memory × median time, as Lambda bills GB-seconds) whose p99 is within 10 % of the fastest. */
function choose(sizes: readonly MemorySize[]): { chosenMb: number; reason: string } {
  const fastest = Math.min(...sizes.map((size) => size.p99Ms));
  const eligible = sizes.filter((size) => size.p99Ms <= fastest * 1.1);
  // Lambda bills each invocation's duration rounded up to the millisecond.
  const cost = (size: MemorySize) => size.memoryMb * Math.ceil(size.p50Ms);
  const cheapest = eligible.reduce((best, size) => (cost(size) < cost(best) ? size : best));
  return { chosenMb: cheapest.memoryMb, reason: `p99 ${cheapest.p99Ms.toFixed(1)} ms, fastest ${fastest.toFixed(1)} ms` };
}
