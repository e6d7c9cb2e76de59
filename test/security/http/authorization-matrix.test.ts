/**
 * The authorization matrix, generated from the route table: every route × every kind of caller
 * (anonymous, the owner, another user, a member of a non-admin group, an admin) gets exactly the
 * status the contract gives it, over HTTP through the local gateway and its authorizer. For each
 * route that names an object of the caller's, the object of another user in every such path
 * position (OWASP API1); for each route with a body, every reserved or privileged field (API3:
 * 400, and nothing in the store changed). Admin routes as non-admins are the matrix's 403s (API5).
 */
import { describe, expect, inject } from 'vitest';
import { expectContractRefusal, send, type Response } from '../harness/http.js';
import { pathOf, reservedFieldsOf, routes, smuggledValue, storePartsOf, withQuery } from '../harness/route-requests.js';
import { testIn } from '../harness/security-test.js';
import { StoreReader } from '../harness/store-snapshot.js';
import { CALLERS, type CallerKind, type World } from '../harness/world.js';
import type { RouteScenario, ScenarioRequest } from '../scenarios/scenario-types.js';
import { scenarios } from '../scenarios/scenarios.js';

const world: World = inject('securityWorld');
const it = testIn('authorization');

const is2xx = (status: number) => status >= 200 && status < 300;

async function call(route: (typeof routes)[number], caller: CallerKind, request: ScenarioRequest): Promise<Response> {
  const path = withQuery(pathOf(route.operation, request.params), request.query);
  const token = request.token ?? (caller === 'anonymous' ? undefined : world.users[caller].accessToken);
  return send(world.url, { method: route.operation.method, path, token, headers: request.headers, body: request.body });
}

const describeStatuses = (statuses: Record<CallerKind, number>) => CALLERS.map((caller) => `${caller} ${statuses[caller]}`).join(', ');

describe.each(routes.map((route) => [`${route.operation.method} ${route.operation.path}`, route] as const))('%s', (_name, route) => {
  const { operation } = route;
  const table: readonly RouteScenario[] = scenarios[operation.operationId] ?? [];

  it('has a scenario in the matrix', ({ tally }) => {
    tally.check();
    expect(table.length, `add the scenarios of ${operation.operationId} to test/security/scenarios/${operation.tag}-scenarios.ts`).toBeGreaterThan(0);
  });

  describe.each(table.map((scenario) => [scenario.name, scenario] as const))('%s', (_scenarioName, scenario) => {
    it(`answers ${describeStatuses(scenario.expect)}`, async ({ tally }) => {
      const got = {} as Record<CallerKind, number>;
      // One fresh object per caller (a write may change or delete it), made all at once.
      const objects = await Promise.all(CALLERS.map(() => scenario.object?.(world, 'owner')));
      for (const [index, caller] of CALLERS.entries()) {
        const object = objects[index];
        const response = await call(route, caller, await scenario.request({ world, caller }, object));
        tally.status(response.status);
        got[caller] = response.status;
        if (response.status >= 400) expectContractRefusal(response, `${caller} ${operation.operationId}`);
        if (response.status === scenario.expect[caller]) await scenario.verify?.({ world, caller }, object, response);
      }
      expect(got).toEqual(scenario.expect);
    });

    for (const param of scenario.ownedParams ?? []) {
      it(`answers the owner ${scenario.expect.other} with another user's object in {${param}}`, async ({ tally }) => {
        const own = await scenario.object!(world, 'owner');
        const theirs = await scenario.object!(world, 'other');
        const request = await scenario.request({ world, caller: 'owner' }, own);
        const response = await call(route, 'owner', { ...request, params: { ...request.params, [param]: theirs.params[param]! } });
        tally.status(response.status);
        expect(response.status).toBe(scenario.expect.other);
        if (response.status >= 400) expectContractRefusal(response, `owner with another user's {${param}}`);
        // The other user's object is exactly as it was: checked as that user's own.
        await scenario.verify?.({ world, caller: 'other' }, theirs, response);
      });
    }

    if (operation.body) {
      // Whoever the route lets through: a reserved field must still stop them.
      const allowed = CALLERS.find((caller) => is2xx(scenario.expect[caller]));
      const reserved = reservedFieldsOf(operation);
      if (allowed) {
        it(`refuses, changing nothing, a body that sets ${reserved.join(', ')}`, async ({ tally }) => {
          const store = new StoreReader(world);
          try {
            // Every one of these requests is refused, so they share one object and one before/after.
            const object = await scenario.object?.(world, 'owner');
            const request = await scenario.request({ world, caller: allowed }, object);
            const parts = storePartsOf(route);
            const before = await store.snapshot(parts);
            for (const field of reserved) {
              const withField = scenario.withField ?? ((body: unknown, name: string, value: unknown) => ({ ...(body as object), [name]: value }));
              const body = withField(request.body ?? {}, field, smuggledValue(field, world.users.other.userId));
              const response = await call(route, allowed, { ...request, body });
              tally.status(response.status);
              const refusal = scenario.fieldRefusal ?? { status: 400, code: 'ValidationFailed' };
              expect(response.status, `${field}: ${response.text.slice(0, 200)}`).toBe(refusal.status);
              expect(response.json, field).toMatchObject({ error: { code: refusal.code, ...(refusal.detailCode ? { details: [{ code: refusal.detailCode }] } : {}) } });
            }
            expect(StoreReader.changes(before, await store.snapshot(parts)), 'the store after the refused requests').toEqual([]);
          } finally {
            store.destroy();
          }
        });
      }
    }
  });
});

