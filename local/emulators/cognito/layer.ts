/**
 * What the actions that correct cognito-local share: the pool, its client, the token issuer, the
 * access-token check Cognito applies to every call made with an access token, and user look-up the
 * way Cognito does it for this pool (by username, sub, or email without regard to case).
 */
import { randomInt } from 'node:crypto';
import type { Route } from 'cognito-local/lib/server/Router.js';
import type { Services } from 'cognito-local/lib/services/index.js';
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { User, UserPoolService } from 'cognito-local/lib/services/userPoolService.js';
import { JwtExpiredError } from 'aws-jwt-verify/error';
import type { AccessTokenClaims, AccessTokenVerifier } from '../../../functions/adapters/access-token-verifier.js';
import { passwordPolicyViolation } from '../../../lib/auth/auth-settings.js';
import { cognitoError } from './cognito-errors.js';
import { decodeJwtPayload, tokenLifetimeSeconds, type CognitoTokenIssuer } from './token-issuer.js';

/** A stored user with what this layer keeps beside cognito-local's fields. */
export type LayerUser = User & {
  /** Which flow `ConfirmationCode` belongs to: sign-up confirmation or password reset. */
  CodePurpose?: 'SignUp' | 'ForgotPassword';
  /** When `ConfirmationCode` was issued (epoch ms), for Cognito's code lifetimes. */
  CodeIssuedAt?: number;
  /** When an administrator set the temporary password (epoch ms). */
  TemporaryPasswordIssuedAt?: number;
};

export type Layer = {
  services: Services;
  userPool: UserPoolService;
  issuer: CognitoTokenIssuer;
  verifier: AccessTokenVerifier;
  now: () => number;
  /** NEW_PASSWORD_REQUIRED sessions handed out by InitiateAuth: session → username, expiry. */
  challengeSessions: Map<string, { username: string; expiresAt: number }>;
};

/** An x-amz-target handler that may call cognito-local's own (`next`). */
export type Action = (layer: Layer, ctx: Context, req: Record<string, unknown>, next: Route) => Promise<unknown>;

export const SIGN_UP_CODE_LIFETIME_MS = 24 * 60 * 60 * 1000;
export const RESET_CODE_LIFETIME_MS = 60 * 60 * 1000;
export const CHALLENGE_SESSION_LIFETIME_MS = 3 * 60 * 1000;

export function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function attributeOf(user: User, name: string): string | undefined {
  return user.Attributes.find((attribute) => attribute.Name === name)?.Value;
}

/** The pool's app client, or Cognito's ResourceNotFoundException. */
export async function appClient(layer: Layer, ctx: Context, clientId: unknown): Promise<AppClient> {
  const client = typeof clientId === 'string' ? await layer.services.cognito.getAppClient(ctx, clientId) : null;
  if (!client) throw cognitoError.clientNotFound(String(clientId));
  return client;
}

/** Finds a user by username or sub, or by email ignoring case (the pool's sign-in is case-insensitive). */
export async function findUser(layer: Layer, ctx: Context, username: unknown): Promise<LayerUser | null> {
  if (typeof username !== 'string' || username === '') return null;
  const direct = await layer.userPool.getUserByUsername(ctx, username);
  if (direct) return direct;
  const wanted = username.toLowerCase();
  const users = await layer.userPool.listUsers(ctx);
  return users.find((user) => attributeOf(user, 'email')?.toLowerCase() === wanted) ?? null;
}

export async function requireUser(layer: Layer, ctx: Context, username: unknown): Promise<LayerUser> {
  const user = await findUser(layer, ctx, username);
  if (!user) throw cognitoError.userNotFound();
  return user;
}

export function assertPasswordPolicy(password: unknown, parameter = 'password'): asserts password is string {
  if (typeof password !== 'string' || password === '') throw cognitoError.invalidParameter(`Missing required parameter ${parameter}`);
  const violation = passwordPolicyViolation(password);
  if (violation) throw cognitoError.invalidPassword(violation);
}

/** A password that satisfies the policy, as Cognito generates for AdminCreateUser. */
export function generatePassword(): string {
  const classes = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#%&*-_=+?'];
  const characters = classes.flatMap((alphabet) => Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)] ?? ''));
  for (let i = characters.length - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [characters[i], characters[j]] = [characters[j] ?? '', characters[i] ?? ''];
  }
  return characters.join('');
}

/** Cognito shows where a code went without revealing the address: `j***@e***`. */
export function maskedEmailDelivery(email: string): { AttributeName: 'email'; DeliveryMedium: 'EMAIL'; Destination: string } {
  const [local = '', domain = ''] = email.split('@');
  return { AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: `${local.slice(0, 1)}***@${domain.slice(0, 1)}***` };
}

/** The `jti`s of a user's refresh tokens: the sign-ins whose access tokens are still valid. */
export function liveSignIns(user: User): Set<string> {
  const ids = (user.RefreshTokens ?? []).map((token) => decodeJwtPayload(token)?.jti);
  return new Set(ids.filter((id): id is string => typeof id === 'string'));
}

/** Drops refresh tokens past their expiry so the list does not grow with every sign-in. */
export function withoutExpiredRefreshTokens(user: User, nowMs: number): string[] {
  return (user.RefreshTokens ?? []).filter((token) => {
    const exp = decodeJwtPayload(token)?.exp;
    return typeof exp !== 'number' || exp * 1000 > nowMs;
  });
}

/**
 * Cognito's check of an access token passed to its API: valid signature and expiry, not revoked by
 * sign-out or token revocation, user still there and enabled.
 */
export async function authenticate(
  layer: Layer,
  accessToken: unknown,
  ctx: Context,
): Promise<{ user: LayerUser; claims: AccessTokenClaims }> {
  if (typeof accessToken !== 'string' || accessToken === '') throw cognitoError.invalidParameter('Missing required parameter AccessToken');
  let claims: AccessTokenClaims;
  try {
    claims = await layer.verifier.verify(accessToken);
  } catch (error) {
    throw cognitoError.notAuthorized(error instanceof JwtExpiredError ? 'Access Token has expired' : 'Invalid Access Token');
  }
  const user = await layer.userPool.getUserByUsername(ctx, claims.sub);
  if (!user) throw cognitoError.userNotFound();
  if (typeof claims.origin_jti !== 'string' || !liveSignIns(user).has(claims.origin_jti)) {
    throw cognitoError.notAuthorized('Access Token has been revoked');
  }
  if (!user.Enabled) throw cognitoError.userDisabled();
  return { user, claims };
}

/** Adds what Cognito returns with tokens and cognito-local leaves out. */
export function withTokenLifetime(result: unknown, client: AppClient): unknown {
  const outcome = result as { AuthenticationResult?: Record<string, unknown> } | undefined;
  if (!outcome?.AuthenticationResult) return result;
  return {
    ...outcome,
    AuthenticationResult: {
      ...outcome.AuthenticationResult,
      ExpiresIn: tokenLifetimeSeconds(client, 'AccessToken'),
      TokenType: 'Bearer',
    },
  };
}

/** Saves a user with this layer's fields beside cognito-local's. */
export async function saveUser(layer: Layer, ctx: Context, user: LayerUser): Promise<void> {
  await layer.userPool.saveUser(ctx, user);
}
