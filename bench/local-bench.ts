/**
 * `npm run bench` (`-- --quick` for a short pass): figures, never pass/fail. Prints tables and
 * writes bench/results.json (figures, machine, date); bench/README.md says how to read them.
 *
 *   1. local mode: ready after start; first and warm calls of sign-up and sign-in
 *   2. local request path: get, create and query at 1 and 10 connections, next to DynamoDB Local
 *      alone doing the same calls in the same run
 *   3. DynamoDB calls and capacity per request
 *   4. resident memory: idle, after every route was called, after idle environments retired
 *   5. per function: bundle size and cold start (a fresh Node process importing the bundle and
 *      serving one request), as a ratio to an empty handler measured the same way
 *   6. this run next to issue 15's starting figures
 *   7. realtime: change → delivery latency, and the fan-out's cost by subscribers (bench/realtime-bench.ts)
 */
import { execFile } from 'node:child_process';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadBackend } from '../lib/load-backend.js';
import { allRoutes } from '../lib/routes.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { defineBackend } from '../functions/core/config/define-backend.js';
import { FIXED_INDEXES } from '../functions/core/table-design.js';
import { LOCAL_CREDENTIALS } from '../local/emulators/local-credentials.js';
import { startLocal, type LocalBackend, type StartLocalOptions } from '../local/start-local.js';
import { api, createUser, STRONG_PASSWORD, uniqueEmail, type TestUser } from '../test/fixtures/local-backend.js';
import { functionProcessEnvironment, invocationOf, measureColdStarts, routeMatcher, TARGETS, type ColdStart } from './cold-starts.js';
import { makeFixtures, routeRequest, type FunctionRequest } from './function-requests.js';
import type { Overhead, OverheadSpec } from './handler-overhead.js';
import { httpCaller, measureRate, type Rate } from './load.js';
import { processTreeMemory } from './memory.js';
import { ISSUE_15_REFERENCE } from './issue-reference.js';
import { geoBench } from './geo-bench.js';
import { realtimeBench } from './realtime-bench.js';
import { median, percentile } from './stats.js';

const run = promisify(execFile);

const quick = process.argv.includes('--quick');
const LOAD_MS = quick ? 1_500 : 5_000;
const COLD_ROUNDS = quick ? 3 : 10;
const ADMIN = { email: 'bench-admin@example.com', password: STRONG_PASSWORD };
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
        rows.push([label, `${local.readyInMs} ms`, ms(signUp), ms(signIn), ms(notPrewarmed)]);
        figures.push({ run: label, readyMs: local.readyInMs, firstSignUpMs: signUp, firstSignInMs: signIn, firstCallNotPrewarmedMs: notPrewarmed });
      } finally {
        await local.stop();
      }
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  results.startup = figures;
  table(
    '1. local mode: ready after start (startLocal → emulators up, table provisioned, gateway listening), then the first calls\n   (sign-up and sign-in are pre-warmed at start; GET /storage/files is not: a cold start of its function)',
    ['run', 'ready', 'first sign-up', 'first sign-in', 'first GET /storage/files'],
    rows,
  );
}

/** 2 and 3. The request path against the raw emulator, sign-in/sign-up warm, DynamoDB per request. */
async function requestPath(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-path-'));
  const local = await startBench(dataDir, { functionEnvironment: { LAMBASE_REPORT_USAGE: 'true' } });
  const dynamodb = new DynamoDBClient({
    endpoint: local.endpoints.dynamodb,
    region: local.region,
    credentials: LOCAL_CREDENTIALS,
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
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      signInWarm.push(await timed(() => api(local.url, 'POST', '/auth/sign-in', { body: { email: user.email, password: user.password } })));
      signUpWarm.push(await timed(() => api(local.url, 'POST', '/auth/sign-up', { body: { email: uniqueEmail('warm'), password: STRONG_PASSWORD } })));
    }
    results.authWarm = { signInMs: median(signInWarm), signUpMs: median(signUpWarm) };
    table('   sign-in and sign-up, warm (median of sequential calls; target ≤ 150 ms)', ['call', 'median'], [
      ['POST /auth/sign-in', ms(median(signInWarm))],
      ['POST /auth/sign-up', ms(median(signUpWarm))],
    ]);

    const usage: string[][] = [];
    for (const [name, method, route, body, as] of [
      ['GET /data/notes/{id}', 'GET', `/data/notes/${note.id}`, undefined, user],
      ['POST /data/notes', 'POST', '/data/notes', { title: 'usage' }, user],
      ['PATCH /data/notes/{id}', 'PATCH', `/data/notes/${note.id}`, { pinned: false }, user],
      ['GET /data/notes?limit=20', 'GET', '/data/notes?limit=20', undefined, reader],
      ['POST /data/notes/query pinned (limit 20)', 'POST', '/data/notes/query', { where: { pinned: true }, limit: 20 }, reader],
      ['DELETE /data/notes/{id}', 'DELETE', `/data/notes/${note.id}`, undefined, user],
    ] as const) {
      const response = await api(local.url, method, route, { as, body });
      usage.push([name, response.headers.get('x-lambase-dynamodb') ?? '(no DynamoDB call)']);
    }
    results.dynamodbPerRequest = Object.fromEntries(usage);
    table('3. DynamoDB per request (warm function; capacity as DynamoDB Local reports it)', ['route', 'calls; capacity units; operations'], usage);

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
 * 2c. The stream pump's cost to requests: the same reads and writes against local mode without a
 * document trigger (no pump, the default config) and with one (the pump polls the table's stream
 * every 200 ms). The trigger listens to a collection the load does not write, so only the polling
 * differs. Both instances run at once and are measured in turns.
 */
async function streamPumpOnOff(): Promise<void> {
  const base = await loadBackend();
  const withTrigger = defineBackend({
    ...base.definition,
    functions: { ...base.definition.functions, 'bench-pump': { handler: 'test/fixtures/functions/record-events.ts', trigger: { type: 'documents', collection: 'posts', events: ['create'] } } },
  });
  const folders = await Promise.all([0, 1].map(() => mkdtemp(path.join(os.tmpdir(), 'lambase-bench-pump-'))));
  const started = await Promise.allSettled([
    startBench(folders[0]!),
    startBench(folders[1]!, { backend: withTrigger, functionEnvironment: { FIXTURE_EVENTS_FILE: path.join(folders[1]!, 'events.jsonl') } }),
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
        const pumpOff = await measureOverHttp(connections, callers[0]![scenario]);
        const pumpOn = await measureOverHttp(connections, callers[1]![scenario]);
        const name = scenario === 'get' ? 'get a note by id' : 'create a note';
        rows.push([name, String(connections), rate(pumpOff), rate(pumpOn), (pumpOn.perSecond / pumpOff.perSecond).toFixed(2)]);
        figures.push({ scenario: name, connections, pumpOff, pumpOn, ratio: pumpOn.perSecond / pumpOff.perSecond });
      }
    }
    results.streamPump = figures;
    table(
      '   the stream pump on and off: local mode without a document trigger (no pump) and with one on another collection (the pump polls every 200 ms)',
      ['scenario', 'conn.', 'pump off (req/s, p50, p99)', 'pump on', 'on/off'],
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

/** 4 and 5. Memory over a run that calls every route, then every function's size and cold start. */
async function memoryAndColdStarts(): Promise<void> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-bench-memory-'));
  // Long enough that no environment retires while the routes are called one by one (under load that
  // takes tens of seconds), short enough to see them retire afterwards.
  const idleEnvironmentMs = quick ? 30_000 : 60_000;
  const local = await startBench(dataDir, { idleEnvironmentMs });
  try {
    await local.prewarmed;
    const idle = await processTreeMemory();
    const admin = await signedIn(local, ADMIN);
    const call = (method: string, route: string, options: { as?: TestUser; body?: unknown }) => api(local.url, method, route, options);
    const fixtures = { ...(await makeFixtures(local, call)), admin };
    const statuses: string[] = [];
    for (const { operation } of allRoutes(await loadBackend())) {
      const request = (await routeRequest(operation.operationId, fixtures, 0))!;
      const response = await api(local.url, request.method, request.path, { as: request.as, body: request.body });
      statuses.push(`${operation.operationId} ${response.status}`);
    }
    const afterEveryRoute = await processTreeMemory();
    const environments = local.environmentCount();
    if (environments < statuses.length) log(`only ${environments} environments of ${statuses.length} routes were still running: some retired during the run`);
    const retiredAt = performance.now();
    while (local.environmentCount() > 0 && performance.now() - retiredAt < idleEnvironmentMs * 3) await new Promise((resolve) => setTimeout(resolve, 250));
    const afterRetirement = await processTreeMemory();
    const describe = (memory: Awaited<ReturnType<typeof processTreeMemory>>) =>
      `${memory.totalMb} MB (${memory.processes.map((entry) => `${entry.name} ${entry.mb}`).join(', ')})`;
    results.memory = { idle, afterEveryRoute, environmentsAfterEveryRoute: environments, afterRetirement, idleEnvironmentMs };
    table('4. resident memory of local mode, Java included (targets: ≤ 400 MB idle, ≤ 1 GB after every route)', ['moment', 'resident'], [
      ['idle (started, first calls pre-warmed)', describe(idle)],
      [`after calling every route once (${environments} environments)`, describe(afterEveryRoute)],
      [`after ${idleEnvironmentMs / 1000} s idle (environments retired, as Lambda does)`, describe(afterRetirement)],
    ]);

    const backend = await loadBackend();
    const cold = await measureColdStarts(local, backend, fixtures, { rounds: COLD_ROUNDS, log });
    results.coldStarts = cold;
    printColdStarts(cold.empty, cold.functions);
  } finally {
    await local.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

function printColdStarts(empty: ColdStart, functions: ColdStart[]): void {
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
    [row(empty), ...functions.map(row)],
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
  const memory = results.memory as { afterEveryRoute: { totalMb: number }; idle: { totalMb: number } } | undefined;
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
    'resident memory after every route': memory ? `${memory.afterEveryRoute.totalMb} MB (idle ${memory.idle.totalMb} MB)` : '—',
    'DynamoDB Local alone (GetItem 1 / 10 conn.; PutItem 1 / 10)': `${raw('get a note', 1)} / ${raw('get a note', 10)}; ${raw('create a note', 1)} / ${raw('create a note', 10)} req/s (this machine, now)`,
  };
  table(
    `6. side by side with issue 15's table (quoted: main before this work, and the monolith on an idle machine; this run's load average: ${loadAverage()})`,
    ['figure', 'main before (issue)', 'monolith (issue)', 'this run'],
    ISSUE_15_REFERENCE.map((row) => [row.figure, row.mainBefore, row.monolith, thisRun[row.figure] ?? '—']),
  );
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const machine = {
  node: process.version,
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  memoryGb: Math.round(os.totalmem() / 1024 ** 3),
  loadAverageAtStart: loadAverage(),
};
console.log(`Lambase benchmark — ${new Date().toISOString()} — Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb} GB, load ${machine.loadAverageAtStart}${quick ? ' (quick)' : ''}`);
const startedAt = performance.now();
await startup();
await requestPath();
await streamPumpOnOff();
await memoryAndColdStarts();
// 7. Realtime (bench/realtime-bench.ts): change → delivery, and the fan-out's cost by subscribers.
const realtimeTables = await realtimeBench({ quick, percentile });
for (const { title, header, body } of realtimeTables) table(title, header, body);
results.realtime = realtimeTables;
// 8. Geolocation (bench/geo-bench.ts): near queries paged to the end, Query calls per page.
const geoTables = await geoBench({ quick, percentile });
for (const { title, header, body } of geoTables) table(title, header, body);
results.geo = geoTables;
printSideBySide();
const file = path.join(PROJECT_ROOT, 'bench/results.json');
const durationS = Math.round((performance.now() - startedAt) / 1000);
await writeFile(file, `${JSON.stringify({ date: new Date().toISOString(), quick, durationS, machine: { ...machine, loadAverageAtEnd: loadAverage() }, ...results }, null, 2)}\n`);
console.log(`\nDone in ${durationS} s (load average now ${loadAverage()}); figures written to ${path.relative(process.cwd(), file)}.`);
