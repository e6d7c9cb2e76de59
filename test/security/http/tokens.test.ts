/**
 * Tokens that are not a valid access token of this pool and app client, forged with jose, each
 * breaking one rule, sent to every route that takes a token: 401 at the gateway on 🔒 routes (in
 * API Gateway's own words), 401 from the function on routes where a token is optional (the
 * function verifies it, with the authorizer's rules and `token_use = access`).
 *
 * A control token — the owner's own claims, re-signed with the pool's key — passes everywhere, so
 * each refusal is due to the one thing its token breaks.
 */
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, inject } from 'vitest';
import { forgedTokenKinds, now, sign, type Claims, type TokenKind } from '../harness/forged-tokens.js';
import { expectErrorBody, send, type Response } from '../harness/http.js';
import { pathOf, routes, withQuery } from '../harness/route-requests.js';
import { testIn } from '../harness/security-test.js';
import type { World } from '../harness/world.js';
import { scenarios } from '../scenarios/scenarios.js';

const world: World = inject('securityWorld');
const it = testIn('tokens');

let tokenKinds: TokenKind[];
let signedOutRefreshToken: string;

beforeAll(async () => {
  ({ kinds: tokenKinds, signedOutRefreshToken } = await forgedTokenKinds(world));
});

/** Every route that takes a token. */
const tokenRoutes = routes.filter((route) => route.operation.auth !== 'none');

/**
 * The request the route's matrix scenario sends as the owner, with a token made from the claims of
 * the token the scenario would use (the owner's, or a throwaway user's on routes that end sessions).
 */
async function requestOf(route: (typeof routes)[number]) {
  const scenario = scenarios[route.operation.operationId]![0]!;
  const object = await scenario.object?.(world, 'owner');
  return scenario.request({ world, caller: 'owner' }, object);
}

async function callWith(
  route: (typeof routes)[number],
  forge: (claims: Claims) => Promise<string | undefined>,
  request?: Awaited<ReturnType<typeof requestOf>>,
): Promise<Response> {
  const parts = request ?? (await requestOf(route));
  const token = await forge(decodeJwt(parts.token ?? world.users.owner.accessToken) as Claims);
  const path = withQuery(pathOf(route.operation, parts.params), parts.query);
  return send(world.url, { method: route.operation.method, path, token, body: parts.body, headers: parts.headers });
}

describe('the control: the owner\'s own claims, re-signed with the pool\'s key', () => {
  it.each(tokenRoutes.map((route) => [`${route.operation.method} ${route.operation.path}`, route] as const))('%s lets it through', async (_name, route) => {
    // The route's own answer to the owner (never the authorizer's 401).
    const response = await callWith(route, (claims) => sign({ ...claims, iat: now(), exp: now() + 3600 }));
    expect(response.status, response.text).not.toBe(401);
  });
});

describe.each(tokenRoutes.map((route) => [`${route.operation.method} ${route.operation.path} (${route.operation.auth})`, route] as const))('%s', (_name, route) => {
  it('refuses every kind of invalid token with 401', async ({ tally }) => {
    const refused: string[] = [];
    // Every kind is refused, so one request (and its object) serves them all.
    const request = await requestOf(route);
    for (const kind of tokenKinds) {
      if (route.operation.auth === 'optional' && !kind.optionalRoutes) continue;
      const response = await callWith(route, kind.token, request);
      tally.status(response.status);
      if (response.status !== 401) {
        refused.push(`${kind.name}: ${response.status} ${response.text.slice(0, 200)}`);
        continue;
      }
      if (response.text === '{"message":"Unauthorized"}') {
        // The gateway's authorizer, in API Gateway's words: only a 🔒 route has it.
        expect(route.operation.auth, kind.name).toBe('required');
      } else {
        expectErrorBody(response, kind.name);
        expect(response.json, kind.name).toMatchObject({ error: { code: 'Unauthorized' } });
      }
    }
    expect(refused, 'tokens that were not refused with 401').toEqual([]);
  });
});

describe('a refresh token after sign-out', () => {
  it('no longer refreshes (401), as the contract says of a revoked one', async ({ tally }) => {
    const response = await send(world.url, { method: 'POST', path: '/auth/refresh', body: { refreshToken: signedOutRefreshToken } });
    tally.status(response.status);
    expect(response.status).toBe(401);
    expectErrorBody(response, 'refresh after sign-out');
  });
});
