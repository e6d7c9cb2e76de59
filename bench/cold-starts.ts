/**
 * Bundle sizes and cold starts, per function. Every function is built with the shared build (what
 * deploys); a cold start is a fresh Node process that imports the bundle and serves one real
 * request against the running emulators (bench/cold-start-harness.mjs), with the environment the
 * function gets (its grants' variables, NODE_OPTIONS included). Each is compared with an empty
 * handler measured the same way in the same rounds, and so is the SDK's floor (a bundle holding only
 * the DynamoDB client, sending one GetItem); rounds visit the functions in a new random
 * order each time, so a busy moment of the machine does not fall on one function.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Metafile } from 'esbuild';
import { build } from '../build/esbuild-service.js';
import { BUNDLE_SETTINGS, buildFunctions, bundleFile, entryOf, functionEntries } from '../build/function-build.js';
import type { Backend } from '../functions/core/config/define-backend.js';
import backend from '../lambase.config.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { allRoutes, defaultRoute, functionEnvironment, realtimeRoutes, type FunctionSettings, type RouteDefinition } from '../lib/routes.js';
import { allTriggers } from '../lib/triggers.js';
import { RouteMatcher } from '../local/gateway/route-matcher.js';
import { localFunctionEnvironment } from '../local/runtime/register-functions.js';
import type { LocalBackend } from '../local/start-local.js';
import { functionRequests, httpEvent, type Fixtures, type FunctionRequest } from './function-requests.js';
import { median } from './stats.js';

const run = promisify(execFile);
const HARNESS = path.join(PROJECT_ROOT, 'bench/cold-start-harness.mjs');
const EMPTY = 'EmptyHandler';
/** The SDK's own cold start: only the DynamoDB client and one GetItem (bench/sdk-floor-handler.ts). */
const SDK_FLOOR = 'SdkFloor';
const SDK_FLOOR_SOURCE = path.join(PROJECT_ROOT, 'bench/sdk-floor-handler.ts');

/** The targets: every function within these, then the stretch ones. */
export const TARGETS = { kb: 400, ratio: 2.0, stretchKb: 250, stretchRatio: 1.8 };

export type ColdStart = {
  id: string;
  handler: string;
  kb: number;
  /** The three largest contributions to the bundle, by package, in KB. */
  largest: [string, number][];
  /** Whether the bundle holds an AWS SDK client (every such function is held to the SDK's floor). */
  awsSdk: boolean;
  importMs: number;
  invokeMs: number;
  totalMs: number;
  /** totalMs over the empty handler's, both medians of the same rounds. */
  ratio: number;
  statuses: (number | null)[];
};

export async function measureColdStarts(
  local: LocalBackend,
  backend: Backend,
  fixtures: Fixtures,
  options: { rounds: number; log: (line: string) => void },
): Promise<{ empty: ColdStart; sdkFloor: ColdStart; functions: ColdStart[] }> {
  const outdir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-cold-'));
  try {
    const metafile = (await buildFunctions({ backend, entries: functionEntries(backend), outdir })).metafile;
    const emptySource = path.join(outdir, 'empty-handler.mjs');
    await writeFile(emptySource, "export const handler = async () => ({ statusCode: 200, body: '' });\n");
    const references = await build({
      ...BUNDLE_SETTINGS,
      entryPoints: [
        { in: emptySource, out: `${EMPTY}/index` },
        { in: SDK_FLOOR_SOURCE, out: `${SDK_FLOOR}/index` },
      ],
      outdir,
      metafile: true,
    });
    const sizes = bundleSizes({ ...metafile.outputs, ...references.metafile.outputs });

    const samples = new Map<string, { importMs: number[]; invokeMs: number[]; totalMs: number[]; statuses: (number | null)[] }>();
    const matcher = routeMatcher();
    for (let round = 0; round < options.rounds; round++) {
      const requests = shuffle([...(await functionRequests(local, backend, fixtures, round)), { id: EMPTY, handler: '', event: {} }, { id: SDK_FLOOR, handler: '', event: {} }]);
      for (const request of requests) {
        const sample = await coldStart(local, request, matcher, outdir);
        const entry = samples.get(request.id) ?? { importMs: [], invokeMs: [], totalMs: [], statuses: [] };
        entry.importMs.push(sample.importMs);
        entry.invokeMs.push(sample.invokeMs);
        entry.totalMs.push(sample.totalMs);
        entry.statuses.push(sample.status);
        samples.set(request.id, entry);
      }
      options.log(`cold starts: round ${round + 1} of ${options.rounds}`);
    }
    const row = (id: string, handler: string): ColdStart => {
      const sample = samples.get(id);
      if (!sample) throw new Error(`The bench has no request for the function ${id}: add one to bench/function-requests.ts`);
      return {
        id,
        handler,
        kb: sizes.get(id)!.kb,
        largest: sizes.get(id)!.largest,
        awsSdk: sizes.get(id)!.awsSdk,
        importMs: median(sample.importMs),
        invokeMs: median(sample.invokeMs),
        totalMs: median(sample.totalMs),
        ratio: 0,
        statuses: [...new Set(sample.statuses)],
      };
    };
    const empty = row(EMPTY, '(empty handler)');
    const sdkFloor = row(SDK_FLOOR, '(the DynamoDB client alone, one GetItem)');
    const functions = functionEntries(backend).map((entry) => row(entry.id, entry.handler));
    for (const fn of [empty, sdkFloor, ...functions]) fn.ratio = fn.totalMs / empty.totalMs;
    return { empty, sdkFloor, functions };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

async function coldStart(
  local: LocalBackend,
  request: FunctionRequest,
  matcher: RouteMatcher<RouteDefinition>,
  outdir: string,
): Promise<{ importMs: number; invokeMs: number; totalMs: number; status: number | null }> {
  const { settings, event } = invocationOf(request, matcher);
  const eventFile = path.join(outdir, `event-${request.id}.json`);
  await writeFile(eventFile, JSON.stringify(event));
  const environment = functionProcessEnvironment(local, settings, request.id);
  const { stdout } = await run(process.execPath, [HARNESS, pathToFileURL(bundleFile(outdir, request.id)).href, eventFile], { env: environment, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { importMs: number; invokeMs: number; totalMs: number; status: number | null };
}

/** The routes (the user's HTTP functions included), matched as the gateway matches them. */
export function routeMatcher(): RouteMatcher<RouteDefinition> {
  return new RouteMatcher(allRoutes(backend).map((route) => ({ method: route.operation.method, path: route.operation.path, target: route })), defaultRoute);
}

/** The settings of the function `request` goes to, and the event it gets (API Gateway's for a route). */
export function invocationOf(request: FunctionRequest, matcher: RouteMatcher<RouteDefinition>): { settings: FunctionSettings; event: unknown } {
  if (request.http) {
    const [pathOnly] = request.http.path.split('?');
    const match = matcher.match(request.http.method, pathOnly!);
    const event = httpEvent(request.http, { routeKey: match.routeKey, pathParameters: match.pathParameters, auth: match.target.operation.auth });
    return { settings: match.target, event };
  }
  if (request.id === EMPTY) return { settings: { handler: '', grants: [] }, event: request.event };
  if (request.id === SDK_FLOOR) return { settings: { handler: '', grants: [{ kind: 'table', access: 'read' }] }, event: request.event };
  const rows: FunctionSettings[] = [...realtimeRoutes, ...allTriggers(backend)];
  return { settings: rows.find((row) => entryOf(row).id === request.id)!, event: request.event };
}

/** The whole environment of a function's process: its grants' variables, pointed at local mode's emulators. */
export function functionProcessEnvironment(local: LocalBackend, settings: FunctionSettings, id: string): Record<string, string> {
  return {
    ...functionEnvironment(settings, {
      stage: 'local',
      tableName: local.tableName,
      bucketName: local.bucketName,
      userPoolId: local.userPoolId,
      userPoolClientId: local.userPoolClientId,
      pushApplications: local.sns.applicationArns,
      pushTopics: local.sns.topicArns,
      // Local mode's Lambda knows each user function by its config name.
      functionNames: Object.fromEntries(Object.keys(backend.functions).map((name) => [name, name])),
      realtimeEndpoint: local.realtimeEndpoint,
    }),
    ...localFunctionEnvironment({ region: local.region, credentials: local.credentials, endpoints: local.endpoints, logLevel: 'WARN' }),
    AWS_LAMBDA_FUNCTION_NAME: id,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(settings.memoryMb ?? 512),
    TZ: 'UTC',
    PATH: process.env.PATH ?? '',
  };
}

/** Each bundle's size and its largest packages (node_modules names, or "lambase" for our code). */
function bundleSizes(outputs: Metafile['outputs']): Map<string, { kb: number; largest: [string, number][]; awsSdk: boolean }> {
  const sizes = new Map<string, { kb: number; largest: [string, number][]; awsSdk: boolean }>();
  for (const [file, output] of Object.entries(outputs)) {
    if (!file.endsWith('.mjs')) continue;
    const byPackage = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'lambase';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    const largest = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, bytes]): [string, number] => [name, Math.round(bytes / 1024)]);
    const awsSdk = [...byPackage.keys()].some((name) => name.startsWith('@aws-sdk/client-'));
    sizes.set(path.basename(path.dirname(file)), { kb: Math.round(output.bytes / 1024), largest, awsSdk });
  }
  return sizes;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
