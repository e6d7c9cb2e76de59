import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/adapters/aws-clients.js';
import {
  deleteFile,
  getFile,
  keyOf,
  newUser,
  objectCreatedEvent,
  objectExists,
  postForm,
  putObject,
  requestUpload,
  runTrigger,
  type UploadTicket,
} from './storage-test-kit.js';

const table = createDocumentClient();
const recordOf = async (fileId: string) =>
  (await table.send(new GetCommand({ TableName: process.env.LAMBASE_TABLE_NAME, Key: { pk: `FILE#${fileId}`, sk: 'FILE' } }))).Item;

async function declared(options: { size: number; contentType?: string; name?: string }) {
  const owner = newUser();
  const response = await requestUpload(owner, { name: options.name ?? 'photo.png', contentType: options.contentType ?? 'image/png', size: options.size });
  const ticket = response.body as UploadTicket;
  return { owner, ticket, key: keyOf(owner.userId, ticket.fileId) };
}

describe('the object-created trigger (verify-upload)', () => {
  it('marks a file ready when the uploaded object matches its record, and keeps the object', async () => {
    const bytes = randomBytes(300);
    const { owner, ticket, key } = await declared({ size: bytes.length });
    expect((await postForm(ticket, bytes)).status).toBe(204);

    await runTrigger(objectCreatedEvent(key, bytes.length));

    expect((await getFile(owner, ticket.fileId)).body).toMatchObject({ status: 'ready', downloadUrl: expect.stringContaining(ticket.fileId) });
    expect(await objectExists(key)).toBe(true);
    const record = await recordOf(ticket.fileId);
    expect(record).toMatchObject({ status: 'ready', ownerKey: `_files#${owner.userId}`, entity: 'file' });
    // A ready file is no longer up for expiry.
    expect(record?.ttl).toBeUndefined();
  });

  it('accepts keys S3 form-encodes in events, and an object stored with Content-Type parameters', async () => {
    const bytes = Buffer.from('hello, plain text');
    const { owner, ticket, key } = await declared({ size: bytes.length, contentType: 'text/plain; charset=utf-8', name: 'notes.txt' });
    expect((await postForm(ticket, bytes)).status).toBe(204);

    await runTrigger(objectCreatedEvent(key, bytes.length));

    expect((await getFile(owner, ticket.fileId)).body).toMatchObject({ status: 'ready', contentType: 'text/plain; charset=utf-8' });
  });

  type Mismatch = { name: string; put: (key: string, size: number) => Promise<void>; reason: RegExp };
  const mismatches: Mismatch[] = [
    { name: 'a larger object', put: (key, size) => putObject(key, randomBytes(size + 10), 'image/png'), reason: /size/ },
    { name: 'a smaller object', put: (key, size) => putObject(key, randomBytes(size - 1), 'image/png'), reason: /size/ },
    { name: 'another content type', put: (key, size) => putObject(key, randomBytes(size), 'text/html'), reason: /content type/ },
  ];

  it.each(mismatches)('deletes $name (written around the policy) and marks the file rejected', async ({ put, reason }) => {
    const { owner, ticket, key } = await declared({ size: 100 });
    await put(key, 100);

    await runTrigger(objectCreatedEvent(key, 100));

    expect(await objectExists(key)).toBe(false);
    const file = await getFile(owner, ticket.fileId);
    expect(file.statusCode).toBe(200);
    expect(file.body).toMatchObject({ status: 'rejected', downloadUrl: null });
    const record = await recordOf(ticket.fileId);
    expect(record?.rejectedReason).toMatch(reason);
    expect(record?.ttl).toBeGreaterThan(Date.now() / 1000);
  });

  it('is idempotent under redelivery: a second ready event changes nothing, a second reject event finds nothing to do', async () => {
    const bytes = randomBytes(64);
    const ready = await declared({ size: bytes.length });
    await postForm(ready.ticket, bytes);
    const event = objectCreatedEvent(ready.key, bytes.length);
    await runTrigger(event);
    const first = await recordOf(ready.ticket.fileId);

    await runTrigger(event);
    await runTrigger(event);

    expect(await recordOf(ready.ticket.fileId)).toEqual(first);
    expect(await objectExists(ready.key)).toBe(true);

    const rejected = await declared({ size: 64 });
    await putObject(rejected.key, randomBytes(65), 'image/png');
    const rejectEvent = objectCreatedEvent(rejected.key, 65);
    await runTrigger(rejectEvent);
    const rejectedRecord = await recordOf(rejected.ticket.fileId);

    await runTrigger(rejectEvent);

    expect(await recordOf(rejected.ticket.fileId)).toEqual(rejectedRecord);
    expect(await objectExists(rejected.key)).toBe(false);
  });

  it('deletes a conforming upload that arrives after its file was rejected: rejected is final', async () => {
    const { owner, ticket, key } = await declared({ size: 32 });
    await putObject(key, randomBytes(31), 'image/png');
    await runTrigger(objectCreatedEvent(key, 31));

    // The presigned POST is still valid: a correct upload now lands on the rejected file's key.
    expect((await postForm(ticket, randomBytes(32))).status).toBe(204);
    await runTrigger(objectCreatedEvent(key, 32));

    expect(await objectExists(key)).toBe(false);
    expect((await getFile(owner, ticket.fileId)).body).toMatchObject({ status: 'rejected' });
  });

  it('deletes an upload that lands after its file was deleted (the presigned POST outlived the file)', async () => {
    const bytes = randomBytes(40);
    const { owner, ticket, key } = await declared({ size: bytes.length });
    expect((await deleteFile(owner, ticket.fileId)).statusCode).toBe(204);

    expect((await postForm(ticket, bytes)).status).toBe(204);
    await runTrigger(objectCreatedEvent(key, bytes.length));

    expect(await objectExists(key)).toBe(false);
    expect(await recordOf(ticket.fileId)).toBeUndefined();
  });

  it('deletes objects under files/ that no record claims: unknown ids, keys outside the layout, a record of another owner', async () => {
    const { ticket } = await declared({ size: 10 });
    const keys = [
      `files/${newUser().userId}/${ticket.fileId}`, // the file id exists, but under another owner's prefix
      `files/${newUser().userId}/no-such-file`,
      'files/not-in-the-layout',
      'files/a/b/c',
    ];
    for (const key of keys) {
      await putObject(key, randomBytes(10), 'image/png');
      await runTrigger(objectCreatedEvent(key, 10));
      expect(await objectExists(key), key).toBe(false);
    }
    expect(await recordOf(ticket.fileId)).toMatchObject({ status: 'pending' });
  });

  it('leaves the record pending when the object is already gone (a late event)', async () => {
    const { owner, ticket, key } = await declared({ size: 10 });

    await runTrigger(objectCreatedEvent(key, 10));

    expect((await getFile(owner, ticket.fileId)).body).toMatchObject({ status: 'pending' });
  });
});
