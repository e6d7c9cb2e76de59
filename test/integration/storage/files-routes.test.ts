import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deleteFile,
  getFile,
  listFiles,
  newAdmin,
  newUser,
  objectExists,
  requestUpload,
  uploadReadyFile,
  type TestCaller,
  type UploadTicket,
} from './storage-test-kit.js';

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

  it('makes an earlier download URL stop working', async () => {
    const owner = newUser();
    const file = await uploadReadyFile(owner, { bytes: randomBytes(100) });
    const { downloadUrl } = (await getFile(owner, file.fileId)).body as { downloadUrl: string };
    expect((await fetch(downloadUrl)).status).toBe(200);

    await deleteFile(owner, file.fileId);

    expect((await fetch(downloadUrl)).status).toBe(404);
  });
});
