/**
 * Verifies Cognito access tokens with the rules of API Gateway's JWT authorizer: signature,
 * issuer, client id (`client_id`), `token_use = access`, expiry and the route scope. Used by functions on routes
 * whose auth is optional (no authorizer in front of them) and by the local gateway.
 */
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';

/**
 * The OAuth scope every Cognito access token from USER_PASSWORD_AUTH (and SRP) carries and no ID
 * token does. The cloud's JWT authorizer requires it on 🔒 routes, and so does this verifier.
 */
export const ACCESS_TOKEN_SCOPE = 'aws.cognito.signin.user.admin';

export type AccessTokenClaims = Record<string, unknown> & { sub: string };

export type AccessTokenVerifier = { verify(token: string): Promise<AccessTokenClaims> };

export type AccessTokenVerifierOptions = {
  userPoolId: string;
  clientId: string;
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
    { userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: 'access', scope: ACCESS_TOKEN_SCOPE },
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
