/**
 * Each execution environment builds each AWS SDK client once, however many adapters use it: a
 * client holds connections and credentials, and building another costs cold-start time. The
 * handler modules are loaded fresh for each test (a new environment), and every client the SDK
 * constructs is counted.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, expect, it, vi } from 'vitest';
import { callHttp } from '../fixtures/lambda.js';

const { built, counted } = vi.hoisted(() => {
  const built = { dynamodb: 0, s3: 0, cognito: 0, sns: 0 };
  /** `Client` itself, but each construction counts under `name`. */
  const counted = <C extends new (...args: never) => object>(Client: C, name: keyof typeof built): C =>
    new Proxy(Client, {
      construct(target, args, newTarget) {
        built[name] += 1;
        return Reflect.construct(target, args, newTarget) as object;
      },
    });
  return { built, counted };
});

vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-dynamodb')>();
  return { ...sdk, DynamoDBClient: counted(sdk.DynamoDBClient, 'dynamodb') };
});
vi.mock('@aws-sdk/client-s3', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-s3')>();
  return { ...sdk, S3Client: counted(sdk.S3Client, 's3') };
});
vi.mock('@aws-sdk/client-sns', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-sns')>();
  return { ...sdk, SNSClient: counted(sdk.SNSClient, 'sns') };
});
vi.mock('@aws-sdk/client-cognito-identity-provider', async (importOriginal) => {
  const sdk = await importOriginal<typeof import('@aws-sdk/client-cognito-identity-provider')>();
  return { ...sdk, CognitoIdentityProviderClient: counted(sdk.CognitoIdentityProviderClient, 'cognito') };
});

const user = { sub: `clients-${randomUUID()}`, token_use: 'access' };

beforeEach(() => {
  vi.resetModules();
  Object.assign(built, { dynamodb: 0, s3: 0, cognito: 0, sns: 0 });
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
  expect(built).toEqual({ dynamodb: 1, s3: 0, cognito: 0, sns: 0 });
});

it('DELETE /me erases documents, files, push data and the profile through one client per service', async () => {
  const { handler } = await import('../../functions/auth/delete-me.js');
  const response = await callHttp(handler, { method: 'DELETE', path: '/me', routeKey: 'DELETE /me', claims: user });
  expect(response.statusCode).toBe(204);
  expect(built).toEqual({ dynamodb: 1, s3: 1, cognito: 1, sns: 1 });
});
