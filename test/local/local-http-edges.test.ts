/**
 * Requests local mode's HTTP servers must survive or refuse: a Lambda Invoke whose payload is not
 * JSON, a path with a malformed escape, and a web page from another origin reading the outbox.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessTokenVerifier } from '../../functions/adapters/access-token-verifier.js';
import { LocalGateway } from '../../local/gateway/local-gateway.js';
import { localRoutes } from '../../local/gateway/local-routes.js';
import { RouteMatcher } from '../../local/gateway/route-matcher.js';
import { LocalOutbox } from '../../local/outbox.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';
import { LambdaInvokeServer } from '../../local/runtime/lambda-invoke-server.js';
import { LocalLambdaRuntime } from '../../local/runtime/lambda-runtime.js';

describe('the local Lambda Invoke endpoint', () => {
  const runtime = new LocalLambdaRuntime();
  const server = new LambdaInvokeServer(runtime);
  let endpoint: string;
  beforeAll(async () => {
    runtime.register({ name: 'probe', handlerFile: path.join(PROJECT_ROOT, 'test/fixtures/functions/runtime-probe.ts'), environment: {}, timeoutSeconds: 5, memoryMb: 128 });
    endpoint = await server.start();
  });
  afterAll(async () => {
    await server.stop();
    await runtime.stop();
  });

  it('answers a payload that is not JSON with 400 InvalidRequestContentException, and keeps serving', async () => {
    const bad = await fetch(`${endpoint}/2015-03-31/functions/probe/invocations`, { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    const good = await fetch(`${endpoint}/2015-03-31/functions/probe/invocations`, { method: 'POST', body: '{}' });
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ functionName: 'probe' });
  });

  it('answers a function name with a malformed escape with 404', async () => {
    const response = await fetch(`${endpoint}/2015-03-31/functions/%zz/invocations`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});

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
      routes: [{ method: 'GET', path: '/data/{collection}/{id}', target: { functionName: 'get-document', auth: 'none' } }],
      defaultRoute: { functionName: 'default', auth: 'none' },
      invoke: async (name) => {
        invoked.push(name);
        return { statusCode: name === 'default' ? 404 : 200, body: '{}' };
      },
      verifier: { verify: async () => ({}) } as unknown as AccessTokenVerifier,
      allowedOrigins: ['*'],
      throttle: { rateLimit: 1_000, burstLimit: 1_000 },
      localRoutes: localRoutes({ outbox, scheduler: () => undefined }),
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
    const push = await fetch(`${url}/_local/outbox/push`, { method: 'POST', headers: { origin, 'content-type': 'text/plain' }, body: '{"to":"x","title":"t","body":"b"}' });
    expect(push.status).toBe(403);
  });

  it('still serves the outbox to tools that send no Origin (curl, the local push adapter)', async () => {
    const response = await fetch(`${url}/_local/outbox`);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const push = await fetch(`${url}/_local/outbox/push`, { method: 'POST', body: 'not json' });
    expect(push.status).toBe(400);
  });
});
