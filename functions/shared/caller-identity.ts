/**
 * The caller, from the access token's claims. On `required` routes API Gateway's JWT authorizer
 * has verified the token and passes its claims (every value a string, arrays as "[a b]"). On
 * `optional` routes there is no authorizer, so the function verifies a token itself, when one is
 * sent, with the same rules.
 */
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import type { Caller } from '../core/config/access-rules.js';
import { UnauthorizedError } from '../core/errors.js';
import type { AuthMode } from '../contract/operation.js';
import type { AccessTokenVerifier } from '../adapters/access-token-verifier.js';
import { bearerToken } from './bearer-token.js';

/** Turns claims (from the authorizer or from our own verification) into a `Caller`. */
export function callerFromClaims(claims: Record<string, unknown>): Caller {
  const userId = claims.sub;
  if (typeof userId !== 'string' || userId === '') throw new UnauthorizedError();
  const username = typeof claims.username === 'string' ? claims.username : undefined;
  return { userId, username, groups: parseGroups(claims['cognito:groups']) };
}

/** `cognito:groups` arrives as an array from a verified JWT, or as "[admin editors]" from API Gateway. */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  const inner = value.trim().replace(/^\[/, '').replace(/\]$/, '');
  return inner.split(/[\s,]+/).filter(Boolean);
}

/**
 * The caller of a request on a route with `auth`. `tokens` verifies what an `optional` route is
 * sent (functions/shared/access-tokens.ts); the other modes never need it.
 */
export async function resolveCaller(
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  auth: AuthMode,
  tokens?: AccessTokenVerifier,
): Promise<Caller | undefined> {
  if (auth === 'none') return undefined;
  const claims = event.requestContext.authorizer?.jwt?.claims;
  if (claims) {
    // API Gateway's JWT authorizer accepts ID tokens too (their `aud` is the client id).
    if (claims.token_use !== 'access') throw new UnauthorizedError('Send the access token, not the ID token.');
    return callerFromClaims(claims);
  }
  if (auth === 'required') throw new UnauthorizedError();
  const header = event.headers?.authorization;
  if (!header) return undefined;
  const token = bearerToken(header);
  if (!token) throw new UnauthorizedError('The Authorization header must be "Bearer <accessToken>".');
  if (!tokens) throw new Error('An optional-auth route needs a token verifier: httpHandler(operation, handle, { tokens: accessTokens() }).');
  try {
    return callerFromClaims(await tokens.verify(token));
  } catch (error) {
    throw new UnauthorizedError(undefined, { cause: error });
  }
}
