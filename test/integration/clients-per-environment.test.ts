/**
 * Each execution environment builds each AWS SDK client once, however many adapters use it: a
 * client holds connections and credentials, and building another costs cold-start time. The
 * handler modules are loaded fresh for each test (a new environment), and every client the SDK
 * constructs is counted.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it, vi } from 'vitest';
import { callHttp } from '../fixtures/lambda.js';

const built = vi.hoisted(() => ({ dynamodb: 0, s3: 0, cognito: 0 }));

vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-dynamodb')>();
  class CountedDynamoDBClient extends sdk.DynamoDBClient {
    constructor(...args: ConstructorParameters<typeof sdk.DynamoDBClient>) {
      super(...args);
      built.dynamodb += 1;
    }
  }
  return { ...sdk, DynamoDBClient: CountedDynamoDBClient };
});

vi.mock('@aws-sdk/client-s3', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-s3')>();
  class CountedS3Client extends sdk.S3Client {
    constructor(...args: ConstructorParameters<typeof sdk.S3Client>) {
      super(...args);
      built.s3 += 1;
    }
  }
  return { ...sdk, S3Client: CountedS3Client };
});

vi.mock('@aws-sdk/client-cognito-identity-provider', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-cognito-identity-provider')>();
  class CountedCognitoClient extends sdk.CognitoIdentityProviderClient {
    constructor(...args: ConstructorParameters<typeof sdk.CognitoIdentityProviderClient>) {
      super(...args);
      built.cognito += 1;
    }
  }
  return { ...sdk, CognitoIdentityProviderClient: CountedCognitoClient };
});

const user = { sub: `clients-${randomUUID()}`, token_use: 'access' };

beforeEach(() => {
  vi.resetModules();
  Object.assign(built, { dynamodb: 0, s3: 0, cognito: 0 });
});

it('a create with an Idempotency-Key writes the document and its idempotency record through one DynamoDB client', async () => {
  const { handler } = await import('../../functions/data/create-document.js');
  const create = () =>
    callHttp(handler, {
      method: 'POST',
      path: '/data/notes',
      routeKey: 'POST /data/{collection}',
      pathParameters: { collection: 'notes' },
      headers: { 'idempotency-key': randomUUID() },
      json: { title: 'counted' },
      claims: user,
    });
  expect((await create()).statusCode).toBe(201);
  expect((await create()).statusCode).toBe(201);
  expect(built).toEqual({ dynamodb: 1, s3: 0, cognito: 0 });
});

it('DELETE /me erases documents, files and the profile through one DynamoDB client, one S3 client and one Cognito client', async () => {
  const { handler } = await import('../../functions/auth/delete-me.js');
  const response = await callHttp(handler, { method: 'DELETE', path: '/me', routeKey: 'DELETE /me', claims: user });
  expect(response.statusCode).toBe(204);
  expect(built).toEqual({ dynamodb: 1, s3: 1, cognito: 1 });
});
