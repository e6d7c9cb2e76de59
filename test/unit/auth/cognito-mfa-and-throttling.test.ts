/**
 * What the Cognito emulator cannot play: MFA challenges (TOTP, SMS, and MFA_SETUP, which no route
 * completes), throttling, per-user limits and undeliverable codes, and service faults. The SDK
 * client is mocked (aws-sdk-client-mock); the handlers run through their full middleware chain.
 */
import {
  CodeDeliveryFailureException,
  CodeMismatchException,
  CognitoIdentityProviderClient,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  InternalErrorException,
  LimitExceededException,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../functions/shared/logger.js';
import { callHttp } from '../../fixtures/lambda.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const CLIENT_ID = 'abcdefghijklmnopqrstuvwxyz';
const EMAIL = 'mfa@example.com';
const PASSWORD = 'Correct-Horse-9-Battery';
const TOKENS = { AccessToken: 'access', IdToken: 'id', RefreshToken: 'refresh', ExpiresIn: 3600, TokenType: 'Bearer' };

type Handler = Parameters<typeof callHttp>[0];
let handlers: { signIn: Handler; respond: Handler; forgot: Handler; resend: Handler };

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LAMBASE_USER_POOL_ID: 'us-east-1_abcdefghi',
    LAMBASE_USER_POOL_CLIENT_ID: CLIENT_ID,
  });
  handlers = {
    signIn: (await import('../../../functions/auth/sign-in.js')).handler,
    respond: (await import('../../../functions/auth/respond-to-challenge.js')).handler,
    forgot: (await import('../../../functions/auth/forgot-password.js')).handler,
    resend: (await import('../../../functions/auth/resend-confirmation.js')).handler,
  };
});

afterEach(() => {
  cognito.reset();
  vi.restoreAllMocks();
});

const post = (handler: Handler, path: string, json: unknown) => callHttp(handler, { method: 'POST', path, routeKey: `POST ${path}`, json });

const exception = <T>(Type: new (options: { message: string; $metadata: object }) => T, message = 'from Cognito') =>
  new Type({ message, $metadata: {} });

/** Signs in against a pool that answers `challenge`; returns the session sign-in handed out. */
async function challengedSignIn(challenge: string): Promise<string> {
  cognito.on(InitiateAuthCommand).resolves({ ChallengeName: challenge as never, Session: 'cognito-session-1', ChallengeParameters: {} });
  const response = await post(handlers.signIn, '/auth/sign-in', { email: EMAIL, password: PASSWORD });
  expect(response.statusCode).toBe(200);
  expect(response.body).toEqual({ challenge, session: expect.any(String) });
  return (response.body as { session: string }).session;
}

describe('multi-factor sign-in', () => {
  it.each([
    ['SOFTWARE_TOKEN_MFA', 'SOFTWARE_TOKEN_MFA_CODE'],
    ['SMS_MFA', 'SMS_MFA_CODE'],
  ])('answers %s with the code, under the challenge name sign-in returned, and gets tokens', async (challenge, responseKey) => {
    const session = await challengedSignIn(challenge);
    cognito.on(RespondToAuthChallengeCommand).resolves({ AuthenticationResult: TOKENS });
    const response = await post(handlers.respond, '/auth/respond-to-challenge', { email: EMAIL, session, code: '123456' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ accessToken: 'access', idToken: 'id', refreshToken: 'refresh', expiresIn: 3600, tokenType: 'Bearer' });
    expect(cognito.commandCalls(RespondToAuthChallengeCommand)[0]!.args[0].input).toMatchObject({
      ClientId: CLIENT_ID,
      ChallengeName: challenge,
      Session: 'cognito-session-1',
      ChallengeResponses: { USERNAME: EMAIL, [responseKey]: '123456' },
    });
  });

  it('answers 400 CodeMismatch for a wrong code', async () => {
    const session = await challengedSignIn('SOFTWARE_TOKEN_MFA');
    cognito.on(RespondToAuthChallengeCommand).rejects(exception(CodeMismatchException));
    const response = await post(handlers.respond, '/auth/respond-to-challenge', { email: EMAIL, session, code: '000000' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'CodeMismatch' } });
  });

  it('answers a clear 400 ValidationFailed for MFA_SETUP, which no route completes, without asking Cognito', async () => {
    const session = await challengedSignIn('MFA_SETUP');
    const response = await post(handlers.respond, '/auth/respond-to-challenge', { email: EMAIL, session, code: '123456' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: 'ValidationFailed', message: 'The MFA_SETUP challenge cannot be completed through this API.' },
    });
    expect(cognito.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
  });

  it('answers 400 ValidationFailed for the wrong kind of answer (a new password to an MFA challenge)', async () => {
    const session = await challengedSignIn('SOFTWARE_TOKEN_MFA');
    const response = await post(handlers.respond, '/auth/respond-to-challenge', { email: EMAIL, session, newPassword: PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'code' }] } });
    expect(cognito.commandCalls(RespondToAuthChallengeCommand)).toHaveLength(0);
  });

  it('hands out the next challenge the same way when answering one leads to another', async () => {
    const session = await challengedSignIn('NEW_PASSWORD_REQUIRED');
    cognito.on(RespondToAuthChallengeCommand).resolves({ ChallengeName: 'MFA_SETUP', Session: 'cognito-session-2', ChallengeParameters: {} });
    const next = await post(handlers.respond, '/auth/respond-to-challenge', { email: EMAIL, session, newPassword: PASSWORD });
    expect(next.body).toEqual({ challenge: 'MFA_SETUP', session: expect.any(String) });
    const response = await post(handlers.respond, '/auth/respond-to-challenge', {
      email: EMAIL,
      session: (next.body as { session: string }).session,
      code: '123456',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });
});

describe('Cognito throttling and faults', () => {
  it('turns throttling into 429 TooManyRequests, even where every other failure is hidden', async () => {
    cognito.on(InitiateAuthCommand).rejects(exception(TooManyRequestsException, 'Rate exceeded'));
    const signIn = await post(handlers.signIn, '/auth/sign-in', { email: 'busy@example.com', password: PASSWORD });
    expect(signIn.statusCode).toBe(429);
    expect(signIn.body).toMatchObject({ error: { code: 'TooManyRequests' } });

    cognito.on(ForgotPasswordCommand).rejects(exception(TooManyRequestsException, 'Rate exceeded'));
    cognito.on(ResendConfirmationCodeCommand).rejects(exception(TooManyRequestsException, 'Rate exceeded'));
    expect((await post(handlers.forgot, '/auth/forgot-password', { email: 'busy@example.com' })).statusCode).toBe(429);
    expect((await post(handlers.resend, '/auth/resend-confirmation', { email: 'busy@example.com' })).statusCode).toBe(429);
  });

  it('answers a service fault with a generic 500 that says nothing of Cognito', async () => {
    cognito.on(InitiateAuthCommand).rejects(exception(InternalErrorException, 'cognito-idp internal failure at shard 7'));
    const response = await post(handlers.signIn, '/auth/sign-in', { email: 'fault@example.com', password: PASSWORD });
    expect(response.statusCode).toBe(500);
    expect(response.body).toMatchObject({ error: { code: 'Internal', message: 'Something went wrong on our side.' } });
    expect(JSON.stringify(response.body)).not.toMatch(/cognito|shard/i);
  });
});

describe('code requests that fail for one real account only', () => {
  const email = 'exists@example.com';
  it.each([
    { route: 'forgot-password', Command: ForgotPasswordCommand, Exception: LimitExceededException, message: 'Attempt limit exceeded, please try after some time.' },
    { route: 'forgot-password', Command: ForgotPasswordCommand, Exception: CodeDeliveryFailureException, message: `Unable to deliver message to ${email}` },
    { route: 'resend-confirmation', Command: ResendConfirmationCodeCommand, Exception: LimitExceededException, message: 'Attempt limit exceeded, please try after some time.' },
    { route: 'resend-confirmation', Command: ResendConfirmationCodeCommand, Exception: CodeDeliveryFailureException, message: `Unable to deliver message to ${email}` },
  ] as const)('$route answers 202 for $Exception.name, and logs a warning without the address', async ({ route, Command, Exception, message }) => {
    const warn = vi.spyOn(logger, 'warn');
    cognito.on(Command).rejects(exception(Exception as new (options: { message: string; $metadata: object }) => Error, message));
    const response = await post(route === 'forgot-password' ? handlers.forgot : handlers.resend, `/auth/${route}`, { email });
    expect(response.statusCode).toBe(202);
    expect(response.body).toBeUndefined();
    expect(warn).toHaveBeenCalledWith('code not sent', { flow: route, reason: Exception.name });
    expect(JSON.stringify(warn.mock.calls)).not.toContain(email);
  });
});
