/**
 * Cognito answers the emulator does not give: passwords refused by Cognito's own API constraints
 * (InvalidParameterException) or its password history, a sign-in that needs a password reset —
 * and what every public call tells Cognito about the end user (UserContextData). The SDK client is
 * mocked (aws-sdk-client-mock); the handlers run through their full middleware chain.
 */
import {
  ChangePasswordCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  InvalidParameterException,
  NotAuthorizedException,
  PasswordHistoryPolicyViolationException,
  PasswordResetRequiredException,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callHttp, type HttpResponse } from '../../fixtures/lambda.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const EMAIL = 'user@example.com';
const PASSWORD = 'Correct-Horse-9-Battery';
const USER_IP = '203.0.113.7';
const TOKENS = { AccessToken: 'access', IdToken: 'id', RefreshToken: 'refresh', ExpiresIn: 3600, TokenType: 'Bearer' };

type Handler = Parameters<typeof callHttp>[0];
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LAMBASE_USER_POOL_ID: 'us-east-1_abcdefghi',
    LAMBASE_USER_POOL_CLIENT_ID: 'abcdefghijklmnopqrstuvwxyz',
  });
  Object.assign(handlers, {
    'sign-up': (await import('../../../functions/auth/sign-up.js')).handler,
    'confirm-sign-up': (await import('../../../functions/auth/confirm-sign-up.js')).handler,
    'resend-confirmation': (await import('../../../functions/auth/resend-confirmation.js')).handler,
    'sign-in': (await import('../../../functions/auth/sign-in.js')).handler,
    'respond-to-challenge': (await import('../../../functions/auth/respond-to-challenge.js')).handler,
    'refresh-tokens': (await import('../../../functions/auth/refresh-tokens.js')).handler,
    'forgot-password': (await import('../../../functions/auth/forgot-password.js')).handler,
    'reset-password': (await import('../../../functions/auth/reset-password.js')).handler,
    'change-password': (await import('../../../functions/auth/change-password.js')).handler,
  });
});

afterEach(() => cognito.reset());

const exception = <T>(Type: new (options: { message: string; $metadata: object }) => T, message: string) => new Type({ message, $metadata: {} });

const post = (handler: string, path: string, json: unknown, sourceIp?: string): Promise<HttpResponse> =>
  callHttp(handlers[handler]!, { method: 'POST', path, routeKey: `POST ${path}`, json, sourceIp });

const signedIn = { sub: '11111111-2222-4333-8444-555555555555', token_use: 'access' };
const changePassword = (json: unknown) =>
  callHttp(handlers['change-password']!, {
    method: 'POST',
    path: '/me/change-password',
    routeKey: 'POST /me/change-password',
    json,
    claims: signedIn,
    headers: { authorization: 'Bearer access-token' },
  });

/** A session sign-in handed out for NEW_PASSWORD_REQUIRED. */
async function newPasswordSession(): Promise<string> {
  cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'cognito-session', ChallengeParameters: {} });
  const response = await post('sign-in', '/auth/sign-in', { email: EMAIL, password: PASSWORD });
  return (response.body as { session: string }).session;
}

const TOO_SHORT = "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must have length greater than or equal to 6";
const SPACES = "1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$";
const proposed = (message: string) => message.replace("'password'", "'proposedPassword'");

/** Each route that sets a password, with the Cognito call that does it. */
const passwordRoutes = [
  {
    route: 'POST /auth/sign-up',
    mock: () => cognito.on(SignUpCommand),
    call: (password: string) => post('sign-up', '/auth/sign-up', { email: EMAIL, password }),
    message: (text: string) => text,
  },
  {
    route: 'POST /auth/reset-password',
    mock: () => cognito.on(ConfirmForgotPasswordCommand),
    call: (password: string) => post('reset-password', '/auth/reset-password', { email: EMAIL, code: '123456', newPassword: password }),
    message: (text: string) => text,
  },
  {
    route: 'POST /me/change-password',
    mock: () => cognito.on(ChangePasswordCommand),
    call: (password: string) => changePassword({ currentPassword: PASSWORD, newPassword: password }),
    message: proposed,
  },
  {
    route: 'POST /auth/respond-to-challenge',
    mock: () => cognito.on(RespondToAuthChallengeCommand),
    call: async (password: string) => post('respond-to-challenge', '/auth/respond-to-challenge', { email: EMAIL, session: await newPasswordSession(), newPassword: password }),
    message: (text: string) => text.replace("'password'", "'challengeResponses.NEW_PASSWORD'"),
  },
];

describe('passwords Cognito refuses before its policy, or for its history', () => {
  describe.each(passwordRoutes)('$route', ({ mock, call, message }) => {
    it.each([
      ['too short for Cognito', TOO_SHORT, 'The password does not satisfy the password policy: it is too short.'],
      ['with a leading space', SPACES, 'The password must not begin or end with a space.'],
    ])('answers 400 InvalidPassword for a password %s', async (_case, cognitoMessage, ours) => {
      mock().rejects(exception(InvalidParameterException, message(cognitoMessage)));
      const response = await call(' Short1!');
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'InvalidPassword', message: ours } });
    });

    it('answers 400 InvalidPassword for a password used recently', async () => {
      mock().rejects(exception(PasswordHistoryPolicyViolationException, 'The password does not meet password history requirements'));
      const response = await call(PASSWORD);
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'InvalidPassword', message: expect.stringMatching(/used recently/) } });
    });
  });

  it('keeps 400 ValidationFailed for an invalid parameter that is not the password', async () => {
    cognito.on(SignUpCommand).rejects(exception(InvalidParameterException, 'Invalid email address format.'));
    const response = await post('sign-up', '/auth/sign-up', { email: EMAIL, password: PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });

  it('answers 401 InvalidCredentials when Cognito refuses the current password at change-password', async () => {
    cognito.on(ChangePasswordCommand).rejects(exception(InvalidParameterException, TOO_SHORT.replace("'password'", "'previousPassword'")));
    const response = await changePassword({ currentPassword: ' old', newPassword: PASSWORD });
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'InvalidCredentials' } });
  });
});

describe('sign-in of an account whose password must be reset', () => {
  it('answers the same 401 InvalidCredentials as a wrong password, byte for byte', async () => {
    cognito.on(InitiateAuthCommand).rejects(exception(NotAuthorizedException, 'Incorrect username or password.'));
    const wrongPassword = await post('sign-in', '/auth/sign-in', { email: EMAIL, password: PASSWORD });
    cognito.on(InitiateAuthCommand).rejects(exception(PasswordResetRequiredException, 'Password reset required for the user'));
    const resetRequired = await post('sign-in', '/auth/sign-in', { email: EMAIL, password: PASSWORD });
    expect(resetRequired.statusCode).toBe(401);
    const { requestId: _a, ...wrong } = (wrongPassword.body as { error: Record<string, unknown> }).error;
    const { requestId: _b, ...reset } = (resetRequired.body as { error: Record<string, unknown> }).error;
    expect(reset).toEqual(wrong);
    expect(reset).toMatchObject({ code: 'InvalidCredentials' });
  });
});

describe("the end user's address (UserContextData.IpAddress)", () => {
  it.each([
    {
      route: 'sign-up',
      Command: SignUpCommand,
      answer: { UserSub: 'sub-1', UserConfirmed: false },
      call: () => post('sign-up', '/auth/sign-up', { email: EMAIL, password: PASSWORD }, USER_IP),
    },
    { route: 'confirm-sign-up', Command: ConfirmSignUpCommand, answer: {}, call: () => post('confirm-sign-up', '/auth/confirm-sign-up', { email: EMAIL, code: '123456' }, USER_IP) },
    { route: 'resend-confirmation', Command: ResendConfirmationCodeCommand, answer: {}, call: () => post('resend-confirmation', '/auth/resend-confirmation', { email: EMAIL }, USER_IP) },
    { route: 'sign-in', Command: InitiateAuthCommand, answer: { AuthenticationResult: TOKENS }, call: () => post('sign-in', '/auth/sign-in', { email: EMAIL, password: PASSWORD }, USER_IP) },
    { route: 'refresh', Command: InitiateAuthCommand, answer: { AuthenticationResult: TOKENS }, call: () => post('refresh-tokens', '/auth/refresh', { refreshToken: 'refresh' }, USER_IP) },
    { route: 'forgot-password', Command: ForgotPasswordCommand, answer: {}, call: () => post('forgot-password', '/auth/forgot-password', { email: EMAIL }, USER_IP) },
    {
      route: 'reset-password',
      Command: ConfirmForgotPasswordCommand,
      answer: {},
      call: () => post('reset-password', '/auth/reset-password', { email: EMAIL, code: '123456', newPassword: PASSWORD }, USER_IP),
    },
    {
      route: 'respond-to-challenge',
      Command: RespondToAuthChallengeCommand,
      answer: { AuthenticationResult: TOKENS },
      call: async () => post('respond-to-challenge', '/auth/respond-to-challenge', { email: EMAIL, session: await newPasswordSession(), newPassword: PASSWORD }, USER_IP),
    },
  ] as const)('is passed to Cognito by $route', async ({ Command, answer, call }) => {
    cognito.on(Command as typeof SignUpCommand).resolves(answer as never);
    const response = await call();
    expect(response.statusCode).toBeLessThan(300);
    const calls = cognito.commandCalls(Command as typeof SignUpCommand);
    expect(calls.at(-1)!.args[0].input).toMatchObject({ UserContextData: { IpAddress: USER_IP } });
  });
});
