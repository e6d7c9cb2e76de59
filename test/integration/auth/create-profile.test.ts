/**
 * The post-confirmation trigger against DynamoDB Local: the profile record it writes, once.
 */
import { randomUUID } from 'node:crypto';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import { profileKey } from '../../../functions/adapters/dynamodb-profile-store.js';
import { handler } from '../../../functions/auth/create-profile.js';

const documents = createDocumentClient();
const profileOf = async (userId: string) =>
  (await documents.send(new GetCommand({ TableName: process.env.LAMBASE_TABLE_NAME, Key: profileKey(userId) }))).Item;

function confirmationEvent(
  userId: string,
  attributes: Record<string, string>,
  triggerSource: PostConfirmationTriggerEvent['triggerSource'] = 'PostConfirmation_ConfirmSignUp',
): PostConfirmationTriggerEvent {
  return {
    version: '1',
    region: 'us-east-1',
    userPoolId: 'us-east-1_abcdefghi',
    userName: userId,
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    triggerSource,
    request: { userAttributes: { sub: userId, email_verified: 'true', 'cognito:user_status': 'CONFIRMED', ...attributes } },
    response: {},
  };
}

describe('the post-confirmation trigger (functions/auth/create-profile.ts)', () => {
  it('creates the profile record with the name, email and creation time, and hands the event back', async () => {
    const userId = randomUUID();
    const event = confirmationEvent(userId, { email: 'ada@example.com', name: 'Ada' });
    await expect(handler(event)).resolves.toEqual(event);
    expect(await profileOf(userId)).toEqual({
      pk: `USER#${userId}`,
      sk: 'PROFILE',
      entity: 'profile',
      userId,
      email: 'ada@example.com',
      name: 'Ada',
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
  });

  it('keeps the first record when Cognito retries the trigger', async () => {
    const userId = randomUUID();
    await handler(confirmationEvent(userId, { email: 'first@example.com', name: 'First' }));
    const first = await profileOf(userId);
    await handler(confirmationEvent(userId, { email: 'first@example.com', name: 'Second' }));
    expect(await profileOf(userId)).toEqual(first);
  });

  it('creates nothing when a password reset is confirmed', async () => {
    const userId = randomUUID();
    await handler(confirmationEvent(userId, { email: 'reset@example.com' }, 'PostConfirmation_ConfirmForgotPassword'));
    expect(await profileOf(userId)).toBeUndefined();
  });
});
