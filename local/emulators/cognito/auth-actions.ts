/**
 * Sign-in, token refresh, the new-password challenge, sign-out and calls made with an access token,
 * answered as Cognito answers them (cognito-local says InvalidPasswordException for a wrong
 * password, lets disabled users in, never revokes anything and ignores the client's token lifetimes).
 */
import { randomBytes } from 'node:crypto';
import type { Route } from 'cognito-local/lib/server/Router.js';
import type { AppClient } from 'cognito-local/lib/services/appClient.js';
import type { Context } from 'cognito-local/lib/services/context.js';
import { attributesAppend } from 'cognito-local/lib/services/userPoolService.js';
import { cognitoError } from './cognito-errors.js';
import {
  appClient,
  assertPasswordPolicy,
  authenticate,
  CHALLENGE_SESSION_LIFETIME_MS,
  findUser,
  requireUser,
  text,
  withoutExpiredRefreshTokens,
  withTokenLifetime,
  saveUser,
  type Action,
  type Layer,
  type LayerUser,
} from './layer.js';
import { tokenLifetimeSeconds } from './token-issuer.js';

type AuthParameters = Record<string, string | undefined>;

function assertFlowEnabled(client: AppClient, flow: string, message: string): void {
  if (!(client.ExplicitAuthFlows ?? []).includes(flow)) throw cognitoError.invalidParameter(message);
}

async function passwordSignIn(layer: Layer, ctx: Context, req: Record<string, unknown>, next: Route, client: AppClient): Promise<unknown> {
  const parameters = (req.AuthParameters ?? {}) as AuthParameters;
  if (!text(parameters.USERNAME)) throw cognitoError.invalidParameter('Missing required parameter USERNAME');
  if (!text(parameters.PASSWORD)) throw cognitoError.invalidParameter('Missing required parameter PASSWORD');
  const user = await findUser(layer, ctx, parameters.USERNAME);
  // Unknown user and wrong password look the same (PreventUserExistenceErrors: ENABLED).
  if (!user || user.Password !== parameters.PASSWORD) throw cognitoError.incorrectCredentials();
  if (!user.Enabled) throw cognitoError.userDisabled();
  if (user.UserStatus === 'UNCONFIRMED') throw cognitoError.userNotConfirmed();
  if (user.UserStatus === 'RESET_REQUIRED') throw cognitoError.passwordResetRequired();
  if (user.UserStatus === 'FORCE_CHANGE_PASSWORD') return newPasswordChallenge(layer, user);
  const result = await next(ctx, { ...req, AuthParameters: { ...parameters, USERNAME: user.Username } });
  const signedIn = await layer.userPool.getUserByUsername(ctx, user.Username);
  if (signedIn) {
    await saveUser(layer, ctx, { ...signedIn, RefreshTokens: withoutExpiredRefreshTokens(signedIn, layer.now()) });
  }
  return withTokenLifetime(result, client);
}

function newPasswordChallenge(layer: Layer, user: LayerUser): unknown {
  const validDays = layer.userPool.options.Policies?.PasswordPolicy?.TemporaryPasswordValidityDays ?? 7;
  const issuedAt = user.TemporaryPasswordIssuedAt ?? new Date(user.UserCreateDate).getTime();
  if (layer.now() - issuedAt > validDays * 86_400_000) {
    throw cognitoError.notAuthorized('Temporary password has expired and must be reset by an administrator.');
  }
  for (const [id, session] of layer.challengeSessions) {
    if (session.expiresAt <= layer.now()) layer.challengeSessions.delete(id);
  }
  const session = randomBytes(96).toString('base64url');
  layer.challengeSessions.set(session, { username: user.Username, expiresAt: layer.now() + CHALLENGE_SESSION_LIFETIME_MS });
  const userAttributes = Object.fromEntries(
    user.Attributes.filter((attribute) => attribute.Name !== 'sub').map((attribute) => [attribute.Name, attribute.Value]),
  );
  return {
    ChallengeName: 'NEW_PASSWORD_REQUIRED',
    Session: session,
    ChallengeParameters: {
      USER_ID_FOR_SRP: user.Username,
      requiredAttributes: '[]',
      userAttributes: JSON.stringify(userAttributes),
    },
  };
}

/** REFRESH_TOKEN_AUTH: the same sign-in (`origin_jti`, `auth_time`), new access and ID tokens. */
async function refreshSignIn(layer: Layer, ctx: Context, req: Record<string, unknown>, client: AppClient): Promise<unknown> {
  const token = text(((req.AuthParameters ?? {}) as AuthParameters).REFRESH_TOKEN);
  if (!token) throw cognitoError.invalidParameter('Missing required parameter REFRESH_TOKEN');
  const refresh = await layer.issuer.readRefreshToken(token);
  if (!refresh || refresh.client_id !== client.ClientId) throw cognitoError.notAuthorized('Invalid Refresh Token');
  const user = await layer.userPool.getUserByUsername(ctx, refresh.username);
  if (!user || !(user.RefreshTokens ?? []).includes(token)) throw cognitoError.notAuthorized('Refresh Token has been revoked');
  if (refresh.exp * 1000 <= layer.now()) throw cognitoError.notAuthorized('Refresh Token has expired');
  if (!user.Enabled) throw cognitoError.userDisabled();
  const groups = await layer.userPool.listUserGroupMembership(ctx, user);
  const clientMetadata = req.ClientMetadata as Record<string, string> | undefined;
  const tokens = await layer.issuer.issue({ user, groups, client, clientMetadata, source: 'RefreshTokens' }, refresh);
  return {
    ChallengeParameters: {},
    AuthenticationResult: { ...tokens, ExpiresIn: tokenLifetimeSeconds(client, 'AccessToken'), TokenType: 'Bearer' },
  };
}

/** InitiateAuth, the one sign-in call Lambase makes: USER_PASSWORD_AUTH and REFRESH_TOKEN_AUTH. */
const initiateAuth: Action = async (layer, ctx, req, next) => {
  const client = await appClient(layer, ctx, req.ClientId);
  switch (req.AuthFlow) {
    case 'USER_PASSWORD_AUTH':
      assertFlowEnabled(client, 'ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH flow not enabled for this client');
      return passwordSignIn(layer, ctx, req, next, client);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      assertFlowEnabled(client, 'ALLOW_REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN_AUTH flow not enabled for this client');
      return refreshSignIn(layer, ctx, req, client);
    default:
      return withTokenLifetime(await next(ctx, req), client);
  }
};

/** NEW_PASSWORD_REQUIRED answered here (cognito-local neither checks the session nor stores the refresh token). */
const respondToAuthChallenge: Action = async (layer, ctx, req, next) => {
  const client = await appClient(layer, ctx, req.ClientId);
  if (req.ChallengeName !== 'NEW_PASSWORD_REQUIRED') return withTokenLifetime(await next(ctx, req), client);
  const responses = (req.ChallengeResponses ?? {}) as Record<string, string | undefined>;
  const sessionId = text(req.Session);
  const session = sessionId ? layer.challengeSessions.get(sessionId) : undefined;
  if (!sessionId || !session || session.expiresAt <= layer.now()) {
    throw cognitoError.notAuthorized('Invalid session for the user, session is expired.');
  }
  const user = await findUser(layer, ctx, responses.USERNAME);
  if (!user || user.Username !== session.username) throw cognitoError.notAuthorized('Invalid session for the user.');
  assertPasswordPolicy(responses.NEW_PASSWORD, 'NEW_PASSWORD');
  const attributes = Object.entries(responses)
    .filter(([name]) => name.startsWith('userAttributes.'))
    .map(([name, value]) => ({ Name: name.slice('userAttributes.'.length), Value: value ?? '' }));
  const updated: LayerUser = {
    ...user,
    Attributes: attributesAppend(user.Attributes, ...attributes),
    Password: responses.NEW_PASSWORD,
    UserStatus: 'CONFIRMED',
    UserLastModifiedDate: new Date(layer.now()),
    TemporaryPasswordIssuedAt: undefined,
  };
  await layer.userPool.saveUser(ctx, updated);
  layer.challengeSessions.delete(sessionId);
  const groups = await layer.userPool.listUserGroupMembership(ctx, updated);
  const clientMetadata = req.ClientMetadata as Record<string, string> | undefined;
  const tokens = await layer.issuer.generate(ctx, updated, groups, client, clientMetadata, 'NewPasswordChallenge');
  await layer.userPool.storeRefreshToken(ctx, tokens.RefreshToken, updated);
  return withTokenLifetime({ ChallengeParameters: {}, AuthenticationResult: tokens }, client);
};

/** Signing out revokes every refresh token, and with them the access tokens they issued. */
async function signOutEverywhere(layer: Layer, ctx: Context, user: LayerUser): Promise<void> {
  await saveUser(layer, ctx, { ...user, RefreshTokens: [] });
}

const globalSignOut: Action = async (layer, ctx, req) => {
  const { user } = await authenticate(layer, req.AccessToken, ctx);
  await signOutEverywhere(layer, ctx, user);
  return {};
};

const adminUserGlobalSignOut: Action = async (layer, ctx, req) => {
  await layer.services.cognito.getUserPool(ctx, String(req.UserPoolId));
  await signOutEverywhere(layer, ctx, await requireUser(layer, ctx, req.Username));
  return {};
};

const changePassword: Action = async (layer, ctx, req, next) => {
  const { user } = await authenticate(layer, req.AccessToken, ctx);
  if (user.Password !== req.PreviousPassword) throw cognitoError.incorrectCredentials();
  assertPasswordPolicy(req.ProposedPassword, 'ProposedPassword');
  return next(ctx, req);
};

/** Every other call made with an access token gets Cognito's token check first. */
const withLiveAccessToken: Action = async (layer, ctx, req, next) => {
  await authenticate(layer, req.AccessToken, ctx);
  return next(ctx, req);
};

export const authActions: Record<string, Action> = {
  InitiateAuth: initiateAuth,
  RespondToAuthChallenge: respondToAuthChallenge,
  GlobalSignOut: globalSignOut,
  AdminUserGlobalSignOut: adminUserGlobalSignOut,
  ChangePassword: changePassword,
  GetUser: withLiveAccessToken,
  VerifyUserAttribute: withLiveAccessToken,
};
