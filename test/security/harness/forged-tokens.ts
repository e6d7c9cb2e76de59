/**
 * Tokens that are not a valid access token of this pool and app client, forged with jose, each
 * breaking one rule (at least the issue's twelve kinds), made from the claims of a real access
 * token — shared by the HTTP routes' tokens test and the realtime socket's `auth` frame test.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { SignJWT, type JWK } from 'jose';
import { expect } from 'vitest';
import { send } from './http.js';
import { throwawayUser, type World } from './world.js';

/** The local pool's signing key: cognito-local's (tokens signed with it pass the local authorizer). */
const POOL_KEY = (createRequire(import.meta.url)('cognito-local/lib/keys/cognitoLocal.private.json') as { jwk: JWK & { kid: string } }).jwk;
const poolPrivateKey = createPrivateKey({ key: POOL_KEY as never, format: 'jwk' });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

export type Claims = Record<string, unknown>;
export const now = () => Math.floor(Date.now() / 1000);

export async function sign(claims: Claims, options: { key?: 'pool' | 'stranger'; kid?: string } = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? POOL_KEY.kid })
    .sign(options.key === 'stranger' ? strangerKey : poolPrivateKey);
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Every kind of token the contract says is no valid access token (at least the twelve),
 * made from the claims of the caller's real access token.
 */
export type TokenKind = { name: string; token: (claims: Claims) => Promise<string | undefined>; optionalRoutes: boolean };

/** The kinds, and the refresh token of a user who signed out (its own test: it no longer refreshes). */
export async function forgedTokenKinds(world: World): Promise<{ kinds: TokenKind[]; signedOutRefreshToken: string }> {
  const leaving = await throwawayUser(world, 'signed-out');
  const signOut = await send(world.url, { method: 'POST', path: '/auth/sign-out', token: leaving.accessToken });
  expect(signOut.status).toBe(204);
  const signedOutRefreshToken = leaving.refreshToken;
  const jwks = (await (await fetch(`${world.endpoints.cognito}/${world.userPoolId}/.well-known/jwks.json`)).json()) as { keys: JWK[] };
  const publicPem = createPublicKey({ key: jwks.keys[0] as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  const fresh = (claims: Claims) => ({ ...claims, iat: now(), auth_time: now(), exp: now() + 3600 });

  const kinds: TokenKind[] = [
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
  return { kinds, signedOutRefreshToken };
}
