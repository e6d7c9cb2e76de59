/**
 * Sign-up, confirmation, resend, forgot and reset password: every answer of the contract, through
 * the handlers against the Cognito emulator.
 */
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newEmail, OTHER_PASSWORD, PASSWORD, startAuthHarness, WEAK_PASSWORD, withoutRequestId, type AuthHarness } from './auth-harness.js';

const HOUR = 60 * 60 * 1000;

let h: AuthHarness;
beforeAll(async () => {
  h = await startAuthHarness();
});
afterAll(async () => h?.stop());
afterEach(() => h.resetClock());

const signUp = (body: unknown) => h.post(h.handlers.signUp, '/auth/sign-up', body);
const confirm = (body: unknown) => h.post(h.handlers.confirmSignUp, '/auth/confirm-sign-up', body);
const resend = (body: unknown) => h.post(h.handlers.resendConfirmation, '/auth/resend-confirmation', body);
const forgot = (body: unknown) => h.post(h.handlers.forgotPassword, '/auth/forgot-password', body);
const reset = (body: unknown) => h.post(h.handlers.resetPassword, '/auth/reset-password', body);
const signIn = (email: string, password: string) => h.post(h.handlers.signIn, '/auth/sign-in', { email, password });

describe('POST /auth/sign-up', () => {
  it('creates an unconfirmed account, with its name, and emails a code', async () => {
    const email = newEmail();
    const response = await signUp({ email, password: PASSWORD, name: 'Ada' });
    expect(response.statusCode).toBe(201);
    expect(response.body).toEqual({ userId: expect.any(String), email, confirmed: false });
    const { userId } = response.body as { userId: string };
    const user = await h.sdk.send(new AdminGetUserCommand({ UserPoolId: h.cognito.userPoolId, Username: userId }));
    expect(user.UserStatus).toBe('UNCONFIRMED');
    expect(user.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'name', Value: 'Ada' }, { Name: 'email', Value: email }]));
    expect(h.lastCodeTo(email)).toMatch(/^\d{6}$/);
  });

  it.each([
    { name: 'an email taken already', body: (taken: string) => ({ email: taken, password: PASSWORD }), status: 409, code: 'UserExists' },
    { name: 'the same email in other letters', body: (taken: string) => ({ email: taken.toUpperCase(), password: PASSWORD }), status: 409, code: 'UserExists' },
    { name: 'a password the policy refuses', body: () => ({ email: newEmail(), password: WEAK_PASSWORD }), status: 400, code: 'InvalidPassword' },
    { name: 'an invalid email', body: () => ({ email: 'not-an-email', password: PASSWORD }), status: 400, code: 'ValidationFailed' },
    { name: 'an unknown field', body: () => ({ email: newEmail(), password: PASSWORD, admin: true }), status: 400, code: 'ValidationFailed' },
  ])('refuses $name with $status $code', async ({ body, status, code }) => {
    const taken = newEmail();
    expect((await signUp({ email: taken, password: PASSWORD })).statusCode).toBe(201);
    const response = await signUp(body(taken));
    expect(response.statusCode).toBe(status);
    expect(response.body).toMatchObject({ error: { code, requestId: expect.any(String) } });
  });

  it('explains the password policy in the InvalidPassword message', async () => {
    const response = await signUp({ email: newEmail(), password: WEAK_PASSWORD });
    expect((response.body as { error: { message: string } }).error.message).toMatch(/polic/i);
  });
});

describe('POST /auth/confirm-sign-up', () => {
  it('confirms with the emailed code (204), after which the user can sign in', async () => {
    const email = newEmail();
    await signUp({ email, password: PASSWORD });
    expect((await signIn(email, PASSWORD)).statusCode).toBe(403);
    const response = await confirm({ email, code: h.lastCodeTo(email) });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBeUndefined();
    expect((await signIn(email, PASSWORD)).statusCode).toBe(200);
  });

  it('answers 400 CodeMismatch for a wrong code, and for an unknown email alike', async () => {
    const email = newEmail();
    await signUp({ email, password: PASSWORD });
    const wrong = h.lastCodeTo(email) === '000000' ? '111111' : '000000';
    for (const body of [{ email, code: wrong }, { email: newEmail('nobody'), code: '123456' }]) {
      const response = await confirm(body);
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'CodeMismatch' } });
    }
  });

  it('answers 400 CodeExpired for a code older than 24 hours', async () => {
    const email = newEmail();
    await signUp({ email, password: PASSWORD });
    h.moveClock(25 * HOUR);
    const response = await confirm({ email, code: h.lastCodeTo(email) });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'CodeExpired' } });
  });

  it('answers a confirmed account exactly as an unknown email: 400 CodeMismatch, byte for byte', async () => {
    const user = await h.confirmedUser();
    const confirmedAlready = await confirm({ email: user.email, code: '123456' });
    const unknown = await confirm({ email: newEmail('nobody'), code: '123456' });
    expect(confirmedAlready.statusCode).toBe(400);
    expect(confirmedAlready.body).toMatchObject({ error: { code: 'CodeMismatch' } });
    expect(withoutRequestId(confirmedAlready.body)).toBe(withoutRequestId(unknown.body));
  });
});

describe('POST /auth/resend-confirmation', () => {
  it('emails a new code that confirms the account', async () => {
    const email = newEmail();
    await signUp({ email, password: PASSWORD });
    const first = h.lastCodeTo(email);
    const response = await resend({ email });
    expect(response.statusCode).toBe(202);
    const second = h.lastCodeTo(email);
    expect(h.emails.filter((sent) => sent.to === email)).toHaveLength(2);
    if (second !== first) expect((await confirm({ email, code: first })).statusCode).toBe(400);
    expect((await confirm({ email, code: second })).statusCode).toBe(204);
  });

  it('answers the same 202 for an unknown email and a confirmed account, sending nothing', async () => {
    const confirmed = await h.confirmedUser();
    const sentBefore = h.emails.length;
    const answers = [await resend({ email: newEmail('nobody') }), await resend({ email: confirmed.email })];
    for (const response of answers) {
      expect(response.statusCode).toBe(202);
      expect(response.body).toBeUndefined();
    }
    expect(h.emails.length).toBe(sentBefore);
  });
});

describe('POST /auth/forgot-password and /auth/reset-password', () => {
  it('emails a reset code; the new password works, the old one no longer does', async () => {
    const user = await h.confirmedUser();
    const response = await forgot({ email: user.email });
    expect(response.statusCode).toBe(202);
    const code = h.lastCodeTo(user.email);
    const resetResponse = await reset({ email: user.email, code, newPassword: OTHER_PASSWORD });
    expect(resetResponse.statusCode).toBe(204);
    expect((await signIn(user.email, OTHER_PASSWORD)).statusCode).toBe(200);
    expect((await signIn(user.email, PASSWORD)).statusCode).toBe(401);
  });

  it('answers 202 for an unknown email too, sending nothing', async () => {
    const sentBefore = h.emails.length;
    const response = await forgot({ email: newEmail('nobody') });
    expect(response.statusCode).toBe(202);
    expect(h.emails.length).toBe(sentBefore);
  });

  it('refuses a wrong code (CodeMismatch), an unknown email alike, an old code (CodeExpired) and a weak password (InvalidPassword)', async () => {
    const user = await h.confirmedUser();
    await forgot({ email: user.email });
    const code = h.lastCodeTo(user.email);
    const wrong = code === '000000' ? '111111' : '000000';
    const cases = [
      { body: { email: user.email, code: wrong, newPassword: OTHER_PASSWORD }, status: 400, errorCode: 'CodeMismatch' },
      { body: { email: newEmail('nobody'), code, newPassword: OTHER_PASSWORD }, status: 400, errorCode: 'CodeMismatch' },
      { body: { email: user.email, code, newPassword: WEAK_PASSWORD }, status: 400, errorCode: 'InvalidPassword' },
    ];
    for (const { body, status, errorCode } of cases) {
      const response = await reset(body);
      expect(response.statusCode, errorCode).toBe(status);
      expect(response.body).toMatchObject({ error: { code: errorCode } });
    }
    h.moveClock(2 * HOUR);
    const expired = await reset({ email: user.email, code, newPassword: OTHER_PASSWORD });
    expect(expired.statusCode).toBe(400);
    expect(expired.body).toMatchObject({ error: { code: 'CodeExpired' } });
    h.resetClock();
    expect((await signIn(user.email, PASSWORD)).statusCode).toBe(200);
  });

  it('does not let a sign-up code reset a password', async () => {
    const email = newEmail();
    await signUp({ email, password: PASSWORD });
    const response = await reset({ email, code: h.lastCodeTo(email), newPassword: OTHER_PASSWORD });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'CodeMismatch' } });
  });
});

describe("the end user's address", () => {
  it('goes to the Cognito emulator on every public flow, which accepts it', async () => {
    const from = '203.0.113.7';
    const email = newEmail('context');
    expect((await h.post(h.handlers.signUp, '/auth/sign-up', { email, password: PASSWORD }, from)).statusCode).toBe(201);
    expect((await h.post(h.handlers.resendConfirmation, '/auth/resend-confirmation', { email }, from)).statusCode).toBe(202);
    expect((await h.post(h.handlers.confirmSignUp, '/auth/confirm-sign-up', { email, code: h.lastCodeTo(email) }, from)).statusCode).toBe(204);
    const signedIn = await h.post(h.handlers.signIn, '/auth/sign-in', { email, password: PASSWORD }, from);
    expect(signedIn.statusCode).toBe(200);
    const { refreshToken } = signedIn.body as { refreshToken: string };
    expect((await h.post(h.handlers.refresh, '/auth/refresh', { refreshToken }, from)).statusCode).toBe(200);
    expect((await h.post(h.handlers.forgotPassword, '/auth/forgot-password', { email }, from)).statusCode).toBe(202);
    const reset = await h.post(h.handlers.resetPassword, '/auth/reset-password', { email, code: h.lastCodeTo(email), newPassword: OTHER_PASSWORD }, from);
    expect(reset.statusCode).toBe(204);
    expect((await signIn(email, OTHER_PASSWORD)).statusCode).toBe(200);
  });
});
