/**
 * AWS faults on every route, generated from the route table: each AWS service a route's grants
 * give it (table → DynamoDB, bucket → S3, user pool → Cognito, push → SNS) is made to fail, or to throttle, on
 * every call, through the fault proxy between local mode's functions and the emulators (the
 * functions' own SDK clients, retries included, see AWS's answers). Per service:
 *
 * - AWS failing (500s after the SDK's retries), route by route: the contract's opaque 500
 *   Internal, nothing of AWS's leaked — and which routes do call the service;
 * - throttling, route by route: retried by the SDK, then 429 TooManyRequests in the contract's
 *   shape, never a 500;
 * - either way, the same request sent again once AWS is back succeeds: a fault leaves nothing
 *   half-done that blocks a retry;
 * - and a throttle the SDK's retries absorb is invisible to the caller.
 */
import { afterEach, describe, expect, inject } from 'vitest';
import type { Grant } from '../../../lib/route-types.js';
import { setFaults, takeCalls, type FaultService } from '../harness/fault-proxy.js';
import { expectErrorBody, send, type Response } from '../harness/http.js';
import { pathOf, routes, withQuery } from '../harness/route-requests.js';
import { testIn } from '../harness/security-test.js';
import { CALLERS, type CallerKind, type World } from '../harness/world.js';
import type { RouteScenario } from '../scenarios/scenario-types.js';
import { scenarios } from '../scenarios/scenarios.js';

const world: World = inject('securityWorld');
const it = testIn('aws-faults');

afterEach(() => setFaults(world.faultControl, []));

/** The services a grant lets a function call. A new kind of grant must say which (the type checker asks). */
const SERVICES_OF: Record<Grant['kind'], FaultService[]> = {
  table: ['dynamodb'],
  cursorKey: ['dynamodb'],
  bucket: ['s3'],
  userPool: ['cognito'],
  // Cognito's public API (sign-up, sign-in, calls made with the user's own token).
  userPoolClient: ['cognito'],
  push: ['sns'],
  // A user function's run-once receipts, in the table.
  eventReceipts: ['dynamodb'],
  // Only the event dispatcher holds it (it invokes user functions), no HTTP route.
  invoke: [],
  // Only the WebSocket routes and the realtime fan-out hold it, none of the HTTP routes here;
  // a connection gone or refusing is the fan-out's own case (test/unit realtime fan-out tests).
  realtimeConnections: [],
};

const servicesOf = (route: (typeof routes)[number]) => [...new Set(route.grants.flatMap((grant) => SERVICES_OF[grant.kind]))];
const is2xx = (status: number) => status >= 200 && status < 300;

/** The route's request by the first caller it lets through, about a fresh object. */
async function prepare(route: (typeof routes)[number], scenario: RouteScenario): Promise<{ caller: CallerKind; send: () => Promise<Response> }> {
  const caller = CALLERS.find((candidate) => is2xx(scenario.expect[candidate]))!;
  const object = await scenario.object?.(world, caller === 'anonymous' ? 'owner' : caller);
  const request = await scenario.request({ world, caller }, object);
  const token = request.token ?? (caller === 'anonymous' ? undefined : world.users[caller].accessToken);
  const path = withQuery(pathOf(route.operation, request.params), request.query);
  return { caller, send: () => send(world.url, { method: route.operation.method, path, token, body: request.body, headers: request.headers }) };
}

const faultedCalls = async () => (await takeCalls(world.faultControl)).reduce((total, count) => total + count.faulted, 0);

const SERVICES = [...new Set(routes.flatMap(servicesOf))];

describe.each(SERVICES)('%s', (service) => {
  const serviceRoutes = routes.filter((route) => servicesOf(route).includes(service));
  /** The routes whose request does call the service (a presigned URL, say, is signed without a call). */
  const calling: (typeof routes)[number][] = [];

  it('failing: each route answers the contract\'s opaque 500, and the same request succeeds once AWS is back', async ({ tally }) => {
    for (const route of serviceRoutes) {
      const scenario = scenarios[route.operation.operationId]?.[0];
      expect(scenario, `${route.operation.operationId} needs a scenario (test/security/scenarios)`).toBeDefined();
      const request = await prepare(route, scenario!);
      await takeCalls(world.faultControl);
      await setFaults(world.faultControl, [{ service, fault: 'server-error' }]);
      const response = await request.send();
      await setFaults(world.faultControl, []);
      const faulted = await faultedCalls();
      const context = `${route.operation.operationId} while ${service} fails (${faulted} calls refused)`;
      if (faulted === 0 || scenario!.survives?.includes(service)) {
        // Not called, or called where the contract absorbs the failure (a push one device refuses).
        tally.status(response.status);
        expect(response.status, context).toBe(scenario!.expect[request.caller]);
      } else {
        calling.push(route);
        // AWS itself failing is the one 5xx the contract has: opaque, nothing of AWS's inside.
        tally.check();
        tally.figure('opaque 500s while AWS failed', 1);
        expect(response.status, `${context}: ${response.text.slice(0, 200)}`).toBe(500);
        expectErrorBody(response, context);
        expect(response.json, context).toMatchObject({ error: { code: 'Internal', message: 'Something went wrong on our side.' } });
      }
      const retried = await request.send();
      tally.status(retried.status);
      expect(retried.status, `${context}, sent again: ${retried.text.slice(0, 200)}`).toBe(scenario!.expect[request.caller]);
    }
  });

  it('throttling: each route calling it answers 429 after the SDK\'s retries, and succeeds once AWS is back', async ({ tally }) => {
    expect(calling.length, `no route called ${service} (see the test above)`).toBeGreaterThan(0);
    // One route at a time, each prepared just before it is sent: routes of one caller share state
    // (following a topic, then unfollowing it), and a request sent after another changed that
    // state might have nothing left to ask the service.
    for (const route of calling) {
      const scenario = scenarios[route.operation.operationId]![0]!;
      const request = await prepare(route, scenario);
      await takeCalls(world.faultControl);
      await setFaults(world.faultControl, [{ service, fault: 'throttle' }]);
      const response = await request.send();
      await setFaults(world.faultControl, []);
      const faulted = await faultedCalls();
      const context = `${route.operation.operationId} while ${service} throttles (${faulted} calls refused)`;
      tally.status(response.status);
      expect(response.status, `${context}: ${response.text.slice(0, 200)}`).toBe(429);
      expectErrorBody(response, context);
      expect(response.json, context).toMatchObject({ error: { code: 'TooManyRequests' } });
      // The SDK retried before giving up: several refused calls.
      expect(faulted, `${context}: refused calls`).toBeGreaterThanOrEqual(2);
      const retried = await request.send();
      tally.status(retried.status);
      expect(retried.status, `${route.operation.operationId} sent again: ${retried.text.slice(0, 200)}`).toBe(scenario.expect[request.caller]);
    }
  });

  it('throttled twice: the SDK\'s retries absorb it, and the caller never sees it', async ({ tally }) => {
    const route = calling.find((candidate) => candidate.operation.method === 'GET') ?? calling[0];
    expect(route, `no route called ${service}`).toBeDefined();
    const scenario = scenarios[route!.operation.operationId]![0]!;
    const request = await prepare(route!, scenario);
    await takeCalls(world.faultControl);
    await setFaults(world.faultControl, [{ service, fault: 'throttle', times: 2 }]);
    const response = await request.send();
    tally.status(response.status);
    expect(await faultedCalls()).toBe(2);
    expect(response.status, `${route!.operation.operationId}: ${response.text.slice(0, 200)}`).toBe(scenario.expect[request.caller]);
  });
});
