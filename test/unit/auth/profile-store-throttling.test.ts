/**
 * DynamoDB throttling on the profile record (DynamoDB Local cannot throttle, so the document
 * client is mocked): every write is a 429 TooManyRequests, not a 500, and PATCH /me says so.
 */
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbProfileStore } from '../../../functions/adapters/dynamodb-profile-store.js';
import { TooManyRequestsError } from '../../../functions/core/errors.js';
import { callHttp } from '../../fixtures/lambda.js';

const dynamodb = mockClient(DynamoDBDocumentClient);
const cognito = mockClient(CognitoIdentityProviderClient);
const USER_ID = '11111111-2222-4333-8444-555555555555';

const throttled = () => new ProvisionedThroughputExceededException({ message: 'The level of configured provisioned throughput for the table was exceeded.', $metadata: {} });
const failed = () => Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });

beforeAll(() => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    LAMBASE_USER_POOL_ID: 'us-east-1_abcdefghi',
    LAMBASE_USER_POOL_CLIENT_ID: 'abcdefghijklmnopqrstuvwxyz',
    LAMBASE_TABLE_NAME: 'lambase-test',
  });
});

afterEach(() => {
  dynamodb.reset();
  cognito.reset();
});

describe('DynamoDbProfileStore', () => {
  const store = new DynamoDbProfileStore(DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), 'lambase-test');
  const writes = [
    ['create', PutCommand, () => store.create({ userId: USER_ID, email: 'a@example.com', createdAt: '2026-01-01T00:00:00.000Z' })],
    ['saveName', UpdateCommand, () => store.saveName(USER_ID, 'Ada', { email: 'a@example.com', createdAt: '2026-01-01T00:00:00.000Z' }, new Date())],
    ['delete', DeleteCommand, () => store.delete(USER_ID)],
  ] as const;

  it.each(writes)('%s turns throttling into TooManyRequestsError', async (_name, Command, write) => {
    dynamodb.on(Command as typeof PutCommand).rejects(throttled());
    await expect(write()).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it.each(writes)('%s leaves other failures as they are (a generic 500)', async (_name, Command, write) => {
    dynamodb.on(Command as typeof PutCommand).rejects(failed());
    await expect(write()).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});

describe('PATCH /me while the table is throttled', () => {
  it('answers 429 TooManyRequests', async () => {
    const { handler } = await import('../../../functions/auth/update-me.js');
    cognito.on(AdminUpdateUserAttributesCommand).resolves({});
    cognito.on(AdminGetUserCommand).resolves({
      Username: USER_ID,
      UserAttributes: [{ Name: 'sub', Value: USER_ID }, { Name: 'email', Value: 'a@example.com' }],
      Enabled: true,
      UserCreateDate: new Date('2026-01-01T00:00:00.000Z'),
    });
    cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
    dynamodb.on(UpdateCommand).rejects(throttled());
    const response = await callHttp(handler, {
      method: 'PATCH',
      path: '/me',
      routeKey: 'PATCH /me',
      json: { name: 'Ada' },
      claims: { sub: USER_ID, token_use: 'access' },
    });
    expect(response.statusCode).toBe(429);
    expect(response.body).toMatchObject({ error: { code: 'TooManyRequests' } });
  });
});
