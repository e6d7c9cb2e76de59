/**
 * Issues tokens shaped like Cognito's (claims, lifetimes from the app client, `origin_jti`), signed
 * (RS256, with `jose`) with cognito-local's key so its JWKS endpoint serves the matching public key. Replaces
 * cognito-local's generator, which ignores minute units' intent (24 h defaults), writes
 * `email_verified: true` for "false", leaves out standard attributes and never links an access
 * token to the sign-in it came from — the link that lets sign-out revoke access tokens.
 *
 * A refresh token here is a signed JWT whose `jti` is the `origin_jti` of every token derived from
 * it; a session is live while its refresh token is still in the user's `RefreshTokens`.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { compactVerify, decodeJwt, importJWK, SignJWT, type JWK } from 'jose';
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { TokenGenerator, Tokens } from 'cognito-local/lib/services/tokenGenerator.js';
import type { User } from 'cognito-local/lib/services/userPoolService.js';

export type TokenSource = 'AuthenticateDevice' | 'Authentication' | 'HostedAuth' | 'NewPasswordChallenge' | 'RefreshTokens';

/** What a pre token generation trigger (event version 1) may answer. */
export type ClaimsOverrideDetails = {
  claimsToAddOrOverride?: Record<string, string>;
  claimsToSuppress?: string[];
  groupOverrideDetails?: { groupsToOverride?: string[] };
};

export type TokenRequest = {
  user: User;
  groups: readonly string[];
  client: AppClient;
  clientMetadata?: Record<string, string>;
  source: TokenSource;
};

export type RefreshTokenClaims = { jti: string; client_id: string; username: string; auth_time: number; exp: number };

export type TokenIssuerOptions = {
  /** `https://cognito-idp.<region>.amazonaws.com/<poolId>` */
  issuer: string;
  clock: () => Date;
  /** The pre token generation trigger, when one is configured. */
  overrideClaims?: (request: TokenRequest) => Promise<ClaimsOverrideDetails | undefined>;
};

type Claims = Record<string, unknown>;

const requireJson = createRequire(import.meta.url);
/** cognito-local's key pair: its JWKS endpoint publishes the public half. */
const SIGNING_KEY = requireJson('cognito-local/lib/keys/cognitoLocal.private.json') as { jwk: JWK & { kid: string } };
const VERIFYING_KEY = requireJson('cognito-local/lib/keys/cognitoLocal.public.json') as { jwk: JWK };
const ALGORITHM = 'RS256';

/** Claims a trigger cannot add, change or suppress. */
const RESERVED_CLAIMS = new Set([
  'acr', 'amr', 'aud', 'at_hash', 'auth_time', 'azp', 'cognito:username', 'exp', 'iat', 'identities',
  'iss', 'jti', 'nbf', 'nonce', 'origin_jti', 'sub', 'token_use', 'event_id', 'cognito:groups',
]);

const UNIT_SECONDS = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 } as const;

/** A token's lifetime from the app client's settings, with Cognito's defaults. */
export function tokenLifetimeSeconds(client: AppClient, token: 'AccessToken' | 'IdToken' | 'RefreshToken'): number {
  const fallback = token === 'RefreshToken' ? { value: 30, unit: 'days' } : { value: 60, unit: 'minutes' };
  const value = client[`${token}Validity` as const] ?? fallback.value;
  const unit = (client.TokenValidityUnits?.[token] ?? fallback.unit) as keyof typeof UNIT_SECONDS;
  return value * (UNIT_SECONDS[unit] ?? UNIT_SECONDS.hours);
}

export class CognitoTokenIssuer implements TokenGenerator {
  private readonly privateKey = importJWK(SIGNING_KEY.jwk, ALGORITHM);
  private readonly publicKey = importJWK(VERIFYING_KEY.jwk, ALGORITHM);

  constructor(private readonly options: TokenIssuerOptions) {}

  /** cognito-local's entry point: a new sign-in, so a new refresh token. */
  async generate(
    _ctx: Context,
    user: User,
    groups: readonly string[],
    client: AppClient,
    clientMetadata: Record<string, string> | undefined,
    source: TokenSource,
  ): Promise<Tokens> {
    const now = this.epochSeconds();
    const refresh: RefreshTokenClaims = {
      jti: randomUUID(),
      client_id: client.ClientId,
      username: user.Username,
      auth_time: now,
      exp: now + tokenLifetimeSeconds(client, 'RefreshToken'),
    };
    const tokens = await this.issue({ user, groups, client, clientMetadata, source }, refresh);
    return { ...tokens, RefreshToken: await this.sign({ ...refresh, iat: now }) };
  }

  /** Access and ID tokens for the sign-in `refresh` stands for. */
  async issue(request: TokenRequest, refresh: RefreshTokenClaims): Promise<{ AccessToken: string; IdToken: string }> {
    const { user, client } = request;
    const now = this.epochSeconds();
    const overrides = await this.options.overrideClaims?.(request);
    const groups = overrides?.groupOverrideDetails?.groupsToOverride ?? request.groups;
    const attributes = Object.fromEntries(user.Attributes.map((attribute) => [attribute.Name, attribute.Value ?? '']));
    const common: Claims = {
      sub: attributes.sub,
      ...(groups.length ? { 'cognito:groups': [...groups] } : {}),
      iss: this.options.issuer,
      origin_jti: refresh.jti,
      event_id: randomUUID(),
      auth_time: refresh.auth_time,
      iat: now,
      jti: randomUUID(),
    };
    const access: Claims = {
      ...common,
      client_id: client.ClientId,
      token_use: 'access',
      scope: 'aws.cognito.signin.user.admin',
      exp: now + tokenLifetimeSeconds(client, 'AccessToken'),
      username: user.Username,
    };
    const id: Claims = applyOverrides(
      {
        ...idTokenAttributes(attributes),
        ...common,
        'cognito:username': user.Username,
        aud: client.ClientId,
        token_use: 'id',
        exp: now + tokenLifetimeSeconds(client, 'IdToken'),
      },
      overrides,
    );
    return { AccessToken: await this.sign(access), IdToken: await this.sign(id) };
  }

  /** The claims of a refresh token this issuer signed (expired or not), or undefined. */
  async readRefreshToken(token: string): Promise<RefreshTokenClaims | undefined> {
    // Signature only: an expired refresh token is told apart by the caller (its own error message).
    const signed = await compactVerify(token, await this.publicKey, { algorithms: [ALGORITHM] }).catch(() => undefined);
    if (!signed) return undefined;
    const claims = decodeJwtPayload(token);
    return typeof claims?.jti === 'string' && typeof claims.exp === 'number' ? (claims as RefreshTokenClaims) : undefined;
  }

  private async sign(claims: Claims): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: ALGORITHM, kid: SIGNING_KEY.jwk.kid }).sign(await this.privateKey);
  }

  private epochSeconds(): number {
    return Math.floor(this.options.clock().getTime() / 1000);
  }
}

/** The payload of a JWT, unverified; undefined when it is not one. */
export function decodeJwtPayload(token: string): Claims | undefined {
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** User attributes as ID token claims: every readable attribute, verification flags as booleans. */
function idTokenAttributes(attributes: Record<string, string>): Claims {
  const claims: Claims = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'sub') continue;
    claims[name] = name.endsWith('_verified') ? value === 'true' : value;
  }
  return claims;
}

function applyOverrides(claims: Claims, overrides: ClaimsOverrideDetails | undefined): Claims {
  if (!overrides) return claims;
  const result: Claims = { ...claims };
  for (const [name, value] of Object.entries(overrides.claimsToAddOrOverride ?? {})) {
    if (!RESERVED_CLAIMS.has(name)) result[name] = value;
  }
  for (const name of overrides.claimsToSuppress ?? []) {
    if (!RESERVED_CLAIMS.has(name)) delete result[name];
  }
  return result;
}
