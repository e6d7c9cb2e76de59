import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { deleteFile as deleteFileUseCase } from '../../../functions/core/storage/manage-files.js';
import { systemClock } from '../../../functions/core/clock.js';
import { fileObjects, fileRecords, storageSettings } from '../../../functions/storage/storage-wiring.js';
import {
  deleteFile,
  getFile,
  keyOf,
  listFiles,
  newAdmin,
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
  type TestCaller,
  type UploadTicket,
} from './storage-test-kit.js';

const records = fileRecords();
const objects = fileObjects();
const HOUR = 60 * 60 * 1000;

type Page = { items: { fileId: string; status: string; createdAt: string }[]; nextCursor: string | null };

describe('GET /storage/files', () => {
  const owner = newUser();
  const fileIds: string[] = [];

  beforeAll(async () => {
    // Five files, each created in a later millisecond than the one before.
    for (let index = 0; index < 5; index++) {
      const response = await requestUpload(owner, { name: `file-${index}.txt`, contentType: 'text/plain', size: 10 + index });
      fileIds.push((response.body as UploadTicket).fileId);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await requestUpload(newUser(), { name: 'someone-else.txt', contentType: 'text/plain', size: 10 });
  });

  async function page(caller: TestCaller, query: string): Promise<Page> {
    const response = await listFiles(caller, query);
    expect(response.statusCode, JSON.stringify(response.body)).toBe(200);
    return response.body as Page;
  }

  it('lists only the caller\'s files, newest first, in pages that follow one another without gaps or repeats', async () => {
    const first = await page(owner, 'limit=2');
    const second = await page(owner, `limit=2&cursor=${encodeURIComponent(first.nextCursor!)}`);
    const third = await page(owner, `limit=2&cursor=${encodeURIComponent(second.nextCursor!)}`);

    expect([first, second, third].map((one) => one.items.length)).toEqual([2, 2, 1]);
    expect(third.nextCursor).toBeNull();
    expect([...first.items, ...second.items, ...third.items].map((file) => file.fileId)).toEqual([...fileIds].reverse());
  });

  it('gives no cursor when a page holds exactly the last files (a page is never empty while more exist)', async () => {
    const all = await page(owner, 'limit=5');
    expect(all.items).toHaveLength(5);
    expect(all.nextCursor).toBeNull();
  });

  it('defaults to 20 and clamps larger limits to 100', async () => {
    expect((await page(owner, '')).items).toHaveLength(5);
    expect((await page(owner, 'limit=1000')).items).toHaveLength(5);
  });

  it('refuses a tampered cursor and another caller\'s cursor with 400 ValidationFailed', async () => {
    const { nextCursor } = await page(owner, 'limit=1');
    // Point the cursor at another position, keeping its signature.
    const [payload, mac] = nextCursor!.split('.');
    const altered = `${Buffer.from(Buffer.from(payload!, 'base64url').toString('utf8').replace(fileIds.at(-1)!, fileIds[0]!)).toString('base64url')}.${mac}`;
    expect(altered).not.toBe(nextCursor);

    for (const [caller, cursor] of [
      [owner, altered],
      [owner, `${nextCursor}x`],
      [owner, 'not-a-cursor'],
      [newUser(), nextCursor!],
    ] as const) {
      const response = await listFiles(caller, `limit=1&cursor=${encodeURIComponent(cursor)}`);
      expect(response.statusCode, cursor).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'cursor' }] } });
    }
  });

  it('never lists records past their expiry (DynamoDB removes them days later), and still fills every page', async () => {
    const user = newUser();
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR);
    // Newest first: live, expired, expired, live rejected, expired rejected, live.
    const written = [
      await writeRecord(records, user, { status: 'pending', createdAt: at(1), expireAt: at(-24) }),
      await writeRecord(records, user, { status: 'pending', createdAt: at(2), expireAt: at(0.5) }),
      await writeRecord(records, user, { status: 'pending', createdAt: at(3), expireAt: at(1) }),
      await writeRecord(records, user, { status: 'rejected', createdAt: at(4), expireAt: at(-100) }),
      await writeRecord(records, user, { status: 'rejected', createdAt: at(5), expireAt: at(0.1) }),
      await writeRecord(records, user, { status: 'pending', createdAt: at(6), expireAt: at(-20) }),
    ];
    const live = [written[0]!, written[3]!, written[5]!];

    const pages: Page[] = [];
    let cursor: string | null = null;
    do {
      pages.push(await page(user, `limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`));
      cursor = pages.at(-1)!.nextCursor;
    } while (cursor);

    expect(pages.map((one) => one.items.map((item) => item.fileId))).toEqual(live.map((record) => [record.fileId]));
    expect(pages[1]!.items[0]).toMatchObject({ status: 'rejected' });
    expect((await page(user, 'limit=2')).items.map((item) => item.fileId)).toEqual([written[0]!.fileId, written[3]!.fileId]);
  });

  it('refuses a bad limit and answers 401 without a caller', async () => {
    expect((await listFiles(owner, 'limit=0')).statusCode).toBe(400);
    expect((await listFiles(undefined)).statusCode).toBe(401);
  });
});

describe('GET /storage/files/{fileId}', () => {
  const owner = newUser();
  const other = newUser();
  const admin = newAdmin();
  let privateReady: Awaited<ReturnType<typeof uploadReadyFile>>;
  let publicReady: Awaited<ReturnType<typeof uploadReadyFile>>;
  let privatePending: string;
  let publicPending: string;

  beforeAll(async () => {
    privateReady = await uploadReadyFile(owner, { visibility: 'private', name: 'Résumé "final".pdf', contentType: 'application/pdf' });
    publicReady = await uploadReadyFile(owner, { visibility: 'public' });
    privatePending = ((await requestUpload(owner, { name: 'p.png', contentType: 'image/png', size: 5, visibility: 'private' })).body as UploadTicket).fileId;
    publicPending = ((await requestUpload(owner, { name: 'q.png', contentType: 'image/png', size: 5, visibility: 'public' })).body as UploadTicket).fileId;
  });

  type Scenario = { name: string; file: () => string; as: TestCaller; expectStatus: number; expectDownload?: boolean };
  const scenarios: Scenario[] = [
    { name: 'owner reads a private ready file', file: () => privateReady.fileId, as: owner, expectStatus: 200, expectDownload: true },
    { name: 'admin reads a private ready file', file: () => privateReady.fileId, as: admin, expectStatus: 200, expectDownload: true },
    { name: 'another user cannot see a private file', file: () => privateReady.fileId, as: other, expectStatus: 404 },
    { name: 'an anonymous caller cannot see a private file', file: () => privateReady.fileId, as: undefined, expectStatus: 404 },
    { name: 'another user reads a public ready file', file: () => publicReady.fileId, as: other, expectStatus: 200, expectDownload: true },
    { name: 'an anonymous caller reads a public ready file', file: () => publicReady.fileId, as: undefined, expectStatus: 200, expectDownload: true },
    { name: 'owner sees a pending file, without a download URL', file: () => privatePending, as: owner, expectStatus: 200, expectDownload: false },
    { name: 'admin sees a pending file, without a download URL', file: () => privatePending, as: admin, expectStatus: 200, expectDownload: false },
    { name: 'a public file is not public until it is ready (anonymous)', file: () => publicPending, as: undefined, expectStatus: 404 },
    { name: 'a public file is not public until it is ready (other user)', file: () => publicPending, as: other, expectStatus: 404 },
    { name: 'an unknown file is 404', file: () => 'AAAAAAAAAAAAAAAAAAAAAA', as: owner, expectStatus: 404 },
  ];

  it.each(scenarios)('$name → $expectStatus', async ({ file, as, expectStatus, expectDownload }) => {
    const response = await getFile(as, file());

    expect(response.statusCode).toBe(expectStatus);
    if (expectStatus === 404) {
      expect(response.body).toMatchObject({ error: { code: 'NotFound', message: 'No such file.' } });
      return;
    }
    expect(response.body).toMatchObject({ fileId: file(), name: expect.any(String), size: expect.any(Number), createdAt: expect.any(String) });
    const { downloadUrl } = response.body as { downloadUrl: string | null };
    if (expectDownload) expect(downloadUrl).toMatch(/^http/);
    else expect(downloadUrl).toBeNull();
  });

  it('gives a download URL that serves the uploaded bytes, with the file name, for at most 15 minutes', async () => {
    const { downloadUrl } = (await getFile(owner, privateReady.fileId)).body as { downloadUrl: string };

    const url = new URL(downloadUrl);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
    const download = await fetch(downloadUrl);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(privateReady.bytes))).toBe(true);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(download.headers.get('content-disposition')).toBe(`inline; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`);
  });

  it('answers 404 for a record past its expiry, to its owner and admins too; a rejected file stays visible until then', async () => {
    const user = newUser();
    const now = Date.now();
    const expiredPending = await writeRecord(records, user, { status: 'pending', createdAt: new Date(now - 30 * HOUR), expireAt: new Date(now - 5 * HOUR) });
    const expiredRejected = await writeRecord(records, user, { status: 'rejected', createdAt: new Date(now - 200 * HOUR), expireAt: new Date(now - HOUR) });
    const rejected = await writeRecord(records, user, { status: 'rejected', createdAt: new Date(now - HOUR), expireAt: new Date(now + 100 * HOUR) });

    for (const as of [user, newAdmin()]) {
      for (const record of [expiredPending, expiredRejected]) {
        const response = await getFile(as, record.fileId);
        expect(response.statusCode, record.status).toBe(404);
        expect(response.body).toMatchObject({ error: { code: 'NotFound' } });
      }
      expect((await getFile(as, rejected.fileId)).body).toMatchObject({ fileId: rejected.fileId, status: 'rejected', downloadUrl: null });
    }
    expect((await deleteFile(user, expiredPending.fileId)).statusCode).toBe(404);
  });

  type Served = { name: string; contentType: string; disposition: 'inline' | 'attachment' };
  const served: Served[] = [
    { name: 'photo.png', contentType: 'image/png', disposition: 'inline' },
    { name: 'photo.jpg', contentType: 'image/jpeg', disposition: 'inline' },
    { name: 'anim.gif', contentType: 'image/gif', disposition: 'inline' },
    { name: 'photo.webp', contentType: 'image/webp', disposition: 'inline' },
    { name: 'photo.avif', contentType: 'image/avif', disposition: 'inline' },
    { name: 'notes.txt', contentType: 'text/plain; charset=utf-8', disposition: 'inline' },
    // Images that are documents: script in them would run on the storage's origin.
    { name: 'logo.svg', contentType: 'image/svg+xml', disposition: 'attachment' },
    { name: 'icon.ico', contentType: 'image/x-icon', disposition: 'attachment' },
    { name: 'Logo.SVG', contentType: 'IMAGE/SVG+XML', disposition: 'attachment' },
  ];

  it.each(served)('serves $contentType as $disposition, with the recorded type', async ({ name, contentType, disposition }) => {
    const file = await uploadReadyFile(owner, { name, contentType, bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') });
    const { downloadUrl } = (await getFile(owner, file.fileId)).body as { downloadUrl: string };

    const download = await fetch(downloadUrl);

    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe(contentType);
    expect(download.headers.get('content-disposition')).toBe(`${disposition}; filename="${name}"; filename*=UTF-8''${name}`);
  });

  it('serves the recorded type, not whatever type the stored object was given afterwards', async () => {
    const file = await uploadReadyFile(owner, { name: 'cat.png', contentType: 'image/png' });
    // The object is overwritten behind the platform's back (not through a presigned POST).
    await putObject(file.key, Buffer.from('<html><script>alert(document.domain)</script></html>'), 'text/html');
    const { downloadUrl } = (await getFile(owner, file.fileId)).body as { downloadUrl: string };

    const download = await fetch(downloadUrl);

    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('image/png');
    expect(download.headers.get('content-disposition')).toMatch(/^inline; /);
  });

  it('refuses a malformed file id with 400', async () => {
    const response = await getFile(owner, 'not/an/id');
    expect(response.statusCode).toBe(400);
  });
});

describe('DELETE /storage/files/{fileId}', () => {
  type Scenario = { name: string; as: (owner: NonNullable<TestCaller>) => TestCaller; expectStatus: number };
  const scenarios: Scenario[] = [
    { name: 'the owner deletes', as: (owner) => owner, expectStatus: 204 },
    { name: 'an admin deletes', as: () => newAdmin(), expectStatus: 204 },
    { name: 'another user gets 404 and nothing is deleted', as: () => newUser(), expectStatus: 404 },
    { name: 'an anonymous caller gets 401 and nothing is deleted', as: () => undefined, expectStatus: 401 },
  ];

  it.each(scenarios)('$name → $expectStatus', async ({ as, expectStatus }) => {
    const owner = newUser();
    const file = await uploadReadyFile(owner, { visibility: 'public' });

    const response = await deleteFile(as(owner), file.fileId);

    expect(response.statusCode).toBe(expectStatus);
    const deleted = expectStatus === 204;
    expect(await objectExists(file.key)).toBe(!deleted);
    expect((await getFile(owner, file.fileId)).statusCode).toBe(deleted ? 404 : 200);
    expect(((await listFiles(owner)).body as Page).items.map((item) => item.fileId)).toEqual(deleted ? [] : [file.fileId]);
  });

  it('deletes a pending file (no object yet), and answers 404 the second time', async () => {
    const owner = newUser();
    const { fileId } = (await requestUpload(owner, { name: 'a.png', contentType: 'image/png', size: 3 })).body as UploadTicket;

    expect((await deleteFile(owner, fileId)).statusCode).toBe(204);
    expect((await deleteFile(owner, fileId)).statusCode).toBe(404);
  });

  type Retry = { name: string; as: (owner: NonNullable<TestCaller>) => TestCaller; expectStatus: number };
  const retries: Retry[] = [
    { name: 'the owner retries', as: (owner) => owner, expectStatus: 204 },
    { name: 'an admin retries', as: () => newAdmin(), expectStatus: 204 },
    { name: 'another user gets 404 for the half-deleted file', as: () => newUser(), expectStatus: 404 },
  ];

  it.each(retries)('finishes a delete whose object deletion failed when retried: $name → $expectStatus', async ({ as, expectStatus }) => {
    const owner = newUser();
    const file = await uploadReadyFile(owner);

    await expect(
      deleteFileUseCase({ records, objects: objectsFailingDelete(objects, 1), settings: storageSettings, clock: systemClock }, owner, file.fileId),
    ).rejects.toThrow('S3 is unavailable');
    // Gone for clients already; the object is still there, waiting for the retry.
    expect((await getFile(owner, file.fileId)).statusCode).toBe(404);
    expect(((await listFiles(owner)).body as Page).items).toEqual([]);
    expect(await objectExists(file.key)).toBe(true);

    const retry = await deleteFile(as(owner), file.fileId);

    expect(retry.statusCode).toBe(expectStatus);
    expect(await objectExists(file.key)).toBe(expectStatus !== 204);
    if (expectStatus !== 204) expect((await deleteFile(owner, file.fileId)).statusCode).toBe(204);
    expect(await objectExists(file.key)).toBe(false);
    expect((await deleteFile(owner, file.fileId)).statusCode).toBe(404);
  });

  it('deletes an upload that lands while a delete is unfinished, and one that lands after it', async () => {
    const owner = newUser();
    const bytes = randomBytes(48);
    const ticket = (await requestUpload(owner, { name: 'late.png', contentType: 'image/png', size: bytes.length })).body as UploadTicket;
    const key = keyOf(owner.userId, ticket.fileId);
    const failing = { records, objects: objectsFailingDelete(objects, 1), settings: storageSettings, clock: systemClock };
    await expect(deleteFileUseCase(failing, owner, ticket.fileId)).rejects.toThrow('S3 is unavailable');

    // The presigned POST is still valid: the upload lands on the half-deleted file.
    expect((await postForm(ticket, bytes)).status).toBe(204);
    await runTrigger(objectCreatedEvent(key, bytes.length));
    expect(await objectExists(key)).toBe(false);

    expect((await deleteFile(owner, ticket.fileId)).statusCode).toBe(204);
    expect((await postForm(ticket, bytes)).status).toBe(204);
    await runTrigger(objectCreatedEvent(key, bytes.length));
    expect(await objectExists(key)).toBe(false);
    expect((await getFile(owner, ticket.fileId)).statusCode).toBe(404);
  });

  it('makes an earlier download URL stop working', async () => {
    const owner = newUser();
    const file = await uploadReadyFile(owner, { bytes: randomBytes(100) });
    const { downloadUrl } = (await getFile(owner, file.fileId)).body as { downloadUrl: string };
    expect((await fetch(downloadUrl)).status).toBe(200);

    await deleteFile(owner, file.fileId);

    expect((await fetch(downloadUrl)).status).toBe(404);
  });
});
