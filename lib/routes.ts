/**
 * The route table: every HTTP operation, the file of the function that serves it, and exactly the
 * permissions that function needs. The CDK API (lib/api) and the local gateway (local/gateway) are
 * both built from this table, so they cannot drift. Pure data: no CDK constructs here.
 */
import type { Operation } from '../functions/contract/operation.js';
import type { Backend } from '../functions/core/config/define-backend.js';
import { notFoundOperation, getOpenApiOperation } from '../functions/contract/system.js';
import { ENV } from '../functions/shared/env.js';
import type { FunctionSettings, ResourceNames, RouteDefinition } from './route-types.js';
import { authRoutes } from './routes/auth-routes.js';
import { dataRoutes } from './routes/data-routes.js';
import { functionRoutes } from './routes/function-routes.js';
import { geoRoutes } from './routes/geo-routes.js';
import { pushRoutes } from './routes/push-routes.js';
import { realtimeRoutes } from './routes/realtime-routes.js';
import { storageRoutes } from './routes/storage-routes.js';

export { grants } from './grants.js';
export type { FunctionSettings, Grant, PushAction, RealtimeRouteDefinition, ResourceNames, RouteDefinition, UserPoolAction } from './route-types.js';
export { realtimeRoutes };

/** Every route, feature by feature (each feature keeps its section in lib/routes/<feature>.ts). */
export const routes: readonly RouteDefinition[] = [
  { operation: getOpenApiOperation, handler: 'functions/system/get-openapi.ts', grants: [] },
  ...authRoutes,
  ...dataRoutes,
  ...storageRoutes,
  ...pushRoutes,
  ...geoRoutes,
];

/** Every route of `backend`: the platform's, then the HTTP functions of lambase.config.ts. */
export function allRoutes(backend: Pick<Backend, 'functions'>): RouteDefinition[] {
  return [...routes, ...functionRoutes(backend, [...routes, defaultRoute])];
}

/** Answers what no route matches, with a 404 in the contract's shape (API Gateway's `$default`). */
export const defaultRoute: RouteDefinition = {
  operation: notFoundOperation,
  handler: 'functions/system/not-found.ts',
  grants: [],
};

/**
 * The environment a function gets: only the names its grants (and its auth mode) call for.
 * The CDK function factory and the local runtime both use this.
 */
export function functionEnvironment(settings: FunctionSettings & { operation?: Operation }, names: ResourceNames) {
  const env: Record<string, string> = {
    [ENV.stage]: names.stage,
    POWERTOOLS_SERVICE_NAME: 'lambase',
    // No NODE_OPTIONS=--enable-source-maps: parsing the map cost ~25 ms of every cold start; the
    // logger maps a logged error's stack itself (functions/shared/source-mapped-stack.ts).
    ...settings.environment,
  };
  const needsPool = settings.operation?.auth === 'optional';
  for (const grant of settings.grants) {
    if (grant.kind === 'table' || grant.kind === 'cursorKey' || grant.kind === 'eventReceipts') env[ENV.tableName] = names.tableName;
    if (grant.kind === 'invoke') {
      env[ENV.functionNames] = JSON.stringify(Object.fromEntries(grant.functions.map((name) => [name, names.functionNames[name] ?? name])));
    }
    if (grant.kind === 'bucket') env[ENV.bucketName] = names.bucketName;
    if (grant.kind === 'push') {
      env[ENV.pushApplications] = JSON.stringify(names.pushApplications);
      env[ENV.pushTopics] = JSON.stringify(names.pushTopics);
    }
    if (grant.kind === 'realtimeConnections') env[ENV.realtimeEndpoint] = names.realtimeEndpoint;
    if (grant.kind === 'userPool' || grant.kind === 'userPoolClient' || needsPool) {
      env[ENV.userPoolId] = names.userPoolId;
      env[ENV.userPoolClientId] = names.userPoolClientId;
    }
  }
  if (needsPool) {
    env[ENV.userPoolId] = names.userPoolId;
    env[ENV.userPoolClientId] = names.userPoolClientId;
  }
  return env;
}

/** The name a route's function has in the stack and in local mode: its own id, or its handler file's. */
export function routeFunctionName(route: Pick<RouteDefinition, 'handler' | 'id'>): string {
  return route.id ?? functionId(route.handler);
}

/** A stable, readable construct id for a handler file: functions/auth/sign-up.ts → AuthSignUp. */
export function functionId(handler: string): string {
  return handler
    .replace(/^functions\//, '')
    .replace(/\.ts$/, '')
    .split(/[/-]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
