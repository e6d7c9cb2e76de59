/**
 * Routes that exist only in local mode (API.md, "Local mode only"):
 *   GET /_local/outbox · DELETE /_local/outbox · POST /_local/outbox/push (the local push adapter)
 *   POST /_local/schedules/{name}/run
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { LocalScheduler } from '../events/scheduler.js';
import type { LocalOutbox } from '../outbox.js';
import type { LocalRouteHandler } from './local-gateway.js';

const pushSchema = z.object({
  to: z.string(),
  deviceId: z.string().optional(),
  topic: z.string().optional(),
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.unknown()).default({}),
});

export function localRoutes(deps: { outbox: LocalOutbox; scheduler: () => LocalScheduler | undefined }): LocalRouteHandler {
  return async (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const method = request.method ?? 'GET';
    const { pathname } = new URL(request.url ?? '/', 'http://127.0.0.1');
    const send = (status: number, payload?: unknown) => {
      const text = payload === undefined ? '' : JSON.stringify(payload);
      response.writeHead(status, {
        ...(text ? { 'content-type': 'application/json' } : {}),
        'access-control-allow-origin': '*',
      });
      response.end(text);
      return true;
    };
    if (pathname === '/_local/outbox' && method === 'GET') return send(200, deps.outbox.toJSON());
    if (pathname === '/_local/outbox' && method === 'DELETE') {
      deps.outbox.clear();
      return send(204);
    }
    if (pathname === '/_local/outbox/push' && method === 'POST') {
      const parsed = pushSchema.safeParse(JSON.parse(body.toString('utf8') || '{}'));
      if (!parsed.success) return send(400, { error: { code: 'ValidationFailed', message: z.prettifyError(parsed.error) } });
      deps.outbox.addPush(parsed.data);
      return send(202);
    }
    const schedule = /^\/_local\/schedules\/([^/]+)\/run$/.exec(pathname);
    if (schedule && method === 'POST') {
      const name = decodeURIComponent(schedule[1]!);
      const scheduler = deps.scheduler();
      if (!scheduler?.has(name)) return send(404, { error: { code: 'NotFound', message: `No scheduled function named ${name}.` } });
      try {
        return send(200, { name, result: (await scheduler.run(name)) ?? null });
      } catch (error) {
        return send(500, { error: { code: 'Internal', message: (error as Error).message } });
      }
    }
    return false;
  };
}
