/**
 * What DynamoDB Local cannot play: throttling. The document client is mocked
 * (aws-sdk-client-mock), S3 stays the emulator; every file-record store method, and the list, get
 * and delete routes through their full middleware chain, turn it into 429 TooManyRequests.
 */
import { ProvisionedThroughputExceededException, ThrottlingException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TooManyRequestsError } from '../../../functions/core/errors.js';
import type { FileRecord } from '../../../functions/core/storage/file-record.js';
import { deleteUserFiles } from '../../../functions/core/storage/user-files.js';
import { fileObjects, fileRecords } from '../../../functions/storage/storage-wiring.js';
import { deleteFile, getFile, keyOf, listFiles, newUser } from './storage-test-kit.js';

const table = mockClient(DynamoDBDocumentClient);
afterEach(() => table.reset());
afterAll(() => table.restore());

const records = fileRecords();
const owner = newUser();
const fileId = 'AAAAAAAAAAAAAAAAAAAAAA';
const record: FileRecord = {
  fileId,
  ownerId: owner.userId,
  key: keyOf(owner.userId, fileId),
  name: 'a.png',
  contentType: 'image/png',
  size: 10,
  visibility: 'private',
  status: 'ready',
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-01-01T00:00:00.000Z',
};
const storedItem = { pk: `FILE#${fileId}`, sk: 'FILE', entity: 'file', ownerKey: `_files#${owner.userId}`, owner: owner.userId, ...record };

const throttled = () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: {} });
const now = new Date();

describe('DynamoDB throttling on the file record store', () => {
  const calls: { name: string; call: () => Promise<unknown> }[] = [
    { name: 'create', call: () => records.create(record, now) },
    { name: 'get', call: () => records.get(fileId, now) },
    { name: 'listByOwner', call: () => records.listByOwner(owner.userId, { limit: 10, now }) },
    { name: 'listAllByOwner', call: () => records.listAllByOwner(owner.userId, { limit: 10 }) },
    { name: 'markReady', call: () => records.markReady(fileId, now) },
    { name: 'markRejected', call: () => records.markRejected(fileId, 'size', now, now) },
    { name: 'markDeleting', call: () => records.markDeleting(fileId) },
    { name: 'delete', call: () => records.delete(fileId) },
    { name: 'deleteMany', call: () => records.deleteMany([fileId]) },
  ];

  it.each(calls)('$name throws TooManyRequestsError', async ({ call }) => {
    table.onAnyCommand().rejects(throttled());
    await expect(call()).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it('also for the ThrottlingException of on-demand tables', async () => {
    table.onAnyCommand().rejects(new ThrottlingException({ message: 'Throughput exceeds the current capacity', $metadata: {} }));
    await expect(records.get(fileId, now)).rejects.toBeInstanceOf(TooManyRequestsError);
  });

  it('stops account erasure with TooManyRequestsError, records still in place for the retry', async () => {
    table.on(QueryCommand).resolves({ Items: [storedItem] });
    table.on(UpdateCommand).resolves({});
    table.on(BatchWriteCommand).rejects(throttled());
    await expect(deleteUserFiles({ records, objects: fileObjects() }, owner.userId)).rejects.toBeInstanceOf(TooManyRequestsError);
  });
});

describe('DynamoDB throttling on the file routes → 429', () => {
  const expect429 = (response: { statusCode: number; body: unknown }) => {
    expect(response.statusCode).toBe(429);
    expect(response.body).toMatchObject({ error: { code: 'TooManyRequests' } });
  };

  it('GET /storage/files', async () => {
    table.on(QueryCommand).rejects(throttled());
    expect429(await listFiles(owner));
  });

  it('GET /storage/files/{fileId}', async () => {
    table.on(GetCommand).rejects(throttled());
    expect429(await getFile(owner, fileId));
  });

  type Step = { name: string; throttle: (mock: typeof table) => void };
  const steps: Step[] = [
    { name: 'reading the record', throttle: (mock) => mock.on(GetCommand).rejects(throttled()) },
    {
      name: 'marking it deleting',
      throttle: (mock) => {
        mock.on(GetCommand).resolves({ Item: storedItem });
        mock.on(UpdateCommand).rejects(throttled());
      },
    },
    {
      name: 'deleting the record',
      throttle: (mock) => {
        mock.on(GetCommand).resolves({ Item: storedItem });
        mock.on(UpdateCommand).resolves({});
        mock.on(DeleteCommand).rejects(throttled());
      },
    },
  ];

  it.each(steps)('DELETE /storage/files/{fileId}, throttled while $name', async ({ throttle }) => {
    throttle(table);
    expect429(await deleteFile(owner, fileId));
  });
});
