/**
 * The user's own functions (lambase.config.ts `functions`) as rows of the route and trigger tables,
 * so the CDK and local mode build them like every other function:
 * - an `http` function is a route (lib/routes.ts `allRoutes`);
 * - an `on` function is invoked by the **event dispatcher**, one platform trigger reading the
 *   table's stream for every event function (the stream serves two readers per shard, and
 *   realtime takes the other), with filters that let through only the changes some function wants;
 * - a `schedule` function is an EventBridge Scheduler target.
 * Each gets exactly the grants of what its `ctx` uses (`uses`), plus, for event and scheduled
 * functions, its own event receipts (it runs each event once).
 *
 * What the config alone cannot check is checked here, with the same one-line messages: the handler
 * file exists, and a path does not collide with a built-in route. (Names cannot collide: the
 * config's are lower-case, the platform's functions are named in PascalCase.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { functionOperation } from '../../functions/contract/functions.js';
import { BackendConfigError, type Backend } from '../../functions/core/config/define-backend.js';
import type { EventTrigger, FunctionUse, ResolvedFunction } from '../../functions/core/config/function-config.js';
import { streamFilters } from '../../functions/core/events/table-events.js';
import { FILES_KEY_ROOT } from '../../functions/core/storage/file-record.js';
import { ENV } from '../../functions/shared/env.js';
import { grants } from '../grants.js';
import { PROJECT_ROOT } from '../project-root.js';
import type { FunctionSettings, Grant, RouteDefinition, TriggerDefinition } from '../route-types.js';

/** The grants behind each `uses` entry: what that part of `ctx` calls, nothing more. */
export const USE_GRANTS: Record<FunctionUse, readonly Grant[]> = {
  documents: [grants.tableReadWrite, grants.cursorKey],
  'documents:read': [grants.tableRead, grants.cursorKey],
  files: [grants.tableRead, grants.bucket('read', FILES_KEY_ROOT)],
  // As POST /push/send: the inbox and followers in the table, Publish, and clean-up of gone endpoints.
  push: [grants.tableReadWrite, grants.push('Publish', 'Unsubscribe', 'DeleteEndpoint')],
  notifications: [grants.tableWrite],
};

/** The event dispatcher (a platform function): the one reader of the stream for user functions. */
export const EVENT_DISPATCHER = { name: 'EventsDispatchEvents', handler: 'functions/events/dispatch-events.ts' } as const;

/** The stack id of a user function: `notify-new-post` → `FunctionNotifyNewPost`. */
export function userFunctionId(name: string): string {
  return `Function${name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('')}`;
}

/** What a user function reads from `ENV.function` (functions/sdk/function-settings.ts). */
function ownSettings(fn: ResolvedFunction): Record<string, string> {
  const settings = { name: fn.name, uses: fn.uses, ...(fn.trigger.kind === 'http' ? { http: fn.trigger } : {}) };
  return { [ENV.function]: JSON.stringify(settings) };
}

/** A user function's row settings: its own id, handler, grants, settings variable and limits. */
function functionSettings(fn: ResolvedFunction): FunctionSettings {
  return {
    handler: fn.handler,
    id: userFunctionId(fn.name),
    grants: grantsOf(fn),
    uses: fn.uses,
    environment: ownSettings(fn),
    timeoutSeconds: fn.timeoutSeconds,
    memoryMb: fn.memoryMb,
  };
}

function grantsOf(fn: ResolvedFunction): Grant[] {
  const used = fn.uses.flatMap((use) => USE_GRANTS[use]);
  return [...mergeTableGrants(used), ...(fn.trigger.kind === 'http' ? [] : [grants.eventReceipts(fn.name)])];
}

/** One table grant for the union of the accesses asked (read + write = readWrite). */
function mergeTableGrants(list: readonly Grant[]): Grant[] {
  const accesses = new Set(list.flatMap((grant) => (grant.kind === 'table' ? [grant.access] : [])));
  const reads = accesses.has('read') || accesses.has('readWrite');
  const writes = accesses.has('write') || accesses.has('readWrite');
  const table: Grant[] = reads && writes ? [grants.tableReadWrite] : reads ? [grants.tableRead] : writes ? [grants.tableWrite] : [];
  const others = list.filter((grant, index) => grant.kind !== 'table' && list.findIndex((other) => JSON.stringify(other) === JSON.stringify(grant)) === index);
  return [...table, ...others];
}

/** The routes of the `http` functions; `builtIn` are the platform's routes they may not shadow. */
export function functionRoutes(backend: Pick<Backend, 'functions'>, builtIn: readonly RouteDefinition[]): RouteDefinition[] {
  const http = Object.values(backend.functions).filter((fn) => fn.trigger.kind === 'http');
  const problems = handlerProblems(http);
  const taken: { method: string; path: string; what: string }[] = builtIn.map((route) => ({ method: route.operation.method, path: route.operation.path, what: 'a built-in route' }));
  for (const path of RESERVED_PATHS) taken.push({ method: '*', path, what: 'reserved by local mode and realtime' });
  const routes: RouteDefinition[] = [];
  for (const fn of http) {
    if (fn.trigger.kind !== 'http') continue;
    const { method, path: routePath } = fn.trigger;
    const clash = taken.find((other) => (other.method === method || other.method === '*') && pathsOverlap(other.path, routePath));
    if (clash) {
      problems.push(
        `functions.${fn.name}.http.path: ${method} ${routePath} would shadow ${clash.what} (${clash.method === '*' ? '' : `${clash.method} `}${clash.path}); choose another path, e.g. /${fn.name}`,
      );
    }
    taken.push({ method, path: routePath, what: `the function ${fn.name}` });
    routes.push({ operation: functionOperation(fn.name, fn.trigger), ...functionSettings(fn) });
  }
  if (problems.length) throw new BackendConfigError(problems);
  return routes;
}

/** The trigger rows of the `on` and `schedule` functions, and the event dispatcher when any function is `on` an event. */
export function functionTriggers(backend: Pick<Backend, 'functions'>): TriggerDefinition[] {
  const started = Object.values(backend.functions).filter((fn) => fn.trigger.kind !== 'http');
  const problems = handlerProblems(started);
  const rows: TriggerDefinition[] = [];
  const subscriptions: { name: string; on: EventTrigger }[] = [];
  for (const fn of started) {
    const settings = { name: fn.name, ...functionSettings(fn) };
    if (fn.trigger.kind === 'schedule') rows.push({ ...settings, source: 'schedule', expression: fn.trigger.expression });
    if (fn.trigger.kind === 'event') {
      rows.push({ ...settings, source: 'dispatched' });
      subscriptions.push({ name: fn.name, on: fn.trigger.on });
    }
  }
  if (problems.length) throw new BackendConfigError(problems);
  if (subscriptions.length === 0) return rows;
  const dispatcher: TriggerDefinition = {
    ...EVENT_DISPATCHER,
    source: 'stream',
    filters: streamFilters(subscriptions.map((subscription) => subscription.on)),
    batchSize: 100,
    // Up to a second to fill a batch: user functions are asynchronous anyway, and fewer dispatcher runs cost less.
    batchingWindowSeconds: 1,
    grants: [grants.invoke(subscriptions.map((subscription) => subscription.name))],
    environment: { [ENV.eventSubscriptions]: JSON.stringify(subscriptions) },
    timeoutSeconds: 60,
  };
  return [...rows, dispatcher];
}

/** Paths no function may take: local mode's own routes and the realtime WebSocket. */
const RESERVED_PATHS = ['/_local/{proxy+}', '/realtime'];

/**
 * Whether some request path matches both route templates: segment by segment, two literals must
 * be equal and a `{parameter}` matches any one segment (a greedy `{name+}` any rest).
 */
export function pathsOverlap(a: string, b: string): boolean {
  const left = a.split('/').slice(1);
  const right = b.split('/').slice(1);
  const isParameter = (segment: string) => segment.startsWith('{');
  const isGreedy = (segment: string | undefined) => segment?.endsWith('+}') ?? false;
  for (let i = 0; ; i++) {
    if (isGreedy(left[i]) || isGreedy(right[i])) return true;
    if (i >= left.length || i >= right.length) return left.length === right.length;
    if (!isParameter(left[i]!) && !isParameter(right[i]!) && left[i] !== right[i]) return false;
  }
}

function handlerProblems(functions: readonly ResolvedFunction[]): string[] {
  return functions
    .filter((fn) => !existsSync(path.join(PROJECT_ROOT, fn.handler)))
    .map((fn) => `functions.${fn.name}.handler: ./${fn.handler} does not exist; create it (export const handler = defineFunction(…)) or fix the path`);
}
