/**
 * What the auth integration tests share: a Cognito emulator of their own, started with an email
 * callback (the global one has no outbox, and the flows under test need the emailed codes) and a
 * movable clock (code lifetimes), with the handlers loaded once the environment points at it.
 * DynamoDB stays the global emulator. Users are made through the Cognito SDK, so each route is
 * tested on its own; their tokens' claims are passed the way API Gateway's JWT authorizer does.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { profileKey } from '../../../functions/adapters/dynamodb-profile-store.js';
import { ENV } from '../../../functions/shared/env.js';
import backend from '../../../lambase.config.js';
import type { LocalEmail } from '../../../local/emulators/cognito/email-messages.js';
import { startCognito, type LocalCognito } from '../../../local/emulators/cognito/start-cognito.js';
import { callHttp, type HttpResponse } from '../../fixtures/lambda.js';

export const PASSWORD = 'Correct-Horse-9-Battery';
export const OTHER_PASSWORD = 'Battery-Staple-7-Horse';
export const WEAK_PASSWORD = 'password';

export type Tokens = { accessToken: string; idToken: string; refreshToken: string };
export type TestUser = Tokens & { email: string; password: string; userId: string };

type Handler = Parameters<typeof callHttp>[0];

let counter = 0;
export const newEmail = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${(counter += 1)}@example.com`;

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

export type AuthHarness = Awaited<ReturnType<typeof startAuthHarness>>;

export async function startAuthHarness() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-auth-it-'));
  const emails: LocalEmail[] = [];
  let clockOffsetMs = 0;
  const cognito: LocalCognito = await startCognito({
    dataDir,
    region: process.env.AWS_REGION,
    groups: [backend.auth.adminGroup, ...backend.auth.groups, 'editors'],
    onEmail: (email) => emails.push(email),
    clock: () => new Date(Date.now() + clockOffsetMs),
  });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: cognito.endpoint,
    [ENV.userPoolId]: cognito.userPoolId,
    [ENV.userPoolClientId]: cognito.userPoolClientId,
  });
  const sdk = new CognitoIdentityProviderClient({});
  const documents = createDocumentClient();
  const clientId = cognito.userPoolClientId;

  const handlers = {
    signUp: (await import('../../../functions/auth/sign-up.js')).handler,
    confirmSignUp: (await import('../../../functions/auth/confirm-sign-up.js')).handler,
    resendConfirmation: (await import('../../../functions/auth/resend-confirmation.js')).handler,
    signIn: (await import('../../../functions/auth/sign-in.js')).handler,
    respondToChallenge: (await import('../../../functions/auth/respond-to-challenge.js')).handler,
    refresh: (await import('../../../functions/auth/refresh-tokens.js')).handler,
    forgotPassword: (await import('../../../functions/auth/forgot-password.js')).handler,
    resetPassword: (await import('../../../functions/auth/reset-password.js')).handler,
    signOut: (await import('../../../functions/auth/sign-out.js')).handler,
    getMe: (await import('../../../functions/auth/get-me.js')).handler,
    updateMe: (await import('../../../functions/auth/update-me.js')).handler,
    changePassword: (await import('../../../functions/auth/change-password.js')).handler,
    exportMe: (await import('../../../functions/auth/export-me.js')).handler,
    deleteMe: (await import('../../../functions/auth/delete-me.js')).handler,
    listUsers: (await import('../../../functions/auth/list-users.js')).handler,
    addUserToGroup: (await import('../../../functions/auth/add-user-to-group.js')).handler,
    removeUserFromGroup: (await import('../../../functions/auth/remove-user-from-group.js')).handler,
    disableUser: (await import('../../../functions/auth/disable-user.js')).handler,
    enableUser: (await import('../../../functions/auth/enable-user.js')).handler,
  } satisfies Record<string, Handler>;

  /** Calls a public route with a JSON body, from `sourceIp` (API Gateway's `requestContext.http.sourceIp`). */
  const post = (handler: Handler, routePath: string, json: unknown, sourceIp?: string): Promise<HttpResponse> =>
    callHttp(handler, { method: 'POST', path: routePath, routeKey: `POST ${routePath}`, json, ...(sourceIp ? { sourceIp } : {}) });

  /** Calls a 🔒 route as `user`: the authorizer's claims plus the Authorization header it lets through. */
  const callAs = (
    user: Pick<Tokens, 'accessToken'> | undefined,
    handler: Handler,
    request: { method: string; path: string; route?: string; json?: unknown; pathParameters?: Record<string, string>; rawQueryString?: string },
  ): Promise<HttpResponse> =>
    callHttp(handler, {
      method: request.method,
      path: request.path,
      routeKey: `${request.method} ${request.route ?? request.path}`,
      pathParameters: request.pathParameters,
      rawQueryString: request.rawQueryString,
      json: request.json,
      ...(user ? { claims: claimsOf(user.accessToken), headers: { authorization: `Bearer ${user.accessToken}` } } : {}),
    });

  const lastCodeTo = (email: string): string => {
    const code = emails.filter((sent) => sent.to.toLowerCase() === email.toLowerCase()).at(-1)?.code;
    if (!code) throw new Error(`no code was emailed to ${email}`);
    return code;
  };

  const signInWithSdk = async (email: string, password: string): Promise<Tokens> => {
    const { AuthenticationResult } = await sdk.send(
      new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: password } }),
    );
    return { accessToken: AuthenticationResult!.AccessToken!, idToken: AuthenticationResult!.IdToken!, refreshToken: AuthenticationResult!.RefreshToken! };
  };

  /** A confirmed, signed-in user, made directly with Cognito. */
  const confirmedUser = async (options: { email?: string; name?: string } = {}): Promise<TestUser> => {
    const email = options.email ?? newEmail();
    const { UserSub } = await sdk.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: email,
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: email }, ...(options.name ? [{ Name: 'name', Value: options.name }] : [])],
      }),
    );
    await sdk.send(new ConfirmSignUpCommand({ ClientId: clientId, Username: email, ConfirmationCode: lastCodeTo(email) }));
    return { email, password: PASSWORD, userId: UserSub!, ...(await signInWithSdk(email, PASSWORD)) };
  };

  /** The profile record of `userId` in the table, if any. */
  const profileRecord = async (userId: string) =>
    (await documents.send(new GetCommand({ TableName: process.env[ENV.tableName], Key: profileKey(userId) }))).Item;

  return {
    cognito,
    sdk,
    emails,
    handlers,
    post,
    callAs,
    lastCodeTo,
    signInWithSdk,
    confirmedUser,
    profileRecord,
    moveClock: (ms: number) => {
      clockOffsetMs += ms;
    },
    resetClock: () => {
      clockOffsetMs = 0;
    },
    async stop() {
      sdk.destroy();
      documents.destroy();
      await cognito.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The error body without its request id, for comparing two answers byte for byte. */
export function withoutRequestId(body: unknown): string {
  const { error } = body as { error: Record<string, unknown> };
  const { requestId: _requestId, ...rest } = error;
  return JSON.stringify({ error: rest });
}
