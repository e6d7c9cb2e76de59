/**
 * The SDK clients' credential chain inside a function bundle: the environment only.
 *
 * Lambda hands every execution environment its role's credentials in AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, and local mode sets the same variables, so the
 * default chain's other links (SSO, ini files, credential processes, web identity, IMDS/ECS) never
 * answer there — yet bundling them costs ~80 KB of parsing at every cold start, nested STS/SSO
 * clients included. The shared build (build/function-build.ts) aliases
 * `@aws-sdk/credential-provider-node` to this module; code outside the bundles (CDK, local mode,
 * tests) keeps the SDK's full chain. A missing variable fails the first call with the SDK's own
 * CredentialsProviderError.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';

type Credentials = { expiration?: Date };

/** The SDK's `defaultProvider` signature, reading the environment. */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);

/** As the SDK's own: only credentials with an expiry are refreshed, 5 minutes before it. */
export const credentialsWillNeedRefresh = (credentials?: Credentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: Credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
