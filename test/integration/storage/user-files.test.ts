import { describe, expect, it } from 'vitest';
import { deleteUserFiles, listUserFiles } from '../../../functions/core/storage/user-files.js';
import { createFileObjects, createFileRecords } from '../../../functions/storage/storage-dependencies.js';
import { getFile, listFiles, newUser, objectExists, requestUpload, uploadReadyFile, type UploadTicket } from './storage-test-kit.js';

const records = createFileRecords();
const objects = createFileObjects();

describe("a user's files, for account export and deletion", () => {
  it('lists every file of the user across pages (all statuses, newest first), and nobody else\'s', async () => {
    const user = newUser();
    const ready = await uploadReadyFile(user, { name: 'one.png' });
    const pending = ((await requestUpload(user, { name: 'two.pdf', contentType: 'application/pdf', size: 9 })).body as UploadTicket).fileId;
    const third = await uploadReadyFile(user, { name: 'three.png', visibility: 'public' });
    await uploadReadyFile(newUser());

    const files = await listUserFiles({ records }, user.userId, { pageSize: 2 });

    expect(files.map((file) => file.fileId).sort()).toEqual([ready.fileId, pending, third.fileId].sort());
    expect(files.find((file) => file.fileId === pending)).toMatchObject({ name: 'two.pdf', status: 'pending', size: 9 });
    expect(files.map((file) => file.createdAt)).toEqual([...files.map((file) => file.createdAt)].sort().reverse());
    expect(await listUserFiles({ records }, newUser().userId)).toEqual([]);
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
    expect(await objectExists(kept.key)).toBe(true);
    expect((await getFile(other, kept.fileId)).statusCode).toBe(200);
    expect(await deleteUserFiles({ records, objects }, user.userId)).toEqual({ deleted: 0 });
  });
});
