/**
 * `npm run bench`: figures, not pass/fail. On this machine it measures
 *   1. local mode's time to ready (cold data folder, then warm restarts);
 *   2. latency and throughput of the main routes through the local gateway;
 *   3. the DynamoDB calls and capacity each operation costs (what the cloud bill scales with);
 *   4. each function bundle's size and module-load time (a proxy for Lambda cold starts),
 *      bundled with the same esbuild settings as the CDK function factory;
 *   5–6. realtime: change → delivery latency, and the fan-out's cost by subscribers (bench/realtime-bench.ts).
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { startLocal } from '../local/start-local.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { api, createUser } from '../test/fixtures/local-backend.js';
import { geoBench } from './geo-bench.js';
import { realtimeBench } from './realtime-bench.js';

const quick = process.argv.includes('--quick');

const table = (title: string, header: string[], body: string[][]) => {
  const widths = header.map((cell, i) => Math.max(cell.length, ...body.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${body.map(line).join('\n')}`);
};
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))]!;

async function startupTimes(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-start-'));
  const body: string[][] = [];
  for (let run = 0; run < (quick ? 2 : 4); run++) {
    const local = await startLocal({ port: 0, dataDir });
    body.push([run === 0 ? 'empty data folder' : `restart ${run}`, `${local.readyInMs} ms`]);
    await local.stop();
  }
  await rm(dataDir, { recursive: true, force: true });
  table('1. local mode: time to ready (startLocal → every emulator up, table provisioned, gateway listening)', ['run', 'ready in'], body);
}

async function routes(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-routes-'));
  const local = await startLocal({
    port: 0,
    dataDir,
    throttle: { rateLimit: 100_000, burstLimit: 100_000 },
    functionEnvironment: { LAMBASE_REPORT_USAGE: 'true' },
  });
  try {
    const user = await createUser(local);
    const category = 'bench';
    for (let i = 0; i < 30; i++) await api(local.url, 'POST', '/data/posts', { as: user, body: { title: `p${i}`, published: true, category } });
    const note = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'bench' } })).body;
    const notes = await Promise.all(Array.from({ length: 16 }, async (_, i) => (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: `n${i}` } })).body));
    let turn = 0;
    const scenarios: [string, () => Promise<Response>][] = [
      ['GET /openapi.json', () => fetch(`${local.url}/openapi.json`)],
      ['POST /data/notes', () => fetchJson(local.url, 'POST', '/data/notes', user.accessToken, { title: 'n' })],
      ['GET /data/notes/{id}', () => fetchJson(local.url, 'GET', `/data/notes/${note.id}`, user.accessToken)],
      // Each request patches its own note: one hot document is a contention test, not a throughput one.
      ['PATCH /data/notes/{id}', () => fetchJson(local.url, 'PATCH', `/data/notes/${notes[(turn++) % notes.length]!.id}`, user.accessToken, { pinned: turn % 2 === 0 })],
      ['GET /data/notes?limit=20', () => fetchJson(local.url, 'GET', '/data/notes?limit=20', user.accessToken)],
      ['POST /data/posts/query byCategory', () => fetchJson(local.url, 'POST', '/data/posts/query', undefined, { where: { category }, limit: 10 })],
      ['POST /data/notes/query pinned', () => fetchJson(local.url, 'POST', '/data/notes/query', user.accessToken, { where: { pinned: true } })],
      ['GET /me', () => fetchJson(local.url, 'GET', '/me', user.accessToken)],
    ];
    const latency: string[][] = [];
    const costs: string[][] = [];
    const requests = quick ? 40 : 200;
    const concurrency = 8;
    for (const [name, call] of scenarios) {
      // Warm as many environments as will run at once (each one's first call is a cold start).
      await Promise.all(Array.from({ length: concurrency }, async () => (await call()).arrayBuffer()));
      const warm = await call();
      costs.push([name, warm.headers.get('x-lambase-dynamodb') ?? '(no DynamoDB call)']);
      const durations: number[] = [];
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < requests) {
            next++;
            const begin = performance.now();
            const response = await call();
            await response.arrayBuffer();
            if (response.status >= 400) throw new Error(`${name}: HTTP ${response.status}`);
            durations.push(performance.now() - begin);
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latency.push([name, `${percentile(durations, 50).toFixed(1)} ms`, `${percentile(durations, 95).toFixed(1)} ms`, `${(requests / seconds).toFixed(0)}/s`]);
    }
    table(`2. local gateway: ${requests} requests per route, ${concurrency} at a time (emulators and functions share this machine's 2 cores)`, ['route', 'p50', 'p95', 'throughput'], latency);
    table('3. DynamoDB per request (warm function; capacity as DynamoDB Local reports it)', ['route', 'calls; capacity units; operations'], costs);
  } finally {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function fetchJson(base: string, method: string, route: string, token?: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${route}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function bundles(): Promise<void> {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-bundles-'));
  const handlers = ['functions/system/not-found.ts', 'functions/data/get-document.ts', 'functions/data/create-document.ts', 'functions/auth/sign-in.ts', 'functions/storage/request-upload.ts'];
  const body: string[][] = [];
  for (const handler of handlers) {
    const outfile = path.join(outdir, `${path.basename(handler, '.ts')}.mjs`);
    // The CDK function factory's settings (lib/functions/lambase-function.ts).
    await build({
      entryPoints: [path.join(PROJECT_ROOT, handler)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      minify: true,
      mainFields: ['module', 'main'],
      banner: { js: "import { createRequire as __lambaseCreateRequire } from 'node:module'; const require = __lambaseCreateRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    const size = (await stat(outfile)).size;
    const loads: number[] = [];
    for (let run = 0; run < (quick ? 3 : 7); run++) {
      const script = `const t=performance.now();await import(${JSON.stringify(outfile)});console.log(performance.now()-t)`;
      loads.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, LAMBASE_TABLE_NAME: 't', LAMBASE_BUCKET_NAME: 'b', LAMBASE_USER_POOL_ID: 'us-east-1_x', LAMBASE_USER_POOL_CLIENT_ID: 'c', AWS_REGION: 'us-east-1' },
        encoding: 'utf8',
      })));
    }
    body.push([handler, `${(size / 1024).toFixed(0)} KiB`, `${percentile(loads, 50).toFixed(0)} ms`]);
  }
  await rm(outdir, { recursive: true, force: true });
  table('4. function bundles (esbuild as in CDK): size and module load time in a fresh Node process (median)', ['handler', 'size', 'load'], body);
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
console.log(`Lambase benchmark — Node ${process.version}, ${os.cpus().length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GiB${quick ? ' (quick)' : ''}`);
await startupTimes();
await routes();
await bundles();
for (const { title, header, body } of await realtimeBench({ quick, percentile })) table(title, header, body);
for (const { title, header, body } of await geoBench({ quick, percentile })) table(title, header, body);

