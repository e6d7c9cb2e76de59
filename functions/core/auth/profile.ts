/**
 * The profile record every confirmed user gets in the single table, created by the
 * post-confirmation trigger. It holds what other features show about a user (the name) without
 * a call to the identity provider.
 */
import type { Clock } from '../clock.js';
import type { ProfileStore } from './ports.js';

export type ConfirmedUser = { userId: string; email: string; name?: string };

/** Safe to run twice for the same user (Cognito retries a trigger that timed out). */
export async function createProfile(profiles: ProfileStore, user: ConfirmedUser, clock: Clock): Promise<void> {
  await profiles.create({
    userId: user.userId,
    email: user.email,
    ...(user.name ? { name: user.name } : {}),
    createdAt: clock.now().toISOString(),
  });
}
