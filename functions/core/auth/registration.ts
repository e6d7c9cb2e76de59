/**
 * Sign-up, confirmation and password reset. The flows that email a code never reveal whether an
 * account exists: resend-confirmation and forgot-password answer the same for every email.
 */
import { ApiError, TooManyRequestsError } from '../errors.js';
import { CodeNotSentError, type AuthFlows, type ClientContext } from './ports.js';

export type SignUpInput = { email: string; password: string; name?: string };

/** Reports what an answer hides. Never pass it an email address. */
export type Warn = (message: string, details: Record<string, string>) => void;

export async function signUp(
  flows: AuthFlows,
  input: SignUpInput,
  client: ClientContext,
): Promise<{ userId: string; email: string; confirmed: boolean }> {
  const { userId, confirmed } = await flows.signUp(input, client);
  return { userId, email: input.email, confirmed };
}

export async function confirmSignUp(flows: AuthFlows, input: { email: string; code: string }, client: ClientContext): Promise<void> {
  await flows.confirmSignUp(input.email, input.code, client);
}

export async function resendConfirmation(flows: AuthFlows, input: { email: string }, client: ClientContext, warn: Warn): Promise<void> {
  await withoutRevealingTheAccount('resend-confirmation', () => flows.resendConfirmationCode(input.email, client), warn);
}

export async function forgotPassword(flows: AuthFlows, input: { email: string }, client: ClientContext, warn: Warn): Promise<void> {
  await withoutRevealingTheAccount('forgot-password', () => flows.forgotPassword(input.email, client), warn);
}

export async function resetPassword(
  flows: AuthFlows,
  input: { email: string; code: string; newPassword: string },
  client: ClientContext,
): Promise<void> {
  await flows.confirmForgotPassword(input, client);
}

/**
 * Runs a code request whose outcome must not depend on the account: an unknown user, an account
 * already confirmed, a disabled one or one without a verified email all look like success, and so
 * does a code the provider would not send for this one account (its own request limit, an address
 * that bounces) — that one is logged. Only throttling of the whole service (which says nothing
 * about the account) and our own failures get through.
 */
async function withoutRevealingTheAccount(flow: string, request: () => Promise<void>, warn: Warn): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (error instanceof CodeNotSentError) {
      warn('code not sent', { flow, reason: error.reason });
      return;
    }
    if (error instanceof TooManyRequestsError) throw error;
    if (error instanceof ApiError && error.status < 500) return;
    throw error;
  }
}
