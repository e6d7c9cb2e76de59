/**
 * Signing in and out: password sign-in (or a challenge), answering the challenge, refreshing and
 * revoking. The identity provider decides; these use cases keep the contract's shapes.
 *
 * The contract's respond-to-challenge body carries the answer but not the challenge's name, so the
 * `session` handed to the client is `<challenge>.<provider session>`: the answer goes back to the
 * provider under exactly the name sign-in returned, and a challenge no route can complete is
 * refused before the provider is asked.
 */
import { InvalidCredentialsError, UnauthorizedError, ValidationError } from '../errors.js';
import type { AuthFlows, ChallengeAnswer, ClientContext, RefreshedTokens, SignInOutcome } from './ports.js';

/**
 * The challenges respond-to-challenge completes, and the answer each takes. Others — MFA_SETUP
 * (enrolling an authenticator app), SELECT_MFA_TYPE, custom challenges — need routes that do not
 * exist yet.
 */
const ANSWERABLE: Readonly<Record<string, ChallengeAnswer['kind']>> = {
  NEW_PASSWORD_REQUIRED: 'newPassword',
  SOFTWARE_TOKEN_MFA: 'code',
  SMS_MFA: 'code',
  EMAIL_OTP: 'code',
};

const SESSION = /^([A-Z][A-Z0-9_]{0,63})\.(.+)$/s;

export async function signIn(flows: AuthFlows, input: { email: string; password: string }, client: ClientContext): Promise<SignInOutcome> {
  return withChallengeInSession(await flows.signIn(input.email, input.password, client));
}

export type ChallengeResponse = { email: string; session: string; newPassword?: string; code?: string };

export async function respondToChallenge(flows: AuthFlows, input: ChallengeResponse, client: ClientContext): Promise<SignInOutcome> {
  const answer = challengeAnswer(input);
  const { challenge, session } = readSession(input.session);
  const wanted = ANSWERABLE[challenge];
  if (!wanted) {
    const message = `The ${challenge} challenge cannot be completed through this API.`;
    throw new ValidationError(message, { details: [{ path: 'session', message }] });
  }
  if (wanted !== answer.kind) {
    throw new ValidationError(`The ${challenge} challenge is answered with ${wanted}.`, { details: [{ path: wanted, message: 'Required' }] });
  }
  return withChallengeInSession(await flows.respondToChallenge({ email: input.email, challenge, session, answer }, client));
}

/** The contract's body carries the answer: a new password or a code. */
export function challengeAnswer(input: Pick<ChallengeResponse, 'newPassword' | 'code'>): ChallengeAnswer {
  if (input.newPassword !== undefined) return { kind: 'newPassword', newPassword: input.newPassword };
  if (input.code !== undefined) return { kind: 'code', code: input.code };
  // The operation's schema already refuses a body with neither.
  throw new TypeError('a challenge answer needs newPassword or code');
}

export async function refresh(flows: AuthFlows, input: { refreshToken: string }, client: ClientContext): Promise<RefreshedTokens> {
  return flows.refresh(input.refreshToken, client);
}

/** Signs the caller out everywhere. Signing out a session that is already revoked is done already. */
export async function signOut(flows: AuthFlows, accessToken: string): Promise<void> {
  try {
    await flows.signOutEverywhere(accessToken);
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
}

function withChallengeInSession(outcome: SignInOutcome): SignInOutcome {
  if (!('challenge' in outcome)) return outcome;
  return { challenge: outcome.challenge, session: `${outcome.challenge}.${outcome.session}` };
}

/** A session sign-in did not hand out is no session at all: sign in again (as the provider says of an expired one). */
function readSession(session: string): { challenge: string; session: string } {
  const match = SESSION.exec(session);
  if (!match) throw new InvalidCredentialsError('The session is invalid or has expired: sign in again.');
  return { challenge: match[1]!, session: match[2]! };
}
