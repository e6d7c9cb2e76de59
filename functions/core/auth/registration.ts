/**
 * Sign-up, confirmation and password reset. The flows that email a code never reveal whether an
 * account exists: resend-confirmation and forgot-password answer the same for every email.
 */
import { ApiError, TooManyRequestsError } from '../errors.js';
import type { AuthFlows } from './ports.js';

export type SignUpInput = { email: string; password: string; name?: string };

export async function signUp(flows: AuthFlows, input: SignUpInput): Promise<{ userId: string; email: string; confirmed: boolean }> {
  const { userId, confirmed } = await flows.signUp(input);
  return { userId, email: input.email, confirmed };
}

export async function confirmSignUp(flows: AuthFlows, input: { email: string; code: string }): Promise<void> {
  await flows.confirmSignUp(input.email, input.code);
}

export async function resendConfirmation(flows: AuthFlows, input: { email: string }): Promise<void> {
  await withoutRevealingTheAccount(() => flows.resendConfirmationCode(input.email));
}

export async function forgotPassword(flows: AuthFlows, input: { email: string }): Promise<void> {
  await withoutRevealingTheAccount(() => flows.forgotPassword(input.email));
}

export async function resetPassword(flows: AuthFlows, input: { email: string; code: string; newPassword: string }): Promise<void> {
  await flows.confirmForgotPassword(input);
}

/**
 * Runs a code request whose outcome must not depend on the account: an unknown user, an account
 * already confirmed, a disabled one or one without a verified email all look like success. Only
 * throttling (which says nothing about the account) and our own failures get through.
 */
async function withoutRevealingTheAccount(request: () => Promise<void>): Promise<void> {
  try {
    await request();
  } catch (error) {
    if (error instanceof TooManyRequestsError) throw error;
    if (error instanceof ApiError && error.status < 500) return;
    throw error;
  }
}
