/**
 * Signing in and out: password sign-in (or a challenge), answering the challenge, refreshing and
 * revoking. The identity provider decides; these use cases keep the contract's shapes.
 */
import { UnauthorizedError } from '../errors.js';
import type { AuthFlows, ChallengeAnswer, RefreshedTokens, SignInOutcome } from './ports.js';

export async function signIn(flows: AuthFlows, input: { email: string; password: string }): Promise<SignInOutcome> {
  return flows.signIn(input.email, input.password);
}

export type ChallengeResponse = { email: string; session: string; newPassword?: string; code?: string };

export async function respondToChallenge(flows: AuthFlows, input: ChallengeResponse): Promise<SignInOutcome> {
  return flows.respondToChallenge({ email: input.email, session: input.session, answer: challengeAnswer(input) });
}

/** The contract's body carries the answer, not the challenge's name: a new password or a code. */
export function challengeAnswer(input: Pick<ChallengeResponse, 'newPassword' | 'code'>): ChallengeAnswer {
  if (input.newPassword !== undefined) return { kind: 'newPassword', newPassword: input.newPassword };
  if (input.code !== undefined) return { kind: 'mfaCode', code: input.code };
  // The operation's schema already refuses a body with neither.
  throw new TypeError('a challenge answer needs newPassword or code');
}

export async function refresh(flows: AuthFlows, input: { refreshToken: string }): Promise<RefreshedTokens> {
  return flows.refresh(input.refreshToken);
}

/** Signs the caller out everywhere. Signing out a session that is already revoked is done already. */
export async function signOut(flows: AuthFlows, accessToken: string): Promise<void> {
  try {
    await flows.signOutEverywhere(accessToken);
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error;
  }
}
