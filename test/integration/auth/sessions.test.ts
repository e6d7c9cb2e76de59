/**
 * Sign-in (tokens or a challenge), respond-to-challenge, refresh and sign-out, through the
 * handlers against the Cognito emulator.
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../../../functions/adapters/access-token-verifier.js';
import { claimsOf, newEmail, OTHER_PASSWORD, PASSWORD, startAuthHarness, WEAK_PASSWORD, withoutRequestId, type AuthHarness } from './auth-harness.js';

let h: AuthHarness;
beforeAll(async () => {
  h = await startAuthHarness();
});
afterAll(async () => h?.stop());

const signIn = (body: unknown) => h.post(h.handlers.signIn, '/auth/sign-in', body);
const refresh = (refreshToken: string) => h.post(h.handlers.refresh, '/auth/refresh', { refreshToken });
const respond = (body: unknown) => h.post(h.handlers.respondToChallenge, '/auth/respond-to-challenge', body);
const signOut = (user: { accessToken: string } | undefined) =>
  h.callAs(user, h.handlers.signOut, { method: 'POST', path: '/auth/sign-out' });

/** A user an administrator created: the first sign-in must set a new password. */
async function invitedUser(): Promise<{ email: string; temporaryPassword: string }> {
  const email = newEmail('invited');
  await h.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: h.cognito.userPoolId,
      Username: email,
      TemporaryPassword: PASSWORD,
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email', Value: email }, { Name: 'email_verified', Value: 'true' }],
    }),
  );
  return { email, temporaryPassword: PASSWORD };
}

describe('POST /auth/sign-in', () => {
  it('answers tokens that the production verifier accepts as access tokens of this client', async () => {
    const user = await h.confirmedUser();
    const response = await signIn({ email: user.email, password: user.password });
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      idToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 3600,
      tokenType: 'Bearer',
    });
    const { accessToken, idToken } = response.body as { accessToken: string; idToken: string };
    const verifier = createAccessTokenVerifier({ userPoolId: h.cognito.userPoolId, clientId: h.cognito.userPoolClientId });
    await expect(verifier.verify(accessToken)).resolves.toMatchObject({ sub: user.userId, token_use: 'access' });
    expect(claimsOf(idToken)).toMatchObject({ email: user.email, token_use: 'id' });
  });

  it('signs in whatever the case of the email', async () => {
    const user = await h.confirmedUser();
    expect((await signIn({ email: user.email.toUpperCase(), password: user.password })).statusCode).toBe(200);
  });

  it('answers a wrong password and an unknown email with the same 401 InvalidCredentials, byte for byte', async () => {
    const user = await h.confirmedUser();
    const wrongPassword = await signIn({ email: user.email, password: OTHER_PASSWORD });
    const unknownUser = await signIn({ email: newEmail('nobody'), password: OTHER_PASSWORD });
    for (const response of [wrongPassword, unknownUser]) {
      expect(response.statusCode).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'InvalidCredentials' } });
    }
    expect(withoutRequestId(unknownUser.body)).toBe(withoutRequestId(wrongPassword.body));
    expect(unknownUser.headers).toEqual({ ...wrongPassword.headers, 'x-request-id': unknownUser.headers['x-request-id'] });
  });

  it('answers 403 UserNotConfirmed for the right password of an unconfirmed account', async () => {
    const email = newEmail();
    await h.post(h.handlers.signUp, '/auth/sign-up', { email, password: PASSWORD });
    const response = await signIn({ email, password: PASSWORD });
    expect(response.statusCode).toBe(403);
    expect(response.body).toMatchObject({ error: { code: 'UserNotConfirmed' } });
    // …but the wrong password of that account says nothing about it.
    expect((await signIn({ email, password: OTHER_PASSWORD })).statusCode).toBe(401);
  });

  it('answers 401 InvalidCredentials for a disabled user, and lets them in again once enabled', async () => {
    const user = await h.confirmedUser();
    await h.sdk.send(new AdminDisableUserCommand({ UserPoolId: h.cognito.userPoolId, Username: user.userId }));
    const disabled = await signIn({ email: user.email, password: user.password });
    expect(disabled.statusCode).toBe(401);
    expect(disabled.body).toMatchObject({ error: { code: 'InvalidCredentials', message: 'Incorrect email or password.' } });
    await h.sdk.send(new AdminEnableUserCommand({ UserPoolId: h.cognito.userPoolId, Username: user.userId }));
    expect((await signIn({ email: user.email, password: user.password })).statusCode).toBe(200);
  });

  it('refuses a body without a password as 400 ValidationFailed', async () => {
    const response = await signIn({ email: newEmail() });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'password' }] } });
  });
});

describe('POST /auth/respond-to-challenge', () => {
  it('completes NEW_PASSWORD_REQUIRED: sign-in answers { challenge, session }, the new password gives tokens', async () => {
    const { email, temporaryPassword } = await invitedUser();
    const challenged = await signIn({ email, password: temporaryPassword });
    expect(challenged.statusCode).toBe(200);
    expect(challenged.body).toEqual({ challenge: 'NEW_PASSWORD_REQUIRED', session: expect.any(String) });
    const { session } = challenged.body as { session: string };

    const weak = await respond({ email, session, newPassword: WEAK_PASSWORD });
    expect(weak.statusCode).toBe(400);
    expect(weak.body).toMatchObject({ error: { code: 'InvalidPassword' } });

    const response = await respond({ email, session, newPassword: OTHER_PASSWORD });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), tokenType: 'Bearer' });
    expect((await signIn({ email, password: OTHER_PASSWORD })).statusCode).toBe(200);
  });

  it('answers 401 InvalidCredentials for a session that is not the one sign-in gave', async () => {
    const { email, temporaryPassword } = await invitedUser();
    await signIn({ email, password: temporaryPassword });
    for (const session of ['not-a-session-we-handed-out', 'NEW_PASSWORD_REQUIRED.not-a-session-cognito-handed-out']) {
      const response = await respond({ email, session, newPassword: OTHER_PASSWORD });
      expect(response.statusCode, session).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'InvalidCredentials' } });
    }
  });

  it('answers 400 ValidationFailed for a code sent to NEW_PASSWORD_REQUIRED, and the session still works', async () => {
    const { email, temporaryPassword } = await invitedUser();
    const { session } = (await signIn({ email, password: temporaryPassword })).body as { session: string };
    const response = await respond({ email, session, code: '123456' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({
      error: { code: 'ValidationFailed', message: 'The NEW_PASSWORD_REQUIRED challenge is answered with newPassword.' },
    });
    expect((await respond({ email, session, newPassword: OTHER_PASSWORD })).statusCode).toBe(200);
  });

  it('wants exactly one answer: newPassword or code', async () => {
    for (const body of [
      { email: newEmail(), session: 'session' },
      { email: newEmail(), session: 'session', newPassword: OTHER_PASSWORD, code: '123456' },
    ]) {
      const response = await respond(body);
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'ValidationFailed' } });
    }
  });
});

describe('POST /auth/refresh', () => {
  it('answers new access and ID tokens for the same user', async () => {
    const user = await h.confirmedUser();
    const response = await refresh(user.refreshToken);
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.any(String), idToken: expect.any(String), expiresIn: 3600, tokenType: 'Bearer' });
    expect(claimsOf((response.body as { accessToken: string }).accessToken).sub).toBe(user.userId);
  });

  it('answers 401 for a token that is not a refresh token of this pool', async () => {
    const user = await h.confirmedUser();
    for (const token of ['garbage', user.accessToken]) {
      const response = await refresh(token);
      expect(response.statusCode).toBe(401);
      expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
    }
  });

  it('answers 401 for a disabled user', async () => {
    const user = await h.confirmedUser();
    await h.sdk.send(new AdminDisableUserCommand({ UserPoolId: h.cognito.userPoolId, Username: user.userId }));
    const response = await refresh(user.refreshToken);
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });
});

describe('POST /auth/sign-out', () => {
  it('revokes every refresh token of the user (204), and signing out again is still 204', async () => {
    const user = await h.confirmedUser();
    const otherDevice = await h.signInWithSdk(user.email, user.password);
    const response = await signOut(user);
    expect(response.statusCode).toBe(204);
    for (const token of [user.refreshToken, otherDevice.refreshToken]) {
      const refreshed = await refresh(token);
      expect(refreshed.statusCode).toBe(401);
      expect(refreshed.body).toMatchObject({ error: { code: 'Unauthorized' } });
    }
    expect((await signOut(user)).statusCode).toBe(204);
    // A new sign-in works as before.
    const again = await h.signInWithSdk(user.email, user.password);
    expect((await refresh(again.refreshToken)).statusCode).toBe(200);
  });

  it('answers 401 Unauthorized without the authorizer\'s claims', async () => {
    const response = await signOut(undefined);
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });
});
