/**
 * Requests local mode's gateway must survive or refuse — a path with a malformed escape, a web page
 * from another origin reading the outbox — and the request ids on the answers it makes itself.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTokenVerifier } from '../../functions/adapters/access-token-verifier.js';
import { LocalGateway } from '../../local/gateway/local-gateway.js';
import { LocalFailures } from '../../local/events/local-failures.js';
import { localRoutes } from '../../local/gateway/local-routes.js';
import { RouteMatcher } from '../../local/gateway/route-matcher.js';
import { LocalOutbox } from '../../local/outbox.js';

describe('route matching', () => {
  it('sends a path with a malformed escape to $default instead of failing', () => {
    const matcher = new RouteMatcher([{ method: 'GET', path: '/data/{collection}/{id}', target: 'get' }], 'default');
    expect(matcher.match('GET', '/data/notes/%zz')).toEqual({ target: 'default', routeKey: '$default', pathParameters: {} });
    expect(matcher.match('GET', '/data/notes/a%20b').pathParameters).toEqual({ collection: 'notes', id: 'a b' });
  });
});

describe('the gateway', () => {
  let dir: string;
  let gateway: LocalGateway;
  let url: string;
  const invoked: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lambase-gateway-'));
    const outbox = new LocalOutbox(path.join(dir, 'outbox.json'));
    outbox.addEmail({ to: 'someone@example.com', subject: 'Your code', body: 'Code 123456', code: '123456' });
    gateway = new LocalGateway({
      routes: [
        { method: 'GET', path: '/data/{collection}/{id}', target: { functionName: 'get-document', auth: 'none' } },
        { method: 'GET', path: '/me', target: { functionName: 'get-me', auth: 'required' } },
        { method: 'GET', path: '/limited', target: { functionName: 'limited', auth: 'none', throttle: { rateLimit: 1, burstLimit: 1 } } },
        { method: 'GET', path: '/crashes', target: { functionName: 'crashes', auth: 'none' } },
      ],
      defaultRoute: { functionName: 'default', auth: 'none' },
      invoke: async (name) => {
        invoked.push(name);
        if (name === 'crashes') throw new Error('the function could not be run');
        return { statusCode: name === 'default' ? 404 : 200, body: '{}' };
      },
      verifier: { verify: async () => Promise.reject(new Error('not a valid token')) } as unknown as AccessTokenVerifier,
      allowedOrigins: ['*'],
      throttle: { rateLimit: 1_000, burstLimit: 1_000 },
      localRoutes: localRoutes({ outbox, failures: new LocalFailures('us-east-1'), scheduler: () => undefined }),
    });
    url = await gateway.start(0);
  });
  afterAll(async () => {
    await gateway.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers a path with a malformed escape from the $default route (404), not with a 500', async () => {
    const response = await fetch(`${url}/data/notes/%zz`);
    expect(response.status).toBe(404);
    expect(invoked.at(-1)).toBe('default');
  });

  it.each(['http://localhost:5173', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'https://localhost'])(
    'lets a page from %s read the outbox (origin echoed, vary: origin)',
    async (origin) => {
      const response = await fetch(`${url}/_local/outbox`, { headers: { origin } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('vary')).toBe('origin');
      const preflight = await fetch(`${url}/_local/outbox`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'DELETE' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
    },
  );

  it.each(['http://evil.example', 'http://localhost.evil.example', 'null'])('gives a page from %s nothing: no CORS header, no codes, no preflight', async (origin) => {
    const response = await fetch(`${url}/_local/outbox`, { headers: { origin } });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.text()).not.toContain('123456');
    const preflight = await fetch(`${url}/_local/outbox`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'DELETE' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const emptied = await fetch(`${url}/_local/outbox`, { method: 'DELETE', headers: { origin } });
    expect(emptied.status).toBe(403);
  });

  it('still serves the outbox to tools that send no Origin (curl)', async () => {
    const response = await fetch(`${url}/_local/outbox`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('has no route that writes into the outbox: pushes reach it only through the local SNS', async () => {
    const push = await fetch(`${url}/_local/outbox/push`, { method: 'POST', body: '{"to":"x","title":"t","body":"b"}' });
    expect(push.status).toBe(404);
  });

  it.each([
    ['the outbox', () => fetch(`${url}/_local/outbox`), 200],
    ['the outbox\'s preflight', () => fetch(`${url}/_local/outbox`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } }), 204],
    ['an unknown schedule', () => fetch(`${url}/_local/schedules/nightly/run`, { method: 'POST' }), 404],
    ['a page from another site', () => fetch(`${url}/_local/outbox`, { headers: { origin: 'http://evil.example' } }), 403],
    ['a CORS preflight', () => fetch(`${url}/data/notes/1`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } }), 204],
    ['a function that could not be run', () => fetch(`${url}/crashes`), 500],
    ['a body over API Gateway\'s limit', () => fetch(`${url}/data/notes/1`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1) }), 413],
  ] as const)('gives %s an x-request-id (its error body names it too)', async (_what, send, status) => {
    const response = await send();
    expect(response.status).toBe(status);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/\S/);
    const text = await response.text();
    const body = text ? (JSON.parse(text) as { error?: { requestId?: string } }) : {};
    if (body.error) expect(body.error.requestId).toBe(requestId);
  });

  it('answers the authorizer\'s 401 and throttling\'s 429 with API Gateway\'s request id alone, as API Gateway does', async () => {
    const unauthorized = await fetch(`${url}/me`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(unauthorized.status).toBe(401);
    // A bucket of one: of three requests at once, at most two get through (one token, one refill).
    const limited = await Promise.all([1, 2, 3].map(() => fetch(`${url}/limited`)));
    const throttled = limited.find((response) => response.status === 429);
    expect(throttled).toBeDefined();
    for (const response of [unauthorized, throttled]) {
      expect(response?.headers.get('x-request-id')).toBeNull();
      expect(response?.headers.get('apigw-requestid')).toMatch(/\S/);
    }
  });
});
