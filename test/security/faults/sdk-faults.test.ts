/**
 * The AWS answers no emulator gives on demand, mocked with aws-sdk-client-mock and sent through
 * the real handlers (their whole middleware stack):
 *
 * - a conditional write that never wins (another writer always first): retried without If-Match,
 *   then 409 Conflict; with If-Match, 412 at once; an id collision on create, 409;
 * - every reason DynamoDB gives for cancelling a batch's transaction, each mapped to the
 *   contract's answer (409 TransactionCanceled naming the operations, or 429 when DynamoDB
 *   throttled it, or the opaque 500 for a reason that is nobody's doing but AWS's);
 * - SNS failing while the push platform's custom resource runs: the deploy step fails (it is
 *   retried by CloudFormation) without the platform's credential in the error or the logs.
 *
 * Throttling, failures and dropped connections on every route are in
 * test/security/http/aws-faults.test.ts (on the wire, SDK retries included).
 */
import { randomUUID } from 'node:crypto';
import { CreatePlatformApplicationCommand, SNSClient, ThrottledException } from '@aws-sdk/client-sns';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, DeleteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, vi } from 'vitest';
import backend from '../../../lambase.config.js';
import { toItem } from '../../../functions/core/documents/document-item.js';
import { callHttp, type HttpResponse } from '../../fixtures/lambda.js';
import { testIn } from '../harness/security-test.js';

const it = testIn('aws-faults');
const table = mockClient(DynamoDBDocumentClient);
afterEach(() => table.reset());
afterAll(() => table.restore());

const owner = `owner-${randomUUID()}`;
const claims = { sub: owner, token_use: 'access', username: owner };
const notes = backend.collections.notes!;

/** A note of the owner's at version 1, as GetItem returns it. */
function storedNote(id = randomUUID()) {
  const now = new Date().toISOString();
  return toItem(notes, { id, owner, createdAt: now, updatedAt: now, version: 1 }, { title: 'kept', pinned: false });
}

const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function expectContractError(response: HttpResponse, status: number, code: string) {
  expect(response.statusCode, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ error: { code, requestId: expect.any(String) } });
  expect(JSON.stringify(response.body)).not.toMatch(/Exception|\$metadata|arn:aws/);
}

describe('a conditional write that never wins', () => {
  const writes = [
    ['PATCH', () => import('../../../functions/data/update-document.js'), PutCommand, { title: 'changed' }],
    ['PUT', () => import('../../../functions/data/replace-document.js'), PutCommand, { title: 'changed' }],
    ['DELETE', () => import('../../../functions/data/delete-document.js'), DeleteCommand, undefined],
  ] as const;

  it.for(writes)('%s without If-Match is retried, then 409 Conflict', async ([method, load, write, json], { tally }) => {
    const Command = write as typeof PutCommand;
    const { handler } = await load();
    const note = storedNote();
    table.on(GetCommand).resolves({ Item: note });
    table.on(Command).rejects(conditionFailed());
    const response = await callHttp(handler, { method, path: `/data/notes/${note.id}`, routeKey: `${method} /data/{collection}/{id}`, pathParameters: { collection: 'notes', id: note.id }, json, claims });
    tally.status(response.statusCode);
    expectContractError(response, 409, 'Conflict');
    // Each attempt reads the document again and writes conditionally on what it read.
    expect(table.commandCalls(Command).length).toBeGreaterThan(1);
    expect(table.commandCalls(GetCommand).length).toBe(table.commandCalls(Command).length);
  });

  it.for(writes)('%s with If-Match is 412 PreconditionFailed at once', async ([method, load, write, json], { tally }) => {
    const Command = write as typeof PutCommand;
    const { handler } = await load();
    const note = storedNote();
    table.on(GetCommand).resolves({ Item: note });
    table.on(Command).rejects(conditionFailed());
    const response = await callHttp(handler, {
      method,
      path: `/data/notes/${note.id}`,
      routeKey: `${method} /data/{collection}/{id}`,
      pathParameters: { collection: 'notes', id: note.id },
      headers: { 'if-match': '"1"' },
      json,
      claims,
    });
    tally.status(response.statusCode);
    expectContractError(response, 412, 'PreconditionFailed');
    expect(table.commandCalls(Command)).toHaveLength(1);
  });

  it('POST /data/notes whose new id is taken: 409 Conflict', async ({ tally }) => {
    const { handler } = await import('../../../functions/data/create-document.js');
    table.on(PutCommand).rejects(conditionFailed());
    const response = await callHttp(handler, { method: 'POST', path: '/data/notes', routeKey: 'POST /data/{collection}', pathParameters: { collection: 'notes' }, json: { title: 'new' }, claims });
    tally.status(response.statusCode);
    expectContractError(response, 409, 'Conflict');
  });
});

describe('a batch whose transaction DynamoDB cancels', () => {
  const reasons = [
    // [the reasons, one per operation, the answer, the operations it names]
    [['None', 'ConditionalCheckFailed'], 409, 'TransactionCanceled', [{ index: 1, code: 'Conflict' }]],
    [['ConditionalCheckFailed', 'ConditionalCheckFailed'], 409, 'TransactionCanceled', [{ index: 0, code: 'Conflict' }, { index: 1, code: 'Conflict' }]],
    [['TransactionConflict', 'None'], 409, 'TransactionCanceled', [{ index: 0, code: 'Conflict', message: expect.stringContaining('retry') }]],
    [['None', 'ThrottlingError'], 429, 'TooManyRequests', undefined],
    [['ProvisionedThroughputExceeded', 'None'], 429, 'TooManyRequests', undefined],
    [['ItemCollectionSizeLimitExceeded', 'None'], 500, 'Internal', undefined],
  ] as const;

  it.for(reasons)('cancelled for %j: %s %s', async ([codes, status, code, details], { tally }) => {
    const { handler } = await import('../../../functions/data/batch-documents.js');
    const [first, second] = [storedNote(), storedNote()];
    table.on(GetCommand).callsFake(async (input: { Key: { pk: string } }) => ({ Item: input.Key.pk.endsWith(first.id) ? first : second }));
    table.on(TransactWriteCommand).rejects(
      new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) }),
    );
    const response = await callHttp(handler, {
      method: 'POST',
      path: '/data/_batch',
      routeKey: 'POST /data/_batch',
      json: { operations: [first, second].map((note) => ({ op: 'update', collection: 'notes', id: note.id, data: { title: 'changed' } })) },
      claims,
    });
    if (status === 500) {
      tally.check();
      tally.figure('opaque 500s while AWS failed', 1);
    } else {
      tally.status(response.statusCode);
    }
    expectContractError(response, status, code);
    if (details) expect((response.body as { error: { details: unknown[] } }).error.details).toEqual(details.map((detail) => expect.objectContaining(detail)));
    if (status === 500) expect(response.body).toMatchObject({ error: { message: 'Something went wrong on our side.' } });
  });
});

describe('SNS failing while the push platform\'s custom resource runs', () => {
  const sns = mockClient(SNSClient);
  const secrets = mockClient(SecretsManagerClient);
  const CREDENTIAL = `fcm-private-key-${randomUUID()}`;
  beforeEach(() => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ serviceAccountJson: JSON.stringify({ private_key: CREDENTIAL }) }) });
    sns.on(CreatePlatformApplicationCommand).rejects(new ThrottledException({ message: 'Rate exceeded', $metadata: {} }));
  });
  afterEach(() => {
    sns.reset();
    secrets.reset();
  });
  afterAll(() => {
    sns.restore();
    secrets.restore();
  });

  it('fails the deploy step, with the credential neither in the error nor in the logs', async ({ tally }) => {
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    let failure: unknown;
    try {
      const { handler } = await import('../../../functions/push/platform-application-resource.js');
      await handler({
        RequestType: 'Create',
        ResourceProperties: { ServiceToken: 'token', Platform: 'fcm', SecretName: 'lambase/push/fcm', Name: 'lambase-fcm' },
      } as unknown as CdkCustomResourceEvent);
    } catch (error) {
      failure = error;
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    tally.check();
    expect(failure).toBeInstanceOf(Error);
    expect(`${(failure as Error).message} ${(failure as Error).stack}`).not.toContain(CREDENTIAL);
    expect(written.join('')).not.toContain(CREDENTIAL);
    expect(sns.commandCalls(CreatePlatformApplicationCommand)[0]!.args[0].input.Attributes?.PlatformCredential).toContain(CREDENTIAL);
  });
});
