/**
 * Every function of the backend in the local Lambda runtime: one per route (the `$default` route
 * included) and one per trigger, each with exactly the environment the CDK gives it
 * (`functionEnvironment`, from its grants) plus what points it at the emulators instead of AWS.
 * Says which of them can write to the table (`tableWriters`), from the same grants.
 */
import { functionEnvironment, routeFunctionName, type FunctionSettings, type RealtimeRouteDefinition, type ResourceNames, type RouteDefinition } from '../../lib/routes.js';
import type { TriggerDefinition } from '../../lib/triggers.js';
import { entryOf } from '../../build/function-build.js';
import type { LocalCredentials } from '../emulators/local-credentials.js';
import type { LocalLambdaRuntime } from './lambda-runtime.js';

export type FunctionRegistration = {
  /** Served by the gateway (HTTP and WebSocket routes): named `routeFunctionName(route)`, as in the CDK. */
  routes: readonly (RouteDefinition | RealtimeRouteDefinition)[];
  /** Started by events: trigger functions keep their own names. */
  triggers: readonly TriggerDefinition[];
  /** The local table, bucket and user pool, where the CDK passes its resources' tokens. */
  names: ResourceNames;
  /** Added to every function's environment: see {@link localFunctionEnvironment}. */
  environment: Record<string, string>;
};

export type LocalEnvironmentOptions = {
  region: string;
  /** The data folder's key pair (local-credentials.ts). */
  credentials: LocalCredentials;
  endpoints: { dynamodb: string; s3: string; cognito: string; sns: string; lambda: string };
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** Anything else (tests, tools). */
  extra?: Record<string, string>;
};

/** Lambda's defaults where a function sets no timeout or memory size. */
const DEFAULT_TIMEOUT_SECONDS = 10;
const DEFAULT_MEMORY_MB = 512;

/**
 * @example
 * registerFunctions(runtime, { routes: [...routes, defaultRoute], triggers, names, environment: localFunctionEnvironment({ … }) });
 * await runtime.invoke('SystemGetOpenapi', event);
 */
export function registerFunctions(runtime: LocalLambdaRuntime, registration: FunctionRegistration): { tableWriters: ReadonlySet<string> } {
  const tableWriters = new Set<string>();
  const register = (name: string, settings: FunctionSettings & { operation?: RouteDefinition['operation'] }) => {
    if (writesTable(settings)) tableWriters.add(name);
    runtime.register({
      name,
      bundle: entryOf(settings),
      environment: {
        ...functionEnvironment(settings, registration.names),
        AWS_LAMBDA_FUNCTION_NAME: name,
        ...registration.environment,
      },
      timeoutSeconds: settings.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
      memoryMb: settings.memoryMb ?? DEFAULT_MEMORY_MB,
    });
  };
  for (const route of registration.routes) register(routeFunctionName(route), route);
  for (const trigger of registration.triggers) register(trigger.name, trigger);
  return { tableWriters };
}

/**
 * Whether the function's grants let it change what the table's stream readers act on (documents,
 * profiles, devices, event receipts): only those need the readers woken after them. Read-only
 * functions — most of a frontend's calls — cannot. The cursor key (`#META`, created once by the
 * first paged read) concerns no reader; its record is read at the next poll like any other.
 */
export function writesTable(settings: Pick<FunctionSettings, 'grants'>): boolean {
  return settings.grants.some((grant) => (grant.kind === 'table' && grant.access !== 'read') || grant.kind === 'eventReceipts');
}

/**
 * What local mode adds to every function's environment: the region, the data folder's key pair, the
 * emulators' endpoints (the SDK's `AWS_ENDPOINT_URL_<SERVICE>`, so production adapters run
 * unchanged), and quiet logs without metrics.
 */
export function localFunctionEnvironment(options: LocalEnvironmentOptions): Record<string, string> {
  return {
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_ACCESS_KEY_ID: options.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: options.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: options.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: options.endpoints.s3,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: options.endpoints.cognito,
    AWS_ENDPOINT_URL_SNS: options.endpoints.sns,
    AWS_ENDPOINT_URL_LAMBDA: options.endpoints.lambda,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: options.logLevel,
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...options.extra,
  };
}
