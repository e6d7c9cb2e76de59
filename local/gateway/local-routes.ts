/**
 * Routes that exist only in local mode (docs/api/system.md):
 *   GET /_local/outbox · DELETE /_local/outbox · GET /_local/failures · DELETE /_local/failures ·
 *   POST /_local/schedules/{name}/run
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalFailures } from '../events/local-failures.js';
import type { LocalScheduler } from '../events/scheduler.js';
import type { LocalOutbox } from '../outbox.js';
import type { LocalRouteHandler } from './local-gateway.js';

/**
 * The outbox holds confirmation and reset codes: only pages served from this machine (localhost,
 * 127.0.0.1, [::1], any port) may read it from a browser. Any other origin is refused outright
 * (403, no CORS headers), so a web page cannot read codes, empty the outbox or trigger schedules
 * with requests that need no preflight.
 */
export function isLocalOrigin(origin: string): boolean {
  try {
    const { protocol, hostname } = new URL(origin);
    return (protocol === 'http:' || protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(hostname);
  } catch {
    return false;
  }
}

export function localRoutes(deps: {
  outbox: LocalOutbox;
  failures: Pick<LocalFailures, 'toJSON' | 'clear'>;
  scheduler: () => LocalScheduler | undefined;
}): LocalRouteHandler {
  return async (request: IncomingMessage, response: ServerResponse, _body: Buffer, requestId: string) => {
    const method = request.method ?? 'GET';
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    const origin = request.headers.origin;
    const cors: Record<string, string> = origin && isLocalOrigin(origin) ? { 'access-control-allow-origin': origin, vary: 'origin' } : { vary: 'origin' };
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      const text = payload === undefined ? '' : JSON.stringify(payload);
      response.writeHead(status, { ...(text ? { 'content-type': 'application/json' } : {}), 'x-request-id': requestId, ...cors, ...headers });
      response.end(text);
      return true;
    };
    const fail = (status: number, code: string, message: string) => send(status, { error: { code, message, requestId } });
    if (origin && !isLocalOrigin(origin)) {
      return fail(403, 'Forbidden', 'Local-mode routes answer pages served from this machine only.');
    }
    if (method === 'OPTIONS') {
      return send(204, undefined, {
        'access-control-allow-methods': 'GET, POST, DELETE',
        'access-control-allow-headers': request.headers['access-control-request-headers'] ?? 'content-type',
        'access-control-max-age': '600',
      });
    }
    if (pathname === '/_local/outbox' && method === 'GET') return send(200, deps.outbox.toJSON());
    if (pathname === '/_local/outbox' && method === 'DELETE') {
      deps.outbox.clear();
      return send(204);
    }
    if (pathname === '/_local/failures' && method === 'GET') return send(200, deps.failures.toJSON());
    if (pathname === '/_local/failures' && method === 'DELETE') {
      deps.failures.clear();
      return send(204);
    }
    const schedule = /^\/_local\/schedules\/([^/]+)\/run$/.exec(pathname);
    if (schedule && method === 'POST') {
      const name = safeDecode(schedule[1]!);
      const scheduler = deps.scheduler();
      if (!name || !scheduler?.has(name)) return fail(404, 'NotFound', `No scheduled function named ${name ?? schedule[1]}.`);
      try {
        return send(200, { name, result: (await scheduler.run(name)) ?? null });
      } catch (error) {
        return fail(500, 'Internal', (error as Error).message);
      }
    }
    return false;
  };
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}
