/**
 * `npm run bench` (`-- --quick` for a short pass): figures, never pass/fail. Prints tables and
 * writes bench/results.json (figures, machine, date); bench/README.md says how to read them.
 *
 *   1. local mode: ready after start; first and warm calls of sign-up and sign-in
 *   2. local request path: get, create and query at 1 and 10 connections, next to DynamoDB Local
 *      alone doing the same calls in the same run
 *   3. DynamoDB calls and read/write units per operation (every route, near and within), and
 *      6. its $ per million requests at bench/prices.json's list prices, next to Firestore's
 *   4. resident memory: idle, after every route was called, after idle environments retired
 *   5. per function: bundle size and cold start (a fresh Node process importing the bundle and
 *      serving one request), as a ratio to an empty handler measured the same way
 *   7. realtime: change → delivery latency, and the fan-out's cost by subscribers (bench/realtime-bench.ts)
 *   8. geolocation: near queries paged to the end, Query calls per page (bench/geo-bench.ts)
 *   then this run next to issue 15's starting figures
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadBackend } from '../lib/load-backend.js';
import { PUBLIC_AUTH_THROTTLE } from '../lib/api/api-settings.js';
import { allRoutes, type RouteDefinition } from '../lib/routes.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { defineBackend } from '../functions/core/config/define-backend.js';
import { FIXED_INDEXES } from '../functions/core/table-design.js';
import { startLocal, type LocalBackend, type StartLocalOptions } from '../local/start-local.js';
import { api, createUser, STRONG_PASSWORD, uniqueEmail, type TestUser } from '../test/fixtures/local-backend.js';
import { functionProcessEnvironment, invocationOf, measureColdStarts, routeMatcher, TARGETS, type ColdStart } from './cold-starts.js';
import { makeFixtures, routeRequest, type Fixtures, type FunctionRequest, type HttpRequestSpec } from './function-requests.js';
import type { Overhead, OverheadSpec } from './handler-overhead.js';
import { httpCaller, measureRate, type Rate } from './load.js';
import { processTreeMemory } from './memory.js';
import { measureMemorySizes, MEMORY_SIZES } from './memory-sizes.js';
import { ISSUE_15_REFERENCE } from './issue-reference.js';
import { geoBench } from './geo-bench.js';
import { realtimeBench } from './realtime-bench.js';
import { median, percentile } from './stats.js';

const run = promisify(execFile);

const quick = process.argv.includes('--quick');
const LOAD_MS = quick ? 1_500 : 3_000;
const COLD_ROUNDS = quick ? 3 : 10;
const ADMIN = { email: 'bench-admin@example.com', password: STRONG_PASSWORD };
/** One function of each kind of work, for the memory-size runs (each takes seconds at 128 MB). */
const MEMORY_SIZE_FUNCTIONS = ['SystemGetOpenapi', 'AuthGetMe', 'DataGetDocument', 'DataCreateDocument', 'DataQueryDocuments', 'StorageRequestUpload', 'PushListNotifications', 'GeoGetLocation'];
/** The argument that makes this file run section 4–5 only, as the child process `inChildProcess` starts. */
const MEMORY_CHILD = '--memory-and-cold-starts-child';
/** Where that child writes its figures (a JSON file), for the parent to merge into results. */
const CHILD_RESULTS = 'LAMBASE_BENCH_CHILD_RESULTS';
const results: Record<string, unknown> = {};

const table = (title: string, header: string[], body: string[][]) => {
  const widths = header.map((cell, i) => Math.max(cell.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(`\n${title}\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}\n${body.map(line).join('\n')}`);
};
const ms = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
const log = (line: string) => console.error(`  … ${line}`);
const loadAverage = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');

async function startBench(dataDir: string, options: StartLocalOptions = {}): Promise<LocalBackend> {
  return startLocal({ port: 0, dataDir, admin: ADMIN, throttle: { rateLimit: 100_000, burstLimit: 100_000 }, ...options });
}

async function signedIn(local: LocalBackend, credentials: { email: string; password: string }): Promise<TestUser> {
  const { body } = await api<{ accessToken: string; idToken: string; refreshToken: string }>(local.url, 'POST', '/auth/sign-in', { body: credentials });
  const userId = (JSON.parse(Buffer.from(body.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
  return { ...credentials, userId, ...body };
}

const timed = async (call: () => Promise<{ status: number }>) => {
  const begin = performance.now();
  const { status } = await call();
  if (status >= 400) throw new Error(`HTTP ${status}`);
  return performance.now() - begin;
};

/** 1. Ready after start, and the first calls a user makes (pre-warmed) and one that is not. */
async function startup(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-start-'));
  const rows: string[][] = [];
  const figures: Record<string, unknown>[] = [];
  const user = { email: uniqueEmail('first'), password: STRONG_PASSWORD };
  try {
    for (let run = 0; run < (quick ? 2 : 3); run++) {
      const local = await startBench(dataDir);
      try {
        const signUp = await timed(() => api(local.url, 'POST', '/auth/sign-up', { body: { email: uniqueEmail('first'), password: STRONG_PASSWORD } }));
        if (run === 0) {
          await api(local.url, 'POST', '/auth/sign-up', { body: user });
          const code = local.outbox.toJSON().emails.findLast((mail) => mail.to === user.email)!.code!;
          await api(local.url, 'POST', '/auth/confirm-sign-up', { body: { email: user.email, code } });
        }
        const signIn = await timed(() => api(local.url, 'POST', '/auth/sign-in', { body: user }));
        const token = (await signedIn(local, user)).accessToken;
        const notPrewarmed = await timed(() => api(local.url, 'GET', '/storage/files', { as: token }));
        const label = run === 0 ? 'empty data folder' : `restart ${run}`;
        await local.prewarmed;
        const { functionsRegistered, dynamodbAnswered, prewarmed } = local.timeline;
        rows.push([label, `${local.readyInMs} ms`, `${functionsRegistered} → ${prewarmed} ms`, `${dynamodbAnswered} ms`, ms(signUp), ms(signIn), ms(notPrewarmed)]);
        figures.push({ run: label, readyMs: local.readyInMs, timeline: local.timeline, firstSignUpMs: signUp, firstSignInMs: signIn, firstCallNotPrewarmedMs: notPrewarmed });
      } finally {
        await local.stop();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  results.startup = figures;
  table(
    '1. local mode: ready after start (startLocal → emulators up, table provisioned, gateway listening), then the first calls\n   (sign-up and sign-in are pre-warmed while DynamoDB Local starts; GET /storage/files is not: its function\'s cold start in a spare worker)',
    ['run', 'ready', 'pre-warm begun → loaded', 'DynamoDB answered', 'first sign-up', 'first sign-in', 'first GET /storage/files'],
    rows,
  );
}

/** 2. The request path against the raw emulator, then sign-in/sign-up warm and the handler's own cost. */
async function requestPath(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-path-'));
  // Local mode as `npm start` runs it: no usage header (3, DynamoDB per operation, is measured with
  // the memory run), so no function asks DynamoDB Local for consumed capacity here.
  const local = await startBench(dataDir);
  const dynamodb = new DynamoDBClient({
    endpoint: local.endpoints.dynamodb,
    region: local.region,
    credentials: local.credentials,
    requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ keepAlive: true, maxSockets: 64 }) }),
  });
  try {
    const user = await createUser(local);
    const note = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'bench', pinned: true } })).body;
    // The query's reader owns 25 pinned notes and nothing else, so the function's Query is one
    // Query of the same shape as the raw one (the creates below go to another user).
    const reader = await createUser(local);
    for (let i = 0; i < 25; i++) await api(local.url, 'POST', '/data/notes', { as: reader, body: { title: `n${i}`, pinned: true } });
    const key = { pk: { S: `DOC#notes#${note.id}` }, sk: { S: 'DOC' } };
    const item = (await dynamodb.send(new GetItemCommand({ TableName: local.tableName, Key: key }))).Item!;
    let counter = 0;
    const scenarios: { name: string; gateway: (agent: http.Agent) => () => Promise<void>; raw: () => Promise<void> }[] = [
      {
        name: 'get a note by id',
        gateway: (agent: http.Agent) => httpCaller(local.url, agent, () => ({ method: 'GET', path: `/data/notes/${note.id}`, token: user.accessToken })),
        raw: async () => void (await dynamodb.send(new GetItemCommand({ TableName: local.tableName, Key: key, ConsistentRead: true }))),
      },
      {
        name: 'create a note',
        gateway: (agent: http.Agent) => httpCaller(local.url, agent, () => ({ method: 'POST', path: '/data/notes', token: user.accessToken, body: { title: `load ${counter++}` } })),
        raw: async () => {
          const copy: Record<string, AttributeValue> = { ...item, pk: { S: `DOC#notes#raw-${process.pid}-${counter++}` } };
          await dynamodb.send(new PutItemCommand({ TableName: local.tableName, Item: copy, ConditionExpression: 'attribute_not_exists(pk)' }));
        },
      },
      {
        name: 'query own pinned notes (limit 20)',
        gateway: (agent: http.Agent) => httpCaller(local.url, agent, () => ({ method: 'POST', path: '/data/notes/query', token: reader.accessToken, body: { where: { pinned: true }, limit: 20 } })),
        raw: async () =>
          void (await dynamodb.send(
            new QueryCommand({
              TableName: local.tableName,
              IndexName: FIXED_INDEXES.byOwnerCreated.name,
              KeyConditionExpression: '#owner = :owner',
              FilterExpression: '#data.#pinned = :pinned',
              ExpressionAttributeNames: { '#owner': FIXED_INDEXES.byOwnerCreated.partition, '#data': 'data', '#pinned': 'pinned' },
              ExpressionAttributeValues: { ':owner': { S: `notes#${reader.userId}` }, ':pinned': { BOOL: true } },
              ScanIndexForward: false,
              // What the function asks for a filtered page (functions/adapters/dynamodb-document-store.ts).
              Limit: 100,
            }),
          )),
      },
    ];
    const rows: string[][] = [];
    const figures: Record<string, unknown>[] = [];
    for (const scenario of scenarios) {
      for (const connections of [1, 10]) {
        const gateway = await measureOverHttp(connections, scenario.gateway);
        const raw = await measureRate(connections, LOAD_MS, scenario.raw);
        const ratio = gateway.perSecond / raw.perSecond;
        rows.push([scenario.name, String(connections), rate(gateway), rate(raw), ratio.toFixed(2)]);
        figures.push({ scenario: scenario.name, connections, localMode: gateway, dynamodbLocal: raw, ratio });
      }
    }
    results.requestPath = figures;
    table(
      `2. local request path: ${LOAD_MS / 1000} s closed-loop runs, keep-alive, next to DynamoDB Local alone doing the same calls in the same run\n   (target: local mode ≥ 0.7× the raw emulator's rate)`,
      ['scenario', 'conn.', 'local mode (req/s, p50, p99)', 'DynamoDB Local alone', 'ratio'],
      rows,
    );

    const signInWarm: number[] = [];
    const signUpWarm: number[] = [];
    // The public auth routes have their own throttle (PUBLIC_AUTH_THROTTLE: 5 a second, as deployed):
    // each round takes at least 1/5 s, so the calls measure latency, never the 429.
    const round = 1000 / PUBLIC_AUTH_THROTTLE.rateLimit;
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      const begin = performance.now();
      signInWarm.push(await timed(() => api(local.url, 'POST', '/auth/sign-in', { body: { email: user.email, password: user.password } })));
      signUpWarm.push(await timed(() => api(local.url, 'POST', '/auth/sign-up', { body: { email: uniqueEmail('warm'), password: STRONG_PASSWORD } })));
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 2 * round - (performance.now() - begin))));
    }
    results.authWarm = { signInMs: median(signInWarm), signUpMs: median(signUpWarm) };
    table('   sign-in and sign-up, warm (median of sequential calls; target ≤ 150 ms)', ['call', 'median'], [
      ['POST /auth/sign-in', ms(median(signInWarm))],
      ['POST /auth/sign-up', ms(median(signUpWarm))],
    ]);

    // 3. DynamoDB per operation is measured with the memory run, for every route (perOperation).

    await handlerOverhead(local, user, note.id, unmarshall(item));
  } finally {
    dynamodb.destroy();
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** 2b. The handler's own cost on a warm request: the full middleware stack, DynamoDB answered in memory. */
async function handlerOverhead(local: LocalBackend, user: TestUser, noteId: string, item: Record<string, unknown>): Promise<void> {
  const matcher = routeMatcher();
  const requests: (FunctionRequest & { name: string })[] = [
    { name: 'GET /data/notes/{id}', id: 'DataGetDocument', handler: '', http: { method: 'GET', path: `/data/notes/${noteId}`, as: user } },
    { name: 'POST /data/notes', id: 'DataCreateDocument', handler: '', http: { method: 'POST', path: '/data/notes', as: user, body: { title: 'overhead', pinned: true } } },
    { name: 'PATCH /data/notes/{id}', id: 'DataUpdateDocument', handler: '', http: { method: 'PATCH', path: `/data/notes/${noteId}`, as: user, body: { pinned: false } } },
  ];
  const environment: Record<string, string> = {};
  const scenarios = requests.map((request) => {
    const { settings, event } = invocationOf(request, matcher);
    Object.assign(environment, functionProcessEnvironment(local, settings, request.id));
    return { name: request.name, handler: settings.handler, event };
  });
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-overhead-'));
  try {
    const specFile = path.join(folder, 'spec.json');
    await writeFile(specFile, JSON.stringify({ item, scenarios, calls: quick ? 300 : 2_000 } satisfies OverheadSpec));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'bench/handler-overhead.ts'), specFile], {
      env: { ...environment, POWERTOOLS_LOG_LEVEL: 'ERROR' },
      cwd: PROJECT_ROOT,
      maxBuffer: 16 * 1024 * 1024,
    });
    const overheads = JSON.parse(stdout.trim().split('\n').at(-1)!) as Overhead[];
    results.handlerOverhead = overheads;
    table(
      '   warm handler overhead: the full middleware stack with DynamoDB answered in memory, one process, sequential calls (target p50 ≤ 1 ms)',
      ['route', 'p50', 'p99', 'calls', 'status'],
      overheads.map((overhead) => [overhead.name, `${overhead.p50Ms.toFixed(2)} ms`, `${overhead.p99Ms.toFixed(2)} ms`, String(overhead.calls), overhead.statuses.join('/')]),
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * 2c. The stream pump's cost to requests. Since realtime, the pump always runs (the fan-out reads
 * the table's stream), so what varies is its readers: the same reads and writes against local mode
 * with the fan-out alone (the example without its user functions) and with the event dispatcher as
 * well (the example: its functions listen to sign-ups, published posts and zones, which the load
 * does not touch, so only the polling differs). Both run at once and are measured in turns.
 */
async function streamPumpOnOff(): Promise<void> {
  const base = await loadBackend();
  const fanOutOnly = defineBackend({ ...base.definition, functions: {} });
  const folders = await Promise.all([0, 1].map(() => mkdtemp(path.join(os.tmpdir(), 'lambase-bench-pump-'))));
  const started = await Promise.allSettled([
    startBench(folders[0]!, { backend: fanOutOnly }),
    startBench(folders[1]!),
  ]);
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stop() : undefined)));
    throw failed.reason;
  }
  const [off, on] = started.map((outcome) => (outcome as PromiseFulfilledResult<LocalBackend>).value);
  try {
    const rows: string[][] = [];
    const figures: Record<string, unknown>[] = [];
    const callers = await Promise.all(
      [off!, on!].map(async (local) => {
        const user = await createUser(local);
        const note = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'pump' } })).body;
        let counter = 0;
        return {
          get: (agent: http.Agent) => httpCaller(local.url, agent, () => ({ method: 'GET', path: `/data/notes/${note.id}`, token: user.accessToken })),
          create: (agent: http.Agent) => httpCaller(local.url, agent, () => ({ method: 'POST', path: '/data/notes', token: user.accessToken, body: { title: `pump ${counter++}` } })),
        };
      }),
    );
    for (const scenario of ['get', 'create'] as const) {
      for (const connections of [1, 10]) {
        const oneReader = await measureOverHttp(connections, callers[0]![scenario]);
        const twoReaders = await measureOverHttp(connections, callers[1]![scenario]);
        const name = scenario === 'get' ? 'get a note by id' : 'create a note';
        rows.push([name, String(connections), rate(oneReader), rate(twoReaders), (twoReaders.perSecond / oneReader.perSecond).toFixed(2)]);
        figures.push({ scenario: name, connections, oneReader, twoReaders, ratio: twoReaders.perSecond / oneReader.perSecond });
      }
    }
    results.streamPump = figures;
    table(
      '   the stream pump with one reader and with two: the realtime fan-out alone, then with the event dispatcher (each polls every 200 ms)',
      ['scenario', 'conn.', 'one reader (req/s, p50, p99)', 'two readers', 'two/one'],
      rows,
    );
  } finally {
    await Promise.all([off!.stop(), on!.stop()]);
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })));
  }
}

/**
 * A load run over keep-alive sockets of its own: sockets left idle between runs (while the raw
 * emulator or another instance is measured) would outlive the gateway's keep-alive timeout and
 * race its close.
 */
async function measureOverHttp(connections: number, call: (agent: http.Agent) => () => Promise<void>): Promise<Rate> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  try {
    return await measureRate(connections, LOAD_MS, call(agent));
  } finally {
    agent.destroy();
  }
}

function rate(value: Rate): string {
  return `${value.perSecond.toFixed(0)}/s, ${value.p50Ms.toFixed(1)}, ${value.p99Ms.toFixed(1)} ms`;
}

/**
 * Runs this file again as a child process doing only `section` (with this run's flags), its tables
 * printed in place, and returns its figures. Memory is measured there: in this process, local mode
 * would share the heap with everything the earlier sections left behind (hundreds of MB), which is
 * not local mode's.
 */
async function inChildProcess(section: string): Promise<Record<string, unknown>> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-child-'));
  const file = path.join(folder, 'results.json');
  try {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), section, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, [CHILD_RESULTS]: file },
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`the bench's ${section} process failed (exit ${code})`);
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** 4 and 5. Memory over a run that calls every route, then every function's size and cold start. */
async function memoryAndColdStarts(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-memory-'));
  // Long enough that no environment retires while the routes are called one by one (under load that
  // takes tens of seconds), short enough to see them retire afterwards.
  const idleEnvironmentMs = quick ? 20_000 : 45_000;
  // This process before local mode starts: the bench's own code (its driver), counted apart.
  const driver = await processTreeMemory();
  const local = await startBench(dataDir, { idleEnvironmentMs, functionEnvironment: { LAMBASE_REPORT_USAGE: 'true' } });
  try {
    await local.prewarmed;
    const idle = await processTreeMemory();
    const admin = await signedIn(local, ADMIN);
    const call = (method: string, route: string, options: { as?: TestUser; body?: unknown }) => api(local.url, method, route, options);
    const fixtures = { ...(await makeFixtures(local, call)), admin };
    const statuses: string[] = [];
    const routes = allRoutes(await loadBackend());
    for (const { operation } of routes) {
      const request = (await routeRequest(operation.operationId, fixtures, 0))!;
      const response = await api(local.url, request.method, request.path, { as: request.as, body: request.body });
      statuses.push(`${operation.operationId} ${response.status}`);
    }
    const afterEveryRoute = await processTreeMemory();
    await perOperation(local, routes, fixtures);
    const environments = local.environmentCount();
    if (environments < statuses.length) log(`only ${environments} environments of ${statuses.length} routes were still running: some retired during the run`);
    const retiredAt = performance.now();
    while (local.environmentCount() > 0 && performance.now() - retiredAt < idleEnvironmentMs * 3) await new Promise((resolve) => setTimeout(resolve, 250));
    const afterRetirement = await processTreeMemory();
    // Only this Node process's own: tsx's esbuild helper, already running, is as much `npm start`'s.
    const driverMb = driver.processes.find((entry) => entry.pid === process.pid)?.mb ?? 0;
    const describe = (memory: Awaited<ReturnType<typeof processTreeMemory>>) =>
      `${memory.totalMb - driverMb} MB (${memory.processes.map((entry) => `${entry.name} ${entry.pid === process.pid ? entry.mb - driverMb : entry.mb}`).join(', ')})`;
    results.memory = { driverMb, idle, afterEveryRoute, environmentsAfterEveryRoute: environments, afterRetirement, idleEnvironmentMs, localModeMb: { idle: idle.totalMb - driverMb, afterEveryRoute: afterEveryRoute.totalMb - driverMb, afterRetirement: afterRetirement.totalMb - driverMb } };
    table(`4. resident memory of local mode, Java included, the bench's own ${driverMb} MB before start taken off (targets: ≤ 400 MB idle, ≤ 1 GB after every route)`, ['moment', 'resident'], [
      ['idle (started, first calls pre-warmed)', describe(idle)],
      [`after calling every route once (${environments} environments)`, describe(afterEveryRoute)],
      [`after ${idleEnvironmentMs / 1000} s idle (environments retired, as Lambda does)`, describe(afterRetirement)],
    ]);

    const backend = await loadBackend();
    const cold = await measureColdStarts(local, backend, fixtures, { rounds: COLD_ROUNDS, log });
    results.coldStarts = cold;
    printColdStarts(cold.empty, cold.sdkFloor, cold.functions);

    const sizes = await measureMemorySizes(local, backend, fixtures, { ids: MEMORY_SIZE_FUNCTIONS, calls: quick ? 12 : 40, log });
    results.memorySizes = sizes;
    if ('skipped' in sizes) console.log(`\n   memory per function: not measured (${sizes.skipped})`);
    else {
      table(
        '   memory per function: warm calls under each size\'s CPU share (size / 1,769 MB of a core), p99; the choice is the cheapest whose p99 is within 10 % of the fastest',
        ['function', 'now', ...MEMORY_SIZES.map((mb) => `${mb} MB`), 'choice'],
        sizes.choices.map((choice) => [
          choice.id,
          `${choice.configuredMb} MB`,
          ...choice.sizes.map((size) => ms(size.p99Ms)),
          `${choice.chosenMb} MB${choice.chosenMb === choice.configuredMb ? '' : ' ✎'}`,
        ]),
      );
    }
  } finally {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A request's DynamoDB use, from the function's own meter (`x-lambase-dynamodb`). */
type Usage = { calls: number; read: number; write: number; operations: string };

function usageOf(header: string | null): Usage {
  const number = (name: string) => Number(new RegExp(`${name}=([\\d.]+)`).exec(header ?? '')?.[1] ?? 0);
  return { calls: number('calls'), read: number('read'), write: number('write'), operations: header?.split('; ').at(-1) ?? '' };
}

type Prices = {
  read: string;
  lambda: { arm64PerGbSecond: number; perMillionRequests: number };
  httpApi: { perMillionRequests: number };
  dynamodb: { onDemandPerMillionReadRequestUnits: number; onDemandPerMillionWriteRequestUnits: number };
  firestore: { perMillionDocumentReads: number; perMillionDocumentWrites: number; perMillionDocumentDeletes: number };
};

/** What Firestore would bill for the same data operation (its documents read, written, deleted). */
function firestoreDocuments(operationId: string, body: unknown): { reads: number; writes: number; deletes: number } | undefined {
  const items = (body as { items?: unknown[] } | undefined)?.items?.length ?? 0;
  const operations = ((body as { results?: unknown[] } | undefined)?.results ?? []).length;
  switch (operationId) {
    case 'getDocument':
      return { reads: 1, writes: 0, deletes: 0 };
    case 'createDocument':
    case 'updateDocument':
    case 'replaceDocument':
      return { reads: 0, writes: 1, deletes: 0 };
    case 'deleteDocument':
      return { reads: 0, writes: 0, deletes: 1 };
    case 'batchDocuments':
      return { reads: 0, writes: operations, deletes: 0 };
    case 'listDocuments':
    case 'queryDocuments':
    case 'near':
    case 'within':
      // Firestore bills a query's returned documents, and one read for an empty result.
      return { reads: Math.max(1, items), writes: 0, deletes: 0 };
    default:
      return undefined;
  }
}

/**
 * 3. DynamoDB per operation (every route, near and within included) and 6. its cost: each operation
 * once more, warm, its calls and read/write units from the function's own meter and its time; then
 * $ per million requests at bench/prices.json's list prices.
 */
async function perOperation(local: LocalBackend, routes: readonly RouteDefinition[], fixtures: Fixtures): Promise<void> {
  const prices = JSON.parse(await readFile(path.join(PROJECT_ROOT, 'bench/prices.json'), 'utf8')) as Prices;
  const places = await api<{ results: { id: string }[] }>(local.url, 'POST', '/data/_batch', {
    as: fixtures.user,
    body: {
      operations: Array.from({ length: 20 }, (_, i) => ({
        op: 'create',
        collection: 'places',
        data: { name: `café ${i}`, category: 'cafe', location: { lat: 48.8566 + (i - 10) / 2_000, lng: 2.3522 + (i % 5) / 2_000 } },
      })),
    },
  });
  if (places.status !== 200) throw new Error(`creating the bench's places failed: HTTP ${places.status}`);
  const geo: [string, HttpRequestSpec][] = [
    ['near', { method: 'POST', path: '/data/places/query', as: fixtures.user, body: { where: { category: 'cafe', location: { near: { lat: 48.8566, lng: 2.3522, radiusMeters: 500 } } }, limit: 20 } }],
    ['within', { method: 'POST', path: '/data/places/query', as: fixtures.user, body: { where: { location: { within: { south: 48.85, west: 2.35, north: 48.862, east: 2.356 } } }, limit: 20 } }],
  ];
  const requests: { operationId: string; route: string; memoryMb: number; request: () => Promise<HttpRequestSpec> }[] = [
    ...routes.map((route) => ({
      operationId: route.operation.operationId,
      route: `${route.operation.method} ${route.operation.path}`,
      memoryMb: route.memoryMb ?? 512,
      request: async () => (await routeRequest(route.operation.operationId, fixtures, 1))!,
    })),
    ...geo.map(([name, spec]) => ({ operationId: name, route: `POST /data/places/query (${name})`, memoryMb: 512, request: async () => spec })),
  ];
  const rows: string[][] = [];
  const figures: Record<string, unknown>[] = [];
  for (const { operationId, route, memoryMb, request } of requests) {
    const spec = await request();
    // Warm: the memory run called it once already (geo: this first call); the next one is measured.
    if (operationId === 'near' || operationId === 'within') await api(local.url, spec.method, spec.path, { as: spec.as, body: spec.body });
    const measured = spec.method === 'GET' || operationId === 'near' || operationId === 'within' ? spec : await request();
    const begin = performance.now();
    const response = await api(local.url, measured.method, measured.path, { as: measured.as, body: measured.body });
    const durationMs = Math.ceil(performance.now() - begin);
    const usage = usageOf(response.headers.get('x-lambase-dynamodb'));
    const lambda = prices.lambda.perMillionRequests + prices.lambda.arm64PerGbSecond * (memoryMb / 1024) * (durationMs / 1000) * 1e6;
    const dynamodb = usage.read * prices.dynamodb.onDemandPerMillionReadRequestUnits + usage.write * prices.dynamodb.onDemandPerMillionWriteRequestUnits;
    const total = lambda + prices.httpApi.perMillionRequests + dynamodb;
    const documents = firestoreDocuments(operationId, response.body);
    const firestore = documents
      ? documents.reads * prices.firestore.perMillionDocumentReads + documents.writes * prices.firestore.perMillionDocumentWrites + documents.deletes * prices.firestore.perMillionDocumentDeletes
      : undefined;
    const scans = /(^|,)Scan=/.test(usage.operations);
    rows.push([
      `${route}${scans ? ' ✖ scan' : ''}`,
      String(response.status),
      String(usage.calls),
      `${usage.read} / ${usage.write}`,
      usage.operations || '—',
      `${durationMs} ms`,
      `$${total.toFixed(2)}`,
      firestore === undefined ? '—' : `$${firestore.toFixed(2)}`,
    ]);
    figures.push({ operationId, route, status: response.status, ...usage, durationMs, memoryMb, dollarsPerMillion: { lambda, httpApi: prices.httpApi.perMillionRequests, dynamodb, total }, firestoreDollarsPerMillion: firestore });
  }
  results.perOperation = { pricesRead: prices.read, operations: figures };
  table(
    `3 and 6. per operation: DynamoDB calls and read / write units (0 scans), warm time, and $ per million requests at list prices of ${prices.read}\n` +
      '   (bench/prices.json: Lambda arm64 at the route\'s memory for the time measured here, HTTP API, DynamoDB on-demand; Firestore: the same documents at its per-document prices, compute included)',
    ['operation', 'status', 'calls', 'RRU / WRU', 'DynamoDB operations', 'time', 'Lambase $/M', 'Firestore $/M'],
    rows,
  );
}

function printColdStarts(empty: ColdStart, sdkFloor: ColdStart, functions: ColdStart[]): void {
  const row = (fn: ColdStart) => {
    const missing = [fn.kb > TARGETS.stretchKb ? `${fn.kb - TARGETS.stretchKb} KB over ${TARGETS.stretchKb}` : '', fn.ratio > TARGETS.stretchRatio ? `${(fn.ratio - TARGETS.stretchRatio).toFixed(2)}× over ${TARGETS.stretchRatio}×` : '']
      .filter(Boolean)
      .join(', ');
    const flag = fn.kb > TARGETS.kb || fn.ratio > TARGETS.ratio ? ' ✖' : '';
    return [
      `${fn.id}${flag}`,
      `${fn.kb} KB`,
      ms(fn.importMs),
      ms(fn.invokeMs),
      ms(fn.totalMs),
      `${fn.ratio.toFixed(2)}×`,
      fn.statuses.join('/'),
      missing ? `${missing}; largest: ${fn.largest.map(([name, kb]) => `${name} ${kb}`).join(', ')}` : 'meets the stretch targets',
    ];
  };
  table(
    `5. function bundles and cold starts: a fresh Node process imports the bundle and serves one request against the emulators\n   (median of ${COLD_ROUNDS} rounds; ratio to the empty handler's ${ms(empty.totalMs)}; targets ≤ ${TARGETS.kb} KB and ≤ ${TARGETS.ratio}×, then ${TARGETS.stretchKb} KB and ${TARGETS.stretchRatio}×; ✖ misses the first)`,
    ['function', 'bundle', 'import', '1st call', 'process start → answer', 'ratio', 'status', 'distance to the stretch targets (and what weighs most, KB)'],
    [row(empty), row(sdkFloor), ...functions.map(row)],
  );
  const sdk = functions.filter((fn) => fn.awsSdk);
  const overFloor = sdk.map((fn) => fn.totalMs / sdkFloor.totalMs).sort((a, b) => a - b);
  const times = (value: number | undefined) => `${(value ?? 0).toFixed(2)}×`;
  console.log(
    `   the SDK's floor (${sdkFloor.id}: the DynamoDB client alone, one GetItem) is ${sdkFloor.ratio.toFixed(2)}× the empty handler: a function whose first request calls AWS cannot be under it;` +
      `\n   the ${sdk.length} functions calling AWS take ${times(overFloor[0])}–${times(overFloor.at(-1))} the floor's time (median ${times(overFloor[Math.floor(overFloor.length / 2)])})`,
  );
}

/** 6. This run next to issue 15's table (main before the work, and the monolith). */
function printSideBySide(): void {
  type PathFigure = { scenario: string; connections: number; localMode: Rate; dynamodbLocal: Rate; ratio: number };
  const path = (results.requestPath ?? []) as PathFigure[];
  const load = (scenario: string, connections: number) => {
    const figure = path.find((candidate) => candidate.scenario.startsWith(scenario) && candidate.connections === connections);
    return figure ? `${figure.localMode.perSecond.toFixed(0)} req/s, p50 ${figure.localMode.p50Ms.toFixed(1)} ms (${figure.ratio.toFixed(2)}× DynamoDB Local's ${figure.dynamodbLocal.perSecond.toFixed(0)})` : '—';
  };
  const startups = (results.startup ?? []) as { readyMs: number; firstSignUpMs: number; firstSignInMs: number }[];
  const warm = results.authWarm as { signInMs: number; signUpMs: number } | undefined;
  const cold = results.coldStarts as { functions: ColdStart[] } | undefined;
  const memory = results.memory as { localModeMb: { afterEveryRoute: number; idle: number } } | undefined;
  const range = (values: number[], unit: string, digits = 0) => (values.length ? `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}${unit}` : '—');
  const raw = (scenario: string, connections: number) => path.find((candidate) => candidate.scenario.startsWith(scenario) && candidate.connections === connections)?.dynamodbLocal.perSecond.toFixed(0) ?? '—';
  const thisRun: Record<string, string> = {
    'get a note by id, 1 connection': load('get a note', 1),
    'get a note by id, 10 connections': load('get a note', 10),
    'create a note, 1 connection': load('create a note', 1),
    'create a note, 10 connections': load('create a note', 10),
    'query own pinned notes (limit 20), 1 connection': load('query own pinned', 1),
    'query own pinned notes (limit 20), 10 connections': load('query own pinned', 10),
    'sign-up, first call (then warm)': `${range(startups.map((run) => run.firstSignUpMs / 1000), ' s', 2)} (then ${warm ? ms(warm.signUpMs) : '—'})`,
    'sign-in, first call (then warm)': `${range(startups.map((run) => run.firstSignInMs / 1000), ' s', 2)} (then ${warm ? ms(warm.signInMs) : '—'})`,
    'ready after start': range(startups.map((run) => run.readyMs / 1000), ' s', 1),
    'function bundles': cold
      ? `${cold.functions.length}: ${range(cold.functions.map((fn) => fn.kb), ' KB')}; import + first request ${range(cold.functions.map((fn) => fn.ratio), '×', 1)} an empty handler`
      : '—',
    'resident memory after every route': memory ? `${memory.localModeMb.afterEveryRoute} MB (idle ${memory.localModeMb.idle} MB)` : '—',
    'DynamoDB Local alone (GetItem 1 / 10 conn.; PutItem 1 / 10)': `${raw('get a note', 1)} / ${raw('get a note', 10)}; ${raw('create a note', 1)} / ${raw('create a note', 10)} req/s (this machine, now)`,
  };
  table(
    `6. side by side with issue 15's table (quoted: main before this work, and the monolith on an idle machine; this run's load average: ${loadAverage()})`,
    ['figure', 'main before (issue)', 'monolith (issue)', 'this run'],
    ISSUE_15_REFERENCE.map((row) => [row.figure, row.mainBefore, row.monolith, thisRun[row.figure] ?? '—']),
  );
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
if (process.argv.includes(MEMORY_CHILD)) {
  await memoryAndColdStarts();
  await writeFile(process.env[CHILD_RESULTS]!, JSON.stringify(results));
  process.exit(0);
}
const machine = {
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  loadAverageAtStart: loadAverage(),
};
console.log(`Lambase benchmark — ${new Date().toISOString()} — Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, load ${machine.loadAverageAtStart}${quick ? ' (quick)' : ''}`);
const startedAt = performance.now();
/**
 * `--only startup,memory,…`: just those sections (to look at one after a change); the figures are
 * printed, and results.json is left alone (it holds one whole run).
 */
const SECTIONS = ['startup', 'request-path', 'stream-pump', 'memory', 'realtime', 'geo'] as const;
const onlyArgument = process.argv.find((argument) => argument.startsWith('--only='))?.slice('--only='.length);
const only = onlyArgument ? new Set(onlyArgument.split(',')) : undefined;
const unknown = [...(only ?? [])].filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`--only: unknown sections ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
const wanted = (section: (typeof SECTIONS)[number]) => !only || only.has(section);

if (wanted('startup')) await startup();
if (wanted('request-path')) await requestPath();
if (wanted('stream-pump')) await streamPumpOnOff();
if (wanted('memory')) Object.assign(results, await inChildProcess(MEMORY_CHILD));
if (wanted('realtime')) {
  // 7. Realtime (bench/realtime-bench.ts): change → delivery, and the fan-out's cost by subscribers.
  const realtimeTables = await realtimeBench({ quick, percentile });
  for (const { title, header, body } of realtimeTables) table(title, header, body);
  results.realtime = realtimeTables;
}
if (wanted('geo')) {
  // 8. Geolocation (bench/geo-bench.ts): near queries paged to the end, Query calls per page.
  const geoTables = await geoBench({ quick, percentile });
  for (const { title, header, body } of geoTables) table(title, header, body);
  results.geo = geoTables;
}
printSideBySide();
const durationS = Math.round((performance.now() - startedAt) / 1000);
if (only) {
  console.log(`\nDone in ${durationS} s (load average now ${loadAverage()}); --only: results.json left as it was.`);
} else {
  const file = path.join(PROJECT_ROOT, 'bench/results.json');
  await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), quick, durationS, machine: { ...machine, loadAverageAtEnd: loadAverage() }, ...results }, null, 2)}\n`);
  console.log(`\nDone in ${durationS} s (load average now ${loadAverage()}); figures written to ${path.relative(process.cwd(), file)}.`);
}
