/**
 * `startLocal()`: the whole backend offline, in one process tree, on 127.0.0.1 — emulators,
 * the Lambda runtime, the event pump, the outbox and the gateway — started as an ordered list of
 * steps and stopped in reverse (the Lambda runtime first, so nothing waits on a running function).
 * `npm start` is a thin CLI over it; tests and tools call it directly.
 *
 * @example
 * const local = await startLocal({ port: 0, dataDir: tmp });
 * await fetch(`${local.url}/openapi.json`);
 * await local.stop();
 */
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Backend } from '../functions/core/config/define-backend.js';
import { createAccessTokenVerifier } from '../functions/adapters/access-token-verifier.js';
import { ENV } from '../functions/shared/env.js';
import { loadBackend } from '../lib/load-backend.js';
import { STORAGE_CORS } from '../lib/storage/storage-settings.js';
import { defaultRoute, functionEnvironment, functionId, routes, type ResourceNames } from '../lib/routes.js';
import { allTriggers, documentFilterPatterns, type CognitoTriggerEvent } from '../lib/triggers.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { startCognito, ensureUser, type LocalCognito } from './emulators/cognito.js';
import { startDynamoDb, type LocalDynamoDb } from './emulators/dynamodb.js';
import { startS3, type LocalS3, type S3ObjectCreatedRecord } from './emulators/s3.js';
import { AsyncInvoker } from './events/async-invoker.js';
import { LocalScheduler } from './events/scheduler.js';
import { StreamPump } from './events/stream-pump.js';
import type { FilterPattern } from './events/event-filter.js';
import { LocalGateway } from './gateway/local-gateway.js';
import { localRoutes } from './gateway/local-routes.js';
import { DataDirLock } from './data-dir-lock.js';
import { LocalOutbox } from './outbox.js';
import { provisionTable } from './provision-table.js';
import { LambdaInvokeServer } from './runtime/lambda-invoke-server.js';
import { LocalLambdaRuntime } from './runtime/lambda-runtime.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_TABLE_NAME = 'lambase-local';
export const LOCAL_BUCKET_NAME = 'lambase-local-files';

export type StartLocalOptions = {
  /** Gateway port on 127.0.0.1; 0 picks a free one. @default 4000 */
  port?: number;
  /** Where users, documents and files persist. @default <project>/.lambase */
  dataDir?: string;
  /** Wipe the data folder first (once it is ours: never under another running instance). */
  reset?: boolean;
  /** @default lambase.config.ts */
  backend?: Backend;
  /** Ensure this confirmed user exists in the admin group. @default LAMBASE_ADMIN_EMAIL / LAMBASE_ADMIN_PASSWORD */
  admin?: { email: string; password: string };
  /** Added to every function's environment (tests, tools). */
  functionEnvironment?: Record<string, string>;
  /** The gateway's throttle (requests a second, burst). @default lambase.config.ts `api.throttle`, as in the cloud */
  throttle?: { rateLimit: number; burstLimit: number };
  /** Handler log level inside functions. @default 'WARN' */
  functionLogLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Aborting during startup stops what has started; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  log?: (line: string) => void;
};

export type LocalBackend = {
  url: string;
  dataDir: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  tableName: string;
  bucketName: string;
  endpoints: { dynamodb: string; s3: string; cognito: string };
  outbox: LocalOutbox;
  /** Milliseconds from the call to ready. */
  readyInMs: number;
  /** Stops everything, the Lambda runtime first (invocations in flight are rejected). Idempotent. */
  stop(): Promise<void>;
};

type Step = { name: string; stop: () => Promise<void> | void };

/** A step that takes longer than this to stop is reported and left behind, so the rest still stops. */
const STEP_STOP_LIMIT_MS = 10_000;

export async function startLocal(options: StartLocalOptions = {}): Promise<LocalBackend> {
  const startedAt = performance.now();
  const log = options.log ?? (() => {});
  const { signal } = options;
  const dataDir = path.resolve(options.dataDir ?? path.join(PROJECT_ROOT, '.lambase'));
  // Lambda runs in UTC. TZ is process-wide in Node (workers cannot have their own), so local mode
  // sets it for its whole process before any function starts.
  process.env.TZ = 'UTC';
  const started: Step[] = [];
  let runtime: LocalLambdaRuntime | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      // Functions first: whatever waits on an invocation (the stream pump, retries) then ends at once.
      await runtime?.stop().catch((error: Error) => log(`stopping the lambda runtime: ${error.message}`));
      for (const step of started.reverse()) await stopWithin(step, log);
      started.length = 0;
    })());
  const onAbort = () => void runtime?.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = () => signal?.throwIfAborted();

  try {
    // 1. The port, the config, and the data folder: locked first (so two instances never share
    // it), then reset on demand.
    checkpoint();
    const port = options.port ?? 4000;
    if (port !== 0) await assertPortFree(port);
    const backend = options.backend ?? (await loadBackend());
    await mkdir(dataDir, { recursive: true });
    const lock = await DataDirLock.acquire(dataDir);
    started.push({ name: 'data folder lock', stop: () => lock.release() });
    if (options.reset) await lock.clearFolder();
    checkpoint();

    const outbox = new LocalOutbox(path.join(dataDir, 'outbox.json'), log);
    await outbox.load();
    started.push({ name: 'outbox', stop: () => outbox.flush() });

    // 2. The Lambda runtime and its Invoke endpoint (Cognito calls its triggers through it).
    const functions = new LocalLambdaRuntime();
    runtime = functions;
    started.push({ name: 'lambda runtime', stop: () => functions.stop() });
    const invokeServer = new LambdaInvokeServer(functions);
    const lambdaEndpoint = await invokeServer.start();
    started.push({ name: 'lambda invoke endpoint', stop: () => invokeServer.stop() });
    checkpoint();

    // 3. The emulators, in parallel.
    const triggers = allTriggers(backend);
    const cognitoTriggers = Object.fromEntries(
      triggers.flatMap((trigger) => (trigger.source === 'cognito' ? [[trigger.event, trigger.name]] : [])),
    ) as Partial<Record<CognitoTriggerEvent, string>>;
    let onObjectCreated: (record: S3ObjectCreatedRecord) => void = () => {};
    const [dynamodb, s3, cognito] = await startAll(started, [
      ['DynamoDB Local', () => startDynamoDb({ dataDir: path.join(dataDir, 'dynamodb'), signal, log })],
      [
        'S3',
        () =>
          startS3({
            dataDir: path.join(dataDir, 's3'),
            region: LOCAL_REGION,
            // The cloud bucket's CORS rule (lib/storage), so a browser request refused there is refused here.
            buckets: [{ name: LOCAL_BUCKET_NAME, allowedOrigins: ['*'], ...STORAGE_CORS }],
            onObjectCreated: (record) => onObjectCreated(record),
          }),
      ],
      [
        'Cognito',
        () =>
          startCognito({
            dataDir: path.join(dataDir, 'cognito'),
            region: LOCAL_REGION,
            groups: [backend.auth.adminGroup, ...backend.auth.groups],
            onEmail: (email) => outbox.addEmail(email),
            lambdaEndpoint,
            triggers: cognitoTriggers,
          }),
      ],
    ] as const);
    checkpoint();

    // 4. The table, from the same design the CDK deploys.
    const dynamoClient = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: s3.credentials });
    started.push({ name: 'DynamoDB client', stop: () => dynamoClient.destroy() });
    const streamArn = await provisionTable(dynamoClient, LOCAL_TABLE_NAME, backend);
    checkpoint();

    // 5. The gateway, then every function with the environment the CDK would give it.
    const names: ResourceNames = {
      stage: 'local',
      tableName: LOCAL_TABLE_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
    };
    let scheduler: LocalScheduler | undefined;
    const gateway = new LocalGateway({
      routes: routes.map((route) => ({
        method: route.operation.method,
        path: route.operation.path,
        target: { functionName: functionId(route.handler), auth: route.operation.auth, throttle: route.throttle },
      })),
      defaultRoute: { functionName: functionId(defaultRoute.handler), auth: 'none' },
      invoke: (name, event) => functions.invoke(name, event),
      // The authorizer's own checks; the function refuses non-access tokens, as in the cloud.
      verifier: createAccessTokenVerifier({
        userPoolId: cognito.userPoolId,
        clientId: cognito.userPoolClientId,
        cognitoEndpoint: cognito.endpoint,
        tokenUse: 'any',
      }),
      allowedOrigins: ['*'],
      throttle: options.throttle ?? backend.api.throttle,
      localRoutes: localRoutes({ outbox, scheduler: () => scheduler }),
      log,
    });
    const url = await gateway.start(port);
    started.push({ name: 'gateway', stop: () => gateway.stop() });

    const localEnvironment = {
      AWS_REGION: LOCAL_REGION,
      AWS_DEFAULT_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: s3.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: options.functionLogLevel ?? 'WARN',
      POWERTOOLS_METRICS_DISABLED: 'true',
      [ENV.localOutboxUrl]: `${url}/_local/outbox`,
      ...options.functionEnvironment,
    };
    const register = (name: string, settings: Parameters<typeof functionEnvironment>[0]) =>
      functions.register({
        name,
        handlerFile: path.join(PROJECT_ROOT, settings.handler),
        environment: { ...functionEnvironment(settings, names), AWS_LAMBDA_FUNCTION_NAME: name, ...localEnvironment },
        timeoutSeconds: settings.timeoutSeconds ?? 10,
        memoryMb: settings.memoryMb ?? 512,
      });
    for (const route of [...routes, defaultRoute]) register(functionId(route.handler), route);
    for (const trigger of triggers) register(trigger.name, trigger);

    // 6. The event pump: stream records, S3 events and schedules reach their functions.
    const streamConsumers = triggers.flatMap((trigger) =>
      trigger.source === 'documents'
        ? [{
            name: trigger.name,
            filters: documentFilterPatterns(trigger) as FilterPattern[],
            batchSize: trigger.batchSize ?? 100,
            invoke: (event: unknown) => functions.invoke(trigger.name, event),
          }]
        : [],
    );
    if (streamConsumers.length) {
      const streamsClient = new DynamoDBStreamsClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: s3.credentials });
      const pump = new StreamPump({
        client: streamsClient,
        streamArn,
        consumers: streamConsumers,
        statePath: path.join(dataDir, 'stream-positions.json'),
        region: LOCAL_REGION,
        log,
      });
      await pump.start();
      started.push({ name: 'stream pump', stop: async () => (await pump.stop(), streamsClient.destroy()) });
    }
    // S3 notifications are asynchronous invocations: retried twice, the retries cancelled on stop.
    const s3Invocations = new AsyncInvoker({ log });
    started.push({ name: 'S3 event retries', stop: () => s3Invocations.stop() });
    const s3Triggers = triggers.filter((trigger) => trigger.source === 's3');
    onObjectCreated = (record) => {
      for (const trigger of s3Triggers) {
        if (decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')).startsWith(trigger.prefix)) {
          void s3Invocations.invoke(trigger.name, () => functions.invoke(trigger.name, { Records: [record] }));
        }
      }
    };
    const schedules = triggers.flatMap((trigger) =>
      trigger.source === 'schedule'
        ? [{ name: trigger.name, expression: trigger.expression, invoke: (event: unknown) => functions.invoke(trigger.name, event) }]
        : [],
    );
    const timers = new LocalScheduler(schedules, LOCAL_REGION, log);
    scheduler = timers;
    timers.start();
    started.push({ name: 'scheduler', stop: () => timers.stop() });
    checkpoint();

    // 7. The first admin, when asked for.
    const admin = options.admin ?? adminFromEnvironment();
    if (admin) await ensureUser(cognito, { ...admin, groups: [backend.auth.adminGroup] });
    checkpoint();
    signal?.removeEventListener('abort', onAbort);

    return {
      url,
      dataDir,
      region: LOCAL_REGION,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      tableName: LOCAL_TABLE_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      endpoints: { dynamodb: dynamodb.endpoint, s3: s3.endpoint, cognito: cognito.endpoint },
      outbox,
      readyInMs: Math.round(performance.now() - startedAt),
      stop: stopAll,
    };
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    await stopAll();
    throw error;
  }
}

/** Stops one step, reporting (not throwing) its failure, and moving on after STEP_STOP_LIMIT_MS. */
async function stopWithin(step: Step, log: (line: string) => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STEP_STOP_LIMIT_MS);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(() => step.stop()), limit]);
    if (outcome === 'late') log(`stopping ${step.name} took over ${STEP_STOP_LIMIT_MS / 1000} s; moving on`);
  } catch (error) {
    log(`stopping ${step.name}: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts services in parallel; each one that started is registered for stopping, even if another failed. */
async function startAll<const T extends readonly (readonly [string, () => Promise<{ stop(): Promise<void> }>])[]>(
  started: Step[],
  services: T,
): Promise<{ [K in keyof T]: Awaited<ReturnType<T[K][1]>> }> {
  const results = await Promise.allSettled(
    services.map(async ([name, start]) => {
      const service = await start();
      started.push({ name, stop: () => service.stop() });
      return service;
    }),
  );
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) throw failure.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as never;
}

/** Fails fast (before any emulator starts) when the gateway's port is taken. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

function adminFromEnvironment(): { email: string; password: string } | undefined {
  const email = process.env.LAMBASE_ADMIN_EMAIL;
  const password = process.env.LAMBASE_ADMIN_PASSWORD;
  return email && password ? { email, password } : undefined;
}

export type { LocalDynamoDb, LocalS3, LocalCognito };
