/**
 * `startLocal()`: the whole backend offline, in one process tree, on 127.0.0.1 — emulators,
 * the Lambda runtime, the event pump, the outbox and the gateway — started as an ordered list of
 * steps and stopped in reverse. `npm start` is a thin CLI over it; tests and tools call it directly.
 *
 * @example
 * const local = await startLocal({ port: 0, dataDir: tmp });
 * await fetch(`${local.url}/openapi.json`);
 * await local.stop();
 */
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Backend } from '../functions/core/config/define-backend.js';
import { createAccessTokenVerifier } from '../functions/adapters/access-token-verifier.js';
import { ENV } from '../functions/shared/env.js';
import { loadBackend } from '../lib/load-backend.js';
import { defaultRoute, functionEnvironment, functionId, routes, type ResourceNames } from '../lib/routes.js';
import { allTriggers, documentFilterPatterns, type CognitoTriggerEvent } from '../lib/triggers.js';
import { PROJECT_ROOT } from './project-root.js';
import { startCognito, ensureUser, type LocalCognito } from './emulators/cognito.js';
import { startDynamoDb, type LocalDynamoDb } from './emulators/dynamodb.js';
import { startS3, type LocalS3, type S3ObjectCreatedRecord } from './emulators/s3.js';
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
  /** Wipe the data folder first. */
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
  stop(): Promise<void>;
};

type Step = { name: string; stop: () => Promise<void> | void };

export async function startLocal(options: StartLocalOptions = {}): Promise<LocalBackend> {
  const startedAt = performance.now();
  const log = options.log ?? (() => {});
  const dataDir = path.resolve(options.dataDir ?? path.join(PROJECT_ROOT, '.lambase'));
  const started: Step[] = [];
  const stopAll = async () => {
    for (const step of started.reverse()) {
      try {
        await step.stop();
      } catch (error) {
        log(`stopping ${step.name}: ${(error as Error).message}`);
      }
    }
    started.length = 0;
  };

  try {
    // 1. The port, the config, the data folder (reset on demand) and a lock so two instances never share it.
    const port = options.port ?? 4000;
    if (port !== 0) await assertPortFree(port);
    const backend = options.backend ?? (await loadBackend());
    if (options.reset) await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    const lock = await DataDirLock.acquire(dataDir);
    started.push({ name: 'data folder lock', stop: () => lock.release() });

    const outbox = new LocalOutbox(path.join(dataDir, 'outbox.json'), log);
    await outbox.load();
    started.push({ name: 'outbox', stop: () => outbox.flush() });

    // 2. The Lambda runtime and its Invoke endpoint (Cognito calls its triggers through it).
    const runtime = new LocalLambdaRuntime();
    started.push({ name: 'lambda runtime', stop: () => runtime.stop() });
    const invokeServer = new LambdaInvokeServer(runtime);
    const lambdaEndpoint = await invokeServer.start();
    started.push({ name: 'lambda invoke endpoint', stop: () => invokeServer.stop() });

    // 3. The emulators, in parallel.
    const triggers = allTriggers(backend);
    const cognitoTriggers = Object.fromEntries(
      triggers.flatMap((trigger) => (trigger.source === 'cognito' ? [[trigger.event, trigger.name]] : [])),
    ) as Partial<Record<CognitoTriggerEvent, string>>;
    let onObjectCreated: (record: S3ObjectCreatedRecord) => void = () => {};
    const [dynamodb, s3, cognito] = await startAll(started, [
      ['DynamoDB Local', () => startDynamoDb({ dataDir: path.join(dataDir, 'dynamodb'), log })],
      [
        'S3',
        () =>
          startS3({
            dataDir: path.join(dataDir, 's3'),
            region: LOCAL_REGION,
            buckets: [{ name: LOCAL_BUCKET_NAME, allowedOrigins: ['*'] }],
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

    // 4. The table, from the same design the CDK deploys.
    const dynamoClient = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials: s3.credentials });
    started.push({ name: 'DynamoDB client', stop: () => dynamoClient.destroy() });
    const streamArn = await provisionTable(dynamoClient, LOCAL_TABLE_NAME, backend);

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
        target: { functionName: functionId(route.handler), auth: route.operation.auth },
      })),
      defaultRoute: { functionName: functionId(defaultRoute.handler), auth: 'none' },
      invoke: (name, event) => runtime.invoke(name, event),
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
      runtime.register({
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
            invoke: (event: unknown) => runtime.invoke(trigger.name, event),
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
    const s3Triggers = triggers.filter((trigger) => trigger.source === 's3');
    onObjectCreated = (record) => {
      for (const trigger of s3Triggers) {
        if (decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')).startsWith(trigger.prefix)) {
          void invokeAsync(() => runtime.invoke(trigger.name, { Records: [record] }), trigger.name, log);
        }
      }
    };
    const schedules = triggers.flatMap((trigger) =>
      trigger.source === 'schedule'
        ? [{ name: trigger.name, expression: trigger.expression, invoke: (event: unknown) => runtime.invoke(trigger.name, event) }]
        : [],
    );
    scheduler = new LocalScheduler(schedules, LOCAL_REGION, log);
    scheduler.start();
    started.push({ name: 'scheduler', stop: () => scheduler?.stop() });

    // 7. The first admin, when asked for.
    const admin = options.admin ?? adminFromEnvironment();
    if (admin) await ensureUser(cognito, { ...admin, groups: [backend.auth.adminGroup] });

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
    await stopAll();
    throw error;
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

/** Asynchronous invocation: Lambda retries a failed event twice before giving up. */
async function invokeAsync(invoke: () => Promise<unknown>, name: string, log: (line: string) => void): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await invoke();
      return;
    } catch (error) {
      log(`${name} failed (attempt ${attempt} of 3): ${(error as Error).message}`);
    }
  }
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
