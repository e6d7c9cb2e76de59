/**
 * Cognito post-confirmation trigger: creates the confirmed user's profile record. Cognito waits for
 * it and fails the confirmation call when it throws, so it does one idempotent write and nothing
 * else; a password-reset confirmation (the same trigger) creates nothing.
 */
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { createProfile } from '../core/auth/profile.js';
import { systemClock } from '../core/clock.js';
import { logger } from '../shared/logger.js';
import { profileStore } from './auth-wiring.js';

const profiles = profileStore();

export async function handler(event: PostConfirmationTriggerEvent): Promise<PostConfirmationTriggerEvent> {
  if (event.triggerSource !== 'PostConfirmation_ConfirmSignUp') return event;
  const attributes = event.request.userAttributes;
  const userId = attributes.sub ?? event.userName;
  await createProfile(profiles, { userId, email: attributes.email ?? '', name: attributes.name }, systemClock);
  logger.info('profile created', { userId });
  return event;
}
