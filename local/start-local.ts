/**
 * `startLocal()`: the whole backend offline, in one process tree, on 127.0.0.1 — the outbox, the
 * Lambda runtime and its Invoke endpoint, the emulators, the gateway and the event routing — started as an ordered list of
 * steps, each a call into the module that owns it, and stopped in reverse (the Lambda runtime
 * first, so nothing waits on a running function). `npm start` is a thin CLI over it; tests and
 * tools call it directly.
 *
 * @example
 * const local = await startLocal({ port: 0, dataDir: tmp });
 * await fetch(`${local.url}/openapi.json`);
 * await local.stop();
 */
import { createServer } from 'node:net';
import path from 'node:path';
import type { Backend } from '../functions/core/config/define-backend.js';
import { CONFIG_KEY, DEVICE_PLATFORMS } from '../functions/core/push/push-platforms.js';
import { loadBackend } from '../lib/load-backend.js';
import { PROJECT_ROOT } from '../lib/project-root.js';
import { LOCAL_REALTIME_PATH } from '../lib/realtime/realtime-settings.js';
import { allRoutes, defaultRoute, realtimeRoutes, routeFunctionName } from '../lib/routes.js';
import { realtimeTriggers } from '../lib/routes/realtime-routes.js';
import { STORAGE_CORS } from '../lib/storage/storage-settings.js';
import { allTriggers } from '../lib/triggers.js';
import { DataDirLock } from './data-dir-lock.js';
import { ensureUser } from './emulators/cognito/ensure-user.js';
import { startCognito } from './emulators/cognito/start-cognito.js';
import { startDynamoDb } from './emulators/dynamodb.js';
import { dataDirCredentials, type LocalCredentials } from './emulators/local-credentials.js';
import { startS3 } from './emulators/s3/start-s3.js';
import { startSns, type LocalSns } from './emulators/sns/start-sns.js';
import { AsyncInvoker } from './events/async-invoker.js';
import { LocalFailures } from './events/local-failures.js';
import { cognitoTriggers, startEventRouting, type EventRouting } from './events/start-event-routing.js';
import { localRoutes } from './gateway/local-routes.js';
import { startGateway } from './gateway/start-gateway.js';
import { LocalOutbox, outboxPushOf } from './outbox.js';
import { provisionTable } from './provision-table.js';
import { functionEntries } from '../build/function-build.js';
import { startRealtime } from './realtime/start-realtime.js';
import { LambdaInvokeServer } from './runtime/lambda-invoke-server.js';
import { LocalBundles } from './runtime/local-bundles.js';
import { LocalLambdaRuntime } from './runtime/lambda-runtime.js';
import { localFunctionEnvironment, registerFunctions } from './runtime/register-functions.js';
import { StartedSteps } from './started-steps.js';

export const LOCAL_REGION = 'us-east-1';
/**
 * What every session calls first: signing up or signing in. Each warm environment holds ~17 MB
 * (measured), so only these two wait warm; every other function starts at its first call.
 */
export const PREWARMED_OPERATIONS = ['signUp', 'signIn'] as const;
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
  /** Rebuild a function's bundle when a file it was built from changes (`npm start` does). @default false */
  watch?: boolean;
  /** A function environment unused this long is shut down, as Lambda's are. @default 300_000 (5 minutes) */
  idleEnvironmentMs?: number;
  /** At most this many function environments are kept, the least recently used idle one retired first. @default DEFAULT_MAX_ENVIRONMENTS (32) */
  maxEnvironments?: number;
  /**
   * Route functions (by operationId) loaded while the emulators start (once DynamoDB Local's JVM
   * is launched and the in-process ones are up), so a user's first call finds them warm.
   * @default PREWARMED_OPERATIONS
   */
  prewarm?: readonly string[];
  /** Aborting during startup stops what has started; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  log?: (line: string) => void;
};

export type LocalBackend = {
  url: string;
  /** The realtime WebSocket: `ws://127.0.0.1:<port>/realtime`. */
  realtimeUrl: string;
  /** The local WebSocket API's @connections endpoint (what functions post to). */
  realtimeEndpoint: string;
  dataDir: string;
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  tableName: string;
  bucketName: string;
  endpoints: { dynamodb: string; s3: string; cognito: string; sns: string; lambda: string };
  /** The data folder's key pair: DynamoDB Local shows this backend's tables only to clients signing with it. */
  credentials: LocalCredentials;
  outbox: LocalOutbox;
  /** The failure destination: events functions kept failing on (also at GET /_local/failures). */
  failures: LocalFailures;
  /** The local SNS: its endpoints and subscriptions can be inspected (`sns.snapshot()`). */
  sns: LocalSns;
  /** Milliseconds from the call to ready. */
  readyInMs: number;
  /** Settles once the pre-warmed functions have loaded (ready does not wait for them). */
  prewarmed: Promise<void>;
  /**
   * Milliseconds from the call to each point of the start: the functions registered and their
   * pre-warm begun (while DynamoDB Local's JVM starts), DynamoDB Local answering, ready; and
   * `prewarmed` once that has settled.
   */
  timeline: { functionsRegistered: number; dynamodbAnswered: number; ready: number; prewarmed?: number };
  /** How many function execution environments (workers) are running now. */
  environmentCount(): number;
  /** Stops everything, the Lambda runtime first (invocations in flight are rejected). Idempotent. */
  stop(): Promise<void>;
};

export async function startLocal(options: StartLocalOptions = {}): Promise<LocalBackend> {
  const startedAt = performance.now();
  const log = options.log ?? (() => {});
  const { signal } = options;
  const port = options.port ?? 4000;
  const dataDir = path.resolve(options.dataDir ?? path.join(PROJECT_ROOT, '.lambase'));
  // Lambda runs in UTC. TZ is process-wide in Node (workers cannot have their own), so local mode
  // sets it for its whole process before any function starts.
  process.env.TZ = 'UTC';
  let runtime: LocalLambdaRuntime | undefined;
  /** The runtime, once step 2 created it (nothing calls a function before). */
  const lambda = () => runtime!;
  const steps = new StartedSteps(log);
  const sinceStart = () => Math.round(performance.now() - startedAt);
  let stopping: Promise<void> | undefined;
  /** Settles once every function is registered (step 3), or at stop: Cognito's triggers wait on it. */
  const registered = deferred();
  // Functions first: whatever waits on an invocation (the stream pump, retries) then ends at once.
  const stop = () =>
    (stopping ??= (async () => {
      registered.resolve(); // a trigger still waiting then fails (no runtime) instead of holding Cognito
      await runtime?.stop().catch((error: Error) => log(`stopping the lambda runtime: ${error.message}`));
      await steps.stop();
    })());
  const onAbort = () => void runtime?.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const checkpoint = () => signal?.throwIfAborted();

  try {
    // 1. The port and the config, checked before anything starts; the data folder, locked first
    // (two instances never share it), then reset on demand; its key pair and the outbox kept in it.
    checkpoint();
    if (port !== 0) await assertPortFree(port);
    const backend = options.backend ?? (await loadBackend());
    const triggers = allTriggers(backend);
    const routes = allRoutes(backend);
    const lock = steps.add('data folder lock', await DataDirLock.acquire(dataDir), (held) => held.release());
    if (options.reset) await lock.clearFolder();
    const credentials = await dataDirCredentials(dataDir);
    const outbox = steps.add('outbox', await LocalOutbox.open(path.join(dataDir, 'outbox.json'), log), (box) => box.flush());
    checkpoint();

    // 2. The function bundles (built only when the cache is stale), opened next to the emulators;
    // the Lambda runtime on them, empty until step 3. Its Invoke endpoint runs asynchronous events
    // with Lambda's retries and failure destination. The realtime API, whose @connections endpoint
    // is in its functions' environment.
    const bundling = LocalBundles.open({ backend, entries: functionEntries(backend), watch: options.watch ?? false, log });
    bundling.catch(() => undefined);
    runtime = steps.add(
      'lambda runtime',
      new LocalLambdaRuntime({
        bundles: {
          file: async (entry) => (await bundling).file(entry),
          onStale: (listener) => void bundling.then((opened) => opened.onStale(listener), () => undefined),
        },
        idleEnvironmentMs: options.idleEnvironmentMs,
        maxEnvironments: options.maxEnvironments,
      }),
    );
    const failures = new LocalFailures(LOCAL_REGION, log);
    const asyncInvoker = steps.add('asynchronous invocations', new AsyncInvoker({ log, onGiveUp: (failure) => failures.addAsync(failure) }));
    const invokeServer = steps.add(
      'lambda invoke endpoint',
      new LambdaInvokeServer({ runtime: { has: (name) => lambda().has(name), invoke: (name, event) => lambda().invoke(name, event) }, asyncInvoker }),
    );
    const lambdaEndpoint = await invokeServer.start();
    const realtime = steps.add(
      'realtime',
      await startRealtime({
        routes: realtimeRoutes,
        invoke: (name, event) => lambda().invoke(name, event),
        // A subscriber is coming: load the fan-out now, so the first change it gets is not held up
        // by a cold start (the contract: within 1 s of the commit in local mode).
        onConnected: () => void lambda().prewarm(realtimeTriggers.map((trigger) => trigger.name)),
        log,
      }),
    );

    // 3. The emulators, in parallel, and every function with exactly the environment the CDK gives
    // it, pointed at them: registered, and what a user calls first pre-warmed, as soon as the
    // in-process emulators are up and Java has been launched on its port — its JVM takes seconds
    // to answer, and nothing loading a bundle calls AWS. Cognito runs its triggers in the runtime,
    // in-process, once they are registered; SNS hands every push a device would get to the outbox.
    // The first admin (step 7) is made as soon as Cognito is up, while Java starts: its triggers,
    // if any, wait for their functions.
    const admin = options.admin ?? adminFromEnvironment();
    let adminEnsured: Promise<unknown> | undefined;
    let dynamodbLaunchedAt: string | undefined;
    const dynamodbLaunched = deferred<string>();
    const s3Starting = startS3({
      dataDir: path.join(dataDir, 's3'),
      region: LOCAL_REGION,
      credentials,
      // The cloud bucket's CORS rule (lib/storage), so a browser request refused there is refused here.
      buckets: [{ name: LOCAL_BUCKET_NAME, allowedOrigins: ['*'], ...STORAGE_CORS }],
    });
    const cognitoStarting = startCognito({
      dataDir: path.join(dataDir, 'cognito'),
      region: LOCAL_REGION,
      groups: [backend.auth.adminGroup, ...backend.auth.groups],
      onEmail: (email) => outbox.addEmail(email),
      triggers: cognitoTriggers(triggers),
      invoke: async (name, event) => {
        await registered.promise;
        return lambda().invoke(name, event);
      },
    }).then((started) => {
      adminEnsured = admin && ensureUser(started, { ...admin, groups: [backend.auth.adminGroup] });
      adminEnsured?.catch(() => undefined); // awaited at step 7; a failed start stops Cognito under it
      return started;
    });
    const snsStarting = startSns({
      dataDir: path.join(dataDir, 'sns'),
      region: LOCAL_REGION,
      // Every platform of the config works locally, with no credentials.
      platforms: DEVICE_PLATFORMS.filter((platform) => backend.push[CONFIG_KEY[platform]]),
      topics: backend.push.topics,
      onDelivery: (delivery) => outbox.addPush(outboxPushOf(delivery)),
    });
    const dynamodbStarting = startDynamoDb({
      dataDir: path.join(dataDir, 'dynamodb'),
      credentials,
      region: LOCAL_REGION,
      signal,
      onLaunch: (endpoint) => dynamodbLaunched.resolve(endpoint),
      log,
    });
    /** Registers every function, its environment pointing DynamoDB's clients at `dynamodbEndpoint`. */
    const registerAll = async (dynamodbEndpoint: string) => {
      const [cognito, s3, sns] = await Promise.all([cognitoStarting, s3Starting, snsStarting]);
      dynamodbLaunchedAt = dynamodbEndpoint;
      return registerFunctions(lambda(), {
        routes: [...routes, defaultRoute, ...realtimeRoutes],
        triggers,
        names: {
          stage: 'local',
          tableName: LOCAL_TABLE_NAME,
          bucketName: LOCAL_BUCKET_NAME,
          userPoolId: cognito.userPoolId,
          userPoolClientId: cognito.userPoolClientId,
          pushApplications: sns.applicationArns,
          pushTopics: sns.topicArns,
          // Locally a user function's name is its lambase.config.ts name.
          functionNames: Object.fromEntries(Object.keys(backend.functions).map((name) => [name, name])),
          realtimeEndpoint: realtime.endpoint,
        },
        environment: localFunctionEnvironment({
          region: LOCAL_REGION,
          credentials,
          endpoints: { dynamodb: dynamodbEndpoint, s3: s3.endpoint, cognito: cognito.endpoint, sns: sns.endpoint, lambda: lambdaEndpoint },
          logLevel: options.functionLogLevel ?? 'WARN',
          extra: options.functionEnvironment,
        }),
      });
    };
    // The first calls' functions load as soon as they are registered, in the background; a call
    // that comes meanwhile waits for that environment. With them, the Cognito triggers: Cognito
    // holds a user's request while its synchronous triggers run (confirm-sign-up waits on
    // PostConfirmation), and their time counts in the calling function's timeout.
    const prewarmed = (options.prewarm ?? PREWARMED_OPERATIONS).flatMap((operationId) => {
      const route = routes.find((candidate) => candidate.operation.operationId === operationId);
      return route ? [routeFunctionName(route)] : [];
    });
    const timeline: LocalBackend['timeline'] = { functionsRegistered: 0, dynamodbAnswered: 0, ready: 0 };
    const functionsRegistered = dynamodbLaunched.promise.then(async (endpoint) => {
      const registration = await registerAll(endpoint);
      registered.resolve();
      timeline.functionsRegistered = sinceStart();
      const prewarming = lambda()
        .prewarm([...prewarmed, ...triggers.filter((trigger) => trigger.source === 'cognito').map((trigger) => trigger.name)])
        .then(() => void (timeline.prewarmed = sinceStart()));
      return { ...registration, prewarming };
    });
    functionsRegistered.catch(() => undefined); // a failed emulator is what step 3 reports
    const { dynamodb, s3, cognito, sns } = await steps.addTogether({
      bundles: ['function bundles', () => bundling],
      dynamodb: ['DynamoDB Local', () => dynamodbStarting.finally(() => (timeline.dynamodbAnswered = sinceStart()))],
      s3: ['S3', () => s3Starting],
      cognito: ['Cognito', () => cognitoStarting],
      sns: ['SNS', () => snsStarting],
    });
    const { tableWriters, prewarming } = await functionsRegistered;
    // Java had to move to another port after the functions were registered: they are again.
    if (dynamodb.endpoint !== dynamodbLaunchedAt) await registerAll(dynamodb.endpoint);
    checkpoint();

    // 4. The table, from the same design the CDK deploys.
    const streamArn = await provisionTable({ endpoint: dynamodb.endpoint, region: LOCAL_REGION, credentials }, LOCAL_TABLE_NAME);
    checkpoint();

    // 5. The gateway, from the route table. Its local-only routes run schedules once step 6 is up;
    // its /realtime upgrades go to the WebSocket API (step 2), which it stops first: the open
    // connections would otherwise hold the gateway's server open.
    let events: EventRouting | undefined;
    const gateway = steps.add(
      'gateway',
      await startGateway({
        port,
        routes,
        defaultRoute,
        userPool: cognito,
        invoke: (name, event) => lambda().invoke(name, event),
        throttle: options.throttle ?? backend.api.throttle,
        localRoutes: localRoutes({ outbox, failures, scheduler: () => events?.scheduler }),
        upgrade: (request, socket, head) => realtime.upgrade(request, socket, head),
        log,
      }),
      async (started) => {
        await realtime.stop();
        await started.stop();
      },
    );

    // 6. Events reach their functions: stream records, S3 object-created events, schedules.
    events = steps.add(
      'event routing',
      await startEventRouting({
        triggers,
        runtime: lambda(),
        stream: { endpoint: dynamodb.endpoint, streamArn, credentials },
        s3,
        region: LOCAL_REGION,
        dataDir,
        asyncInvoker,
        failures,
        log,
      }),
    );
    // A function that finished may have written to the table: its changes reach the stream's
    // readers (the realtime fan-out, the event dispatcher) at once, not at the next poll. One whose
    // grants only read cannot have: waking the readers after it would only load DynamoDB Local
    // (every reader's DescribeStream and GetRecords) in the middle of the next request.
    lambda().onInvoked((name) => {
      if (tableWriters.has(name)) events?.wakeStreams();
    });
    checkpoint();

    // 7. The first admin, when asked for (begun at step 3).
    await adminEnsured;
    checkpoint();
    signal?.removeEventListener('abort', onAbort);

    return {
      url: gateway.url,
      realtimeUrl: `${gateway.url.replace(/^http/, 'ws')}${LOCAL_REALTIME_PATH}`,
      realtimeEndpoint: realtime.endpoint,
      dataDir,
      region: LOCAL_REGION,
      userPoolId: cognito.userPoolId,
      userPoolClientId: cognito.userPoolClientId,
      tableName: LOCAL_TABLE_NAME,
      bucketName: LOCAL_BUCKET_NAME,
      endpoints: { dynamodb: dynamodb.endpoint, s3: s3.endpoint, cognito: cognito.endpoint, sns: sns.endpoint, lambda: lambdaEndpoint },
      credentials,
      outbox,
      failures,
      sns,
      readyInMs: (timeline.ready = sinceStart()),
      prewarmed: prewarming,
      timeline,
      environmentCount: () => lambda().environmentCount,
      stop,
    };
  } catch (error) {
    signal?.removeEventListener('abort', onAbort);
    await stop();
    throw error;
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

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

function adminFromEnvironment(): { email: string; password: string } | undefined {
  const email = process.env.LAMBASE_ADMIN_EMAIL;
  const password = process.env.LAMBASE_ADMIN_PASSWORD;
  return email && password ? { email, password } : undefined;
}

