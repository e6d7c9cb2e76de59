/**
 * Tokens that are not a valid access token of this pool and app client, forged with jose, each
 * breaking one rule, sent to every route that takes a token: 401 at the gateway on 🔒 routes (in
 * API Gateway's own words), 401 from the function on routes where a token is optional (the
 * function verifies it, with the authorizer's rules and `token_use = access`).
 *
 * A control token — the owner's own claims, re-signed with the pool's key — passes everywhere, so
 * each refusal is due to the one thing its token breaks.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { decodeJwt, SignJWT, type JWK } from 'jose';
import { beforeAll, describe, expect, inject } from 'vitest';
import { expectErrorBody, send, type Response } from '../harness/http.js';
import { pathOf, routes, withQuery } from '../harness/route-requests.js';
import { testIn } from '../harness/security-test.js';
import { throwawayUser, type World } from '../harness/world.js';
import { scenarios } from '../scenarios/scenarios.js';

const world: World = inject('securityWorld');
const it = testIn('tokens');

/** The local pool's signing key: cognito-local's (tokens signed with it pass the local authorizer). */
const POOL_KEY = (createRequire(import.meta.url)('cognito-local/lib/keys/cognitoLocal.private.json') as { jwk: JWK & { kid: string } }).jwk;
const poolPrivateKey = createPrivateKey({ key: POOL_KEY as never, format: 'jwk' });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

type Claims = Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);

async function sign(claims: Claims, options: { key?: 'pool' | 'stranger'; kid?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? POOL_KEY.kid })
    .sign(options.key === 'stranger' ? strangerKey : poolPrivateKey);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Every kind of token the contract says is no valid access token (at least the twelve),
 * made from the claims of the caller's real access token.
 */
type TokenKind = { name: string; token: (claims: Claims) => Promise<string | undefined>; optionalRoutes: boolean };
let tokenKinds: TokenKind[];
let signedOutRefreshToken: string;

beforeAll(async () => {
  const leaving = await throwawayUser(world, 'signed-out');
  const signOut = await send(world.url, { method: 'POST', path: '/auth/sign-out', token: leaving.accessToken });
  expect(signOut.status).toBe(204);
  signedOutRefreshToken = leaving.refreshToken;
  const jwks = (await (await fetch(`${world.endpoints.cognito}/${world.userPoolId}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  const publicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const fresh = (claims: Claims) => ({ ...claims, iat: now(), auth_time: now(), exp: now() + 3600 });

  tokenKinds = [
    // Missing: on a route where the token is optional, no token is an anonymous caller (the matrix's column).
    { name: 'missing', token: async () => undefined, optionalRoutes: false },
    { name: 'malformed (not a JWT)', token: async () => 'not-a-jwt', optionalRoutes: true },
    { name: 'malformed (three parts of garbage)', token: async () => 'eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl', optionalRoutes: true },
    { name: 'with a bad signature (another key, the pool key\'s id)', token: (claims) => sign(fresh(claims), { key: 'stranger' }), optionalRoutes: true },
    { name: 'signed with a key the pool does not publish', token: (claims) => sign(fresh(claims), { key: 'stranger', kid: 'unknown-key-id' }), optionalRoutes: true },
    {
      name: 'with alg "none"',
      token: async (claims) => `${base64url({ alg: 'none', kid: POOL_KEY.kid, typ: 'JWT' })}.${base64url(fresh(claims))}.`,
      optionalRoutes: true,
    },
    {
      name: 'HS256-signed with the pool\'s public key',
      token: (claims) => new SignJWT(fresh(claims)).setProtectedHeader({ alg: 'HS256', kid: POOL_KEY.kid }).sign(new TextEncoder().encode(publicPem)),
      optionalRoutes: true,
    },
    { name: 'expired', token: (claims) => sign({ ...fresh(claims), iat: now() - 7200, auth_time: now() - 7200, exp: now() - 3600 }), optionalRoutes: true },
    { name: 'not yet valid (nbf in the future)', token: (claims) => sign({ ...fresh(claims), nbf: now() + 3600 }), optionalRoutes: true },
    {
      name: 'from another issuer (another pool)',
      token: (claims) => sign({ ...fresh(claims), iss: `https://cognito-idp.${world.region}.amazonaws.com/${world.region}_AnotherPool` }),
      optionalRoutes: true,
    },
    { name: 'for another app client', token: (claims) => sign({ ...fresh(claims), client_id: 'anotherclientid0000000000' }), optionalRoutes: true },
    { name: 'an ID token instead of the access token', token: async () => world.users.owner.idToken, optionalRoutes: true },
    { name: 'a refresh token (after sign-out)', token: async () => signedOutRefreshToken, optionalRoutes: true },
  ];
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
