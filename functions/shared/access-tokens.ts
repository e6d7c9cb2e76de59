/**
 * The access-token verifier of `optional`-auth routes, built once per execution environment from
 * the user pool its function's environment names. Routes whose tokens API Gateway's authorizer
 * checks (`required`) or that take none never import this module, so aws-jwt-verify (~16 KB) is
 * only in the bundles that verify tokens themselves.
 *
 * @example
 * export const handler = httpHandler(getDocumentOperation, handle, { tokens: accessTokens() });
 */
import { createAccessTokenVerifier, type AccessTokenVerifier } from '../adapters/access-token-verifier.js';
import { ENV, requireEnv } from './env.js';

let verifier: AccessTokenVerifier | undefined;

export function accessTokens(): AccessTokenVerifier {
  verifier ??= createAccessTokenVerifier({ userPoolId: requireEnv(ENV.userPoolId), clientId: requireEnv(ENV.userPoolClientId) });
  return verifier;
}
