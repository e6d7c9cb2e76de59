/**
 * What the Cognito emulator cannot play: a TOTP (SOFTWARE_TOKEN_MFA) challenge, throttling and
 * service faults. The SDK client is mocked (aws-sdk-client-mock); the handlers run through their
 * full middleware chain.
 */
import {
  CodeMismatchException,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  InternalErrorException,
  ForgotPasswordCommand,
  LimitExceededException,
  RespondToAuthChallengeCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callHttp } from '../../fixtures/lambda.js';

const cognito = mockClient(CognitoIdentityProviderClient);
const CLIENT_ID = 'abcdefghijklmnopqrstuvwxyz';

type Handlers = {
  signIn: Parameters<typeof callHttp>[0];
  respond: Parameters<typeof callHttp>[0];
  forgot: Parameters<typeof callHttp>[0];
};
let handlers: Handlers;

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
  };
});

afterEach(() => cognito.reset());

const post = (handler: Parameters<typeof callHttp>[0], path: string, json: unknown) =>
  callHttp(handler, { method: 'POST', path, routeKey: `POST ${path}`, json });

const exception = <T>(Type: new (options: { message: string; $metadata: object }) => T, message = 'from Cognito') =>
  new Type({ message, $metadata: {} });

describe('TOTP multi-factor sign-in', () => {
  it('answers { challenge, session } at sign-in, then tokens for the right code', async () => {
    cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: 'session-1', ChallengeParameters: {} });
    const challenged = await post(handlers.signIn, '/auth/sign-in', { email: 'mfa@example.com', password: 'Correct-Horse-9-Battery' });
    expect(challenged.statusCode).toBe(200);
    expect(challenged.body).toEqual({ challenge: 'SOFTWARE_TOKEN_MFA', session: 'session-1' });

    cognito.on(RespondToAuthChallengeCommand).resolves({
      AuthenticationResult: { AccessToken: 'access', IdToken: 'id', RefreshToken: 'refresh', ExpiresIn: 3600, TokenType: 'Bearer' },
    });
    const response = await post(handlers.respond, '/auth/respond-to-challenge', { email: 'mfa@example.com', session: 'session-1', code: '123456' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ accessToken: 'access', idToken: 'id', refreshToken: 'refresh', expiresIn: 3600, tokenType: 'Bearer' });
    expect(cognito.commandCalls(RespondToAuthChallengeCommand)[0]!.args[0].input).toEqual({
      ClientId: CLIENT_ID,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: 'session-1',
      ChallengeResponses: { USERNAME: 'mfa@example.com', SOFTWARE_TOKEN_MFA_CODE: '123456' },
    });
  });

  it('answers 400 CodeMismatch for a wrong code', async () => {
    cognito.on(RespondToAuthChallengeCommand).rejects(exception(CodeMismatchException));
    const response = await post(handlers.respond, '/auth/respond-to-challenge', { email: 'mfa@example.com', session: 'session-1', code: '000000' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'CodeMismatch' } });
  });
});

describe('Cognito throttling and faults', () => {
  it('turn throttling into 429 TooManyRequests, even where every other failure is hidden', async () => {
    cognito.on(InitiateAuthCommand).rejects(exception(TooManyRequestsException, 'Rate exceeded'));
    const signIn = await post(handlers.signIn, '/auth/sign-in', { email: 'busy@example.com', password: 'Correct-Horse-9-Battery' });
    expect(signIn.statusCode).toBe(429);
    expect(signIn.body).toMatchObject({ error: { code: 'TooManyRequests' } });

    cognito.on(ForgotPasswordCommand).rejects(exception(LimitExceededException, 'Attempt limit exceeded'));
    const forgot = await post(handlers.forgot, '/auth/forgot-password', { email: 'busy@example.com' });
    expect(forgot.statusCode).toBe(429);
  });

  it('answer a service fault with a generic 500 that says nothing of Cognito', async () => {
    cognito.on(InitiateAuthCommand).rejects(exception(InternalErrorException, 'cognito-idp internal failure at shard 7'));
    const response = await post(handlers.signIn, '/auth/sign-in', { email: 'fault@example.com', password: 'Correct-Horse-9-Battery' });
    expect(response.statusCode).toBe(500);
    expect(response.body).toMatchObject({ error: { code: 'Internal', message: 'Something went wrong on our side.' } });
    expect(JSON.stringify(response.body)).not.toMatch(/cognito|shard/i);
  });
});
