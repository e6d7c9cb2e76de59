/** `client.auth`: every `/auth/*` route, and the session they produce (docs/api/auth.md). */
import type { SignUpResult } from './api-types.js';
import type { Core } from './core.js';
import { LambaseError } from './errors.js';
import type { CallOptions } from './http.js';
import { sessionFrom, type AuthChangeListener, type Session, type TokenAnswer } from './session.js';

/** Sign-in needs one more step: answer it with `auth.respondToChallenge`. */
export type AuthChallenge = {
  /** `NEW_PASSWORD_REQUIRED`, `SOFTWARE_TOKEN_MFA`, `SMS_MFA`, `EMAIL_OTP`… */
  name: string;
  /** Cognito's handle on this sign-in attempt. */
  session: string;
  email: string;
};

/** Signed in (`session`), or one more step to go (`challenge`). */
export type AuthResult = { session: Session; challenge?: undefined } | { challenge: AuthChallenge; session?: undefined };

type Credentials = { email: string; password: string };

export type AuthService = ReturnType<typeof createAuth>;

/**
 * The auth service of a hand-composed client (`client.auth` on a full one).
 *
 * @example
 * const auth = createAuth(createCore({ url }));
 */
export function createAuth(core: Core) {
  const { http } = core;
  const { session } = http;
  const post = <T>(path: string, body: unknown, options?: CallOptions) => http.request<T>({ method: 'POST', path, body, auth: 'none', ...options });

  async function signedIn(email: string, answer: TokenAnswer | { challenge: string; session: string }): Promise<AuthResult> {
    if ('challenge' in answer) return { challenge: { name: answer.challenge, session: answer.session, email } };
    const next = sessionFrom(answer, Date.now());
    await session.set(next, 'SIGNED_IN');
    return { session: next };
  }

  return {
    /**
     * Creates an account; a confirmation code is emailed (locally: `GET /_local/outbox`).
     *
     * @example
     * await client.auth.signUp({ email: 'ada@example.com', password: 'Correct-Horse-9-Battery', name: 'Ada' });
     */
    signUp: (input: Credentials & { name?: string }, options?: CallOptions) => post<SignUpResult>('/auth/sign-up', input, options),

    /**
     * Confirms an account with the emailed code (`CodeMismatch` / `CodeExpired` otherwise).
     *
     * @example
     * await client.auth.confirmSignUp({ email, code: '123456' });
     */
    confirmSignUp: (input: { email: string; code: string }, options?: CallOptions) => post<void>('/auth/confirm-sign-up', input, options),

    /**
     * Emails a new confirmation code (answers alike whether or not the account exists).
     *
     * @example
     * await client.auth.resendConfirmation({ email });
     */
    resendConfirmation: (input: { email: string }, options?: CallOptions) => post<void>('/auth/resend-confirmation', input, options),

    /**
     * Signs in and keeps the session (`SIGNED_IN`), or returns the challenge to answer.
     *
     * @example
     * const { session, challenge } = await client.auth.signIn({ email, password });
     * if (challenge) await client.auth.respondToChallenge(challenge, { newPassword });
     */
    async signIn(input: Credentials, options?: CallOptions): Promise<AuthResult> {
      return signedIn(input.email, await post('/auth/sign-in', input, options));
    },

    /**
     * Answers a sign-in challenge: a new password (`NEW_PASSWORD_REQUIRED`) or an MFA code.
     *
     * @example
     * const result = await client.auth.respondToChallenge(challenge, { code: '123456' });
     */
    async respondToChallenge(challenge: AuthChallenge, answer: { newPassword: string } | { code: string }, options?: CallOptions): Promise<AuthResult> {
      const body = { email: challenge.email, session: challenge.session, ...answer };
      return signedIn(challenge.email, await post('/auth/respond-to-challenge', body, options));
    },

    /**
     * Emails a password-reset code (always succeeds: no account enumeration).
     *
     * @example
     * await client.auth.forgotPassword({ email });
     */
    forgotPassword: (input: { email: string }, options?: CallOptions) => post<void>('/auth/forgot-password', input, options),

    /**
     * Sets a new password with the emailed reset code.
     *
     * @example
     * await client.auth.resetPassword({ email, code, newPassword });
     */
    resetPassword: (input: { email: string; code: string; newPassword: string }, options?: CallOptions) =>
      post<void>('/auth/reset-password', input, options),

    /**
     * Refreshes the access token now (it is also refreshed by itself before it expires).
     * Resolves to null, and signs out, when the refresh token is no longer accepted.
     *
     * @example
     * const session = await client.auth.refresh();
     */
    refresh: (): Promise<Session | null> => session.refresh(),

    /**
     * Signs out everywhere (the server revokes the refresh tokens) and forgets the session.
     * The session is forgotten even when the server cannot be told; the call then rejects.
     *
     * @example
     * await client.auth.signOut();
     */
    async signOut(options?: CallOptions): Promise<void> {
      try {
        if (await session.load()) await http.request<void>({ method: 'POST', path: '/auth/sign-out', auth: 'required', idempotent: true, ...options });
      } catch (error) {
        // Already refused: the session was over anyway.
        if (!(error instanceof LambaseError && error.status === 401)) throw error;
      } finally {
        await session.set(null, 'SIGNED_OUT');
      }
    },

    /**
     * The current session (its access token refreshed first if it is about to expire), or null.
     *
     * @example
     * const user = (await client.auth.getSession())?.user;
     */
    getSession: (): Promise<Session | null> => session.get(),

    /**
     * Listens to sign-in, sign-out and token refreshes; hears `INITIAL_SESSION` first.
     *
     * @example
     * const stop = client.auth.onAuthStateChange((event, session) => render(session?.user));
     * stop();
     */
    onAuthStateChange: (listener: AuthChangeListener): (() => void) => session.listen(listener),
  };
}
