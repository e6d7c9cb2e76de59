import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deleteUserFiles, listUserFiles } from '../../../functions/core/storage/user-files.js';
import { systemClock } from '../../../functions/core/clock.js';
import { fileObjects, fileRecords } from '../../../functions/storage/storage-wiring.js';
import {
  getFile,
  keyOf,
  listFiles,
  newUser,
  objectCreatedEvent,
  objectExists,
  objectsFailingDelete,
  postForm,
  putObject,
  requestUpload,
  runTrigger,
  uploadReadyFile,
  writeRecord,
  type UploadTicket,
} from './storage-test-kit.js';

const records = fileRecords();
const objects = fileObjects();
const HOUR = 60 * 60 * 1000;

/** Every record the table still holds for `userId` (tombstones and expired ones too). */
const allRecordsOf = async (userId: string) => (await records.listAllByOwner(userId, { limit: 100 })).items;

describe("a user's files, for account export and deletion", () => {
  it('lists every file of the user across pages (all statuses, newest first), and nobody else\'s', async () => {
    const user = newUser();
    const ready = await uploadReadyFile(user, { name: 'one.png' });
    const pending = ((await requestUpload(user, { name: 'two.pdf', contentType: 'application/pdf', size: 9 })).body as UploadTicket).fileId;
    const third = await uploadReadyFile(user, { name: 'three.png', visibility: 'public' });
    await uploadReadyFile(newUser());

    const files = await listUserFiles({ records, clock: systemClock }, user.userId, { pageSize: 2 });

    expect(files.map((file) => file.fileId).sort()).toEqual([ready.fileId, pending, third.fileId].sort());
    expect(files.find((file) => file.fileId === pending)).toMatchObject({ name: 'two.pdf', status: 'pending', size: 9 });
    expect(files.map((file) => file.createdAt)).toEqual([...files.map((file) => file.createdAt)].sort().reverse());
    expect(await listUserFiles({ records, clock: systemClock }, newUser().userId)).toEqual([]);
  });

  it('deletes every object and record of the user across pages, leaves other users alone, and can run again', async () => {
    const user = newUser();
    const other = newUser();
    const uploads = [await uploadReadyFile(user), await uploadReadyFile(user), await uploadReadyFile(user, { visibility: 'public' })];
    await requestUpload(user, { name: 'pending.png', contentType: 'image/png', size: 4 });
    const kept = await uploadReadyFile(other);

    expect(await deleteUserFiles({ records, objects }, user.userId, { pageSize: 2 })).toEqual({ deleted: 4 });

    for (const upload of uploads) {
      expect(await objectExists(upload.key)).toBe(false);
      expect((await getFile(user, upload.fileId)).statusCode).toBe(404);
    }
    expect((await listFiles(user)).body).toEqual({ items: [], nextCursor: null });
    expect(await allRecordsOf(user.userId)).toEqual([]);
    expect(await objectExists(kept.key)).toBe(true);
    expect((await getFile(other, kept.fileId)).statusCode).toBe(200);
    expect(await deleteUserFiles({ records, objects }, user.userId)).toEqual({ deleted: 0 });
  });

  it('deletes a whole page of objects (more than it sends at once) and no other, missing keys included', async () => {
    // One DeleteObject per key, a few in flight: every key of a 100-record page must still go.
    const user = newUser();
    const keys = Array.from({ length: 40 }, () => keyOf(user.userId, randomBytes(8).toString('hex')));
    await Promise.all(keys.map((key) => putObject(key, randomBytes(8), 'image/png')));
    const kept = keyOf(user.userId, 'kept');
    await putObject(kept, randomBytes(8), 'image/png');

    await objects.delete([...keys, keyOf(user.userId, 'never-uploaded')]);

    expect((await Promise.all(keys.map(objectExists))).filter(Boolean)).toEqual([]);
    expect(await objectExists(kept)).toBe(true);
  });

  it('finishes the job when run again after the storage failed to delete the objects (DELETE /me retried)', async () => {
    const user = newUser();
    const uploads = [await uploadReadyFile(user), await uploadReadyFile(user), await uploadReadyFile(user)];

    await expect(deleteUserFiles({ records, objects: objectsFailingDelete(objects, 1) }, user.userId, { pageSize: 2 })).rejects.toThrow(
      'S3 is unavailable',
    );
    // The first page's files are no longer the user's to see (the second page was not reached),
    // but every record remains for the retry.
    const [newest, , oldest] = [...uploads].reverse();
    expect(((await listFiles(user)).body as { items: { fileId: string }[] }).items.map((item) => item.fileId)).toEqual([oldest!.fileId]);
    expect((await listUserFiles({ records, clock: systemClock }, user.userId)).map((file) => file.fileId)).toEqual([oldest!.fileId]);
    expect((await getFile(user, newest!.fileId)).statusCode).toBe(404);
    expect(await allRecordsOf(user.userId)).toHaveLength(3);

    expect(await deleteUserFiles({ records, objects }, user.userId, { pageSize: 2 })).toEqual({ deleted: 3 });

    for (const upload of uploads) expect(await objectExists(upload.key), upload.key).toBe(false);
    expect(await allRecordsOf(user.userId)).toEqual([]);
  });

  it('deletes an upload that lands while the account is being erased (its presigned POST still valid)', async () => {
    const user = newUser();
    const bytes = randomBytes(64);
    const ticket = (await requestUpload(user, { name: 'late.png', contentType: 'image/png', size: bytes.length })).body as UploadTicket;
    const key = keyOf(user.userId, ticket.fileId);
    let landed = false;
    // The upload lands just after the erasure deleted the objects, before it deletes the records,
    // and S3 tells the trigger at once.
    const racing = objectsFailingDelete(objects, 0, async () => {
      expect((await postForm(ticket, bytes)).status).toBe(204);
      landed = await objectExists(key);
      await runTrigger(objectCreatedEvent(key, bytes.length));
    });

    expect(await deleteUserFiles({ records, objects: racing }, user.userId)).toEqual({ deleted: 1 });

    expect(landed).toBe(true);
    expect(await objectExists(key)).toBe(false);
    expect(await allRecordsOf(user.userId)).toEqual([]);
  });

  it('does not export expired records, yet erases them and their objects', async () => {
    const user = newUser();
    const now = Date.now();
    const live = await uploadReadyFile(user);
    const abandoned = await writeRecord(records, user, { status: 'pending', createdAt: new Date(now - 30 * HOUR), expireAt: new Date(now - 5 * HOUR) });
    const oldRejection = await writeRecord(records, user, { status: 'rejected', createdAt: new Date(now - 200 * HOUR), expireAt: new Date(now - HOUR) });
    // An object its trigger never got to check.
    await putObject(abandoned.key, randomBytes(10), 'image/png');

    expect((await listUserFiles({ records, clock: systemClock }, user.userId)).map((file) => file.fileId)).toEqual([live.fileId]);

    expect(await deleteUserFiles({ records, objects }, user.userId)).toEqual({ deleted: 3 });
    expect(await objectExists(abandoned.key)).toBe(false);
    expect(await objectExists(live.key)).toBe(false);
    expect((await allRecordsOf(user.userId)).map((record) => record.fileId)).not.toContain(oldRejection.fileId);
    expect(await allRecordsOf(user.userId)).toEqual([]);
  });
});
