/**
 * What only the route and trigger tables can check about the config's functions (the handler file
 * on disk, the built-in routes and names), with the same one-line messages, and the rows they make.
 */
import { describe, expect, it } from 'vitest';
import example from '../../../lambase.config.js';
import { BackendConfigError, defineBackend } from '../../../functions/core/config/define-backend.js';
import { allRoutes } from '../../../lib/routes.js';
import { EVENT_DISPATCHER, pathsOverlap, userFunctionId } from '../../../lib/routes/function-routes.js';
import { allTriggers } from '../../../lib/triggers.js';

const withFunctions = (functions: Record<string, unknown>) =>
  defineBackend({ ...example.definition, functions } as Parameters<typeof defineBackend>[0]);

function problemsOf(build: () => unknown): string[] {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(BackendConfigError);
    return (error as BackendConfigError).problems;
  }
  throw new Error('expected the config to be refused');
}

describe('the example functions as table rows', () => {
  it('stats is a 🔒 route with its own function; welcome, notify-new-post and zone-alert are dispatched; one dispatcher reads the stream, next to realtime', () => {
    const stats = allRoutes(example).find((route) => route.operation.path === '/stats')!;
    expect(stats).toMatchObject({ id: 'FunctionStats', handler: 'functions-user/stats.ts', operation: { method: 'GET', auth: 'required' } });
    const triggers = allTriggers(example);
    expect(triggers.filter((trigger) => trigger.source === 'dispatched').map((trigger) => trigger.name)).toEqual(['welcome', 'notify-new-post', 'zone-alert']);
    // The stream's two readers (AWS's guidance: at most two per shard): the realtime fan-out and the dispatcher.
    expect(triggers.filter((trigger) => trigger.source === 'stream').map((trigger) => trigger.name)).toEqual(['realtime-fan-out', EVENT_DISPATCHER.name]);
    expect(userFunctionId('notify-new-post')).toBe('FunctionNotifyNewPost');
  });

  it('no dispatcher when no function is on an event', () => {
    const backend = withFunctions({ stats: example.definition.functions.stats });
    expect(allTriggers(backend).filter((trigger) => trigger.source === 'stream').map((trigger) => trigger.name)).toEqual(['realtime-fan-out']);
  });
});

describe('a wrong function names the field and the fix', () => {
  it('a handler file that does not exist', () => {
    const backend = withFunctions({ hello: { handler: './functions-user/helo.ts', on: 'userSignedUp' } });
    expect(problemsOf(() => allTriggers(backend))).toEqual([
      'functions.hello.handler: ./functions-user/helo.ts does not exist; create it (export const handler = defineFunction(…)) or fix the path',
    ]);
  });

  it('a path that shadows a built-in route, or local mode\'s', () => {
    const route = (method: string, path: string) => withFunctions({ mine: { handler: './functions-user/stats.ts', http: { method, path } } });
    expect(problemsOf(() => allRoutes(route('GET', '/me')))).toEqual([
      'functions.mine.http.path: GET /me would shadow a built-in route (GET /me); choose another path, e.g. /mine',
    ]);
    expect(problemsOf(() => allRoutes(route('GET', '/data/{thing}')))[0]).toMatch(/^functions\.mine\.http\.path: GET \/data\/\{thing\} would shadow a built-in route \(GET \/data\/\{collection\}\)/);
    expect(problemsOf(() => allRoutes(route('POST', '/_local/anything')))[0]).toMatch(/would shadow reserved by local mode/);
    expect(() => allRoutes(route('POST', '/me/reports'))).not.toThrow();
  });

  it('two functions on the same route', () => {
    const backend = withFunctions({
      a: { handler: './functions-user/stats.ts', http: { method: 'GET', path: '/reports/{id}' } },
      b: { handler: './functions-user/stats.ts', http: { method: 'GET', path: '/reports/latest' } },
    });
    expect(problemsOf(() => allRoutes(backend))[0]).toMatch(/^functions\.b\.http\.path: GET \/reports\/latest would shadow the function a/);
  });
});

describe('route overlap', () => {
  it('is decided segment by segment, a parameter matching any one segment', () => {
    expect(pathsOverlap('/stats', '/stats')).toBe(true);
    expect(pathsOverlap('/reports/{id}', '/reports/latest')).toBe(true);
    expect(pathsOverlap('/reports/{id}', '/reports/latest/x')).toBe(false);
    expect(pathsOverlap('/_local/{proxy+}', '/_local/a/b')).toBe(true);
    expect(pathsOverlap('/stats', '/status')).toBe(false);
  });
});
