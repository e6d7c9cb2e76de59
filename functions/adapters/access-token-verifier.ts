/**
 * Verifies Cognito tokens. `tokenUse: 'access'` is the contract's full rule (signature, issuer,
 * client id, `token_use = access`, expiry): functions on optional-auth routes use it. `tokenUse:
 * 'any'` is exactly what API Gateway's JWT authorizer checks (signature, issuer, `aud` or
 * `client_id`, expiry — not `token_use`): the local gateway uses it, and the function behind it
 * refuses a non-access token as it does in the cloud (functions/shared/caller-identity.ts).
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';

export type AccessTokenClaims = Record<string, unknown> & { sub: string };

export type AccessTokenVerifier = { verify(token: string): Promise<AccessTokenClaims> };

export type AccessTokenVerifierOptions = {
  userPoolId: string;
  clientId: string;
  /** @default 'access' */
  tokenUse?: 'access' | 'any';
  /**
   * Where Cognito is served when it is not AWS (local mode): JWKS are fetched from
   * `<endpoint>/<userPoolId>/.well-known/jwks.json` instead of the issuer's address.
   * Defaults to `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`, the SDK's own override.
   */
  cognitoEndpoint?: string;
};

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const endpoint = options.cognitoEndpoint ?? process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: options.tokenUse === 'any' ? null : 'access' },
    endpoint ? { jwksCache: new SimpleJwksCache({ fetcher: endpointFetcher(endpoint, options.userPoolId) }) } : undefined,
  );
  return {
    async verify(token) {
      return (await verifier.verify(token)) as unknown as AccessTokenClaims;
    },
  };
}

/** Fetches the pool's JWKS from a local Cognito endpoint whatever URI the verifier derived. */
function endpointFetcher(endpoint: string, userPoolId: string): Fetcher {
  const url = new URL(`${userPoolId}/.well-known/jwks.json`, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  return {
    async fetch() {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`JWKS fetch from ${url.origin} failed: HTTP ${response.status}`);
      return response.arrayBuffer();
    },
  };
}
