/**
 * Verifies Cognito tokens. `tokenUse: 'access'` is the contract's full rule (signature, issuer,
 * client id, `token_use = access`, expiry): functions on optional-auth routes use it. `tokenUse:
 * 'any'` is exactly what API Gateway's JWT authorizer checks (signature, issuer, `aud` or
 * `client_id`, expiry — not `token_use`): the local gateway uses it, and the function behind it
 * refuses a non-access token as it does in the cloud (functions/shared/caller-identity.ts).
 * A token that passed is remembered until it expires, so a caller's next requests skip the RSA check.
 */
import http from 'node:http';
import https from 'node:https';
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

/** How many verified tokens a verifier remembers (the oldest goes first): a warm function sees few callers. */
const VERIFIED_TOKENS_KEPT = 1000;

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const endpoint = options.cognitoEndpoint ?? process.env.AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER;
  const verifier = CognitoJwtVerifier.create(
    { userPoolId: options.userPoolId, clientId: options.clientId, tokenUse: options.tokenUse === 'any' ? null : 'access' },
    endpoint ? { jwksCache: new SimpleJwksCache({ fetcher: endpointFetcher(endpoint, options.userPoolId) }) } : undefined,
  );
  return rememberedUntilExpiry({
    async verify(token) {
      return (await verifier.verify(token)) as unknown as AccessTokenClaims;
    },
  });
}

/**
 * `verifier`, remembering each token that passed until it expires (its `exp`): like API Gateway's
 * authorizer, verification looks at the signature and expiry only, never at revocation, so a
 * caller's next requests can skip the RSA check. Failures are not remembered.
 */
export function rememberedUntilExpiry(verifier: AccessTokenVerifier, kept = VERIFIED_TOKENS_KEPT): AccessTokenVerifier {
  const verified = new Map<string, { claims: AccessTokenClaims; expiresAtMs: number }>();
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known && Date.now() < known.expiresAtMs) return known.claims;
      verified.delete(token);
      const claims = await verifier.verify(token);
      if (verified.size >= kept) verified.delete(verified.keys().next().value!);
      verified.set(token, { claims, expiresAtMs: Number(claims.exp) * 1000 });
      return claims;
    },
  };
}


/**
 * Fetches the pool's JWKS from a local Cognito endpoint whatever URI the verifier derived. Through
 * node:http, not the global fetch: loading fetch's implementation (undici) took ~80 ms of a cold
 * start, more than the rest of the token check.
 */
function endpointFetcher(endpoint: string, userPoolId: string): Fetcher {
  const url = new URL(`${userPoolId}/.well-known/jwks.json`, endpoint.endsWith('/') ? endpoint : `${endpoint}/`);
  return {
    fetch: () =>
      new Promise<ArrayBuffer>((resolve, reject) => {
        const request = (url.protocol === 'https:' ? https : http).get(url, (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            if (response.statusCode !== 200) return reject(new Error(`JWKS fetch from ${url.origin} failed: HTTP ${response.statusCode}`));
            const body = Buffer.concat(chunks);
            resolve(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength));
          });
          response.on('error', reject);
        });
        request.on('error', reject);
      }),
  };
}
