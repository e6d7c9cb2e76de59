/**
 * Files end to end, over HTTP against local mode: the browser's view of the flow (ask for an
 * upload, POST the bytes to the storage from another origin, wait for `ready`, download), the
 * storage's own refusals, and who may see and delete what.
 */
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, createUser, startTestBackend, type TestBackend, type TestUser } from '../fixtures/local-backend.js';

/** The page the browser runs on: not the API's origin, not the storage's. */
const APP_ORIGIN = 'http://localhost:5173';

type UploadTicket = { fileId: string; upload: { url: string; fields: Record<string, string> }; expiresAt: string };
type FileBody = { fileId: string; status: string; downloadUrl: string | null; name: string; size: number; contentType: string; visibility: string };

describe('files over HTTP (local mode)', () => {
  let local: TestBackend;
  let owner: TestUser;
  let other: TestUser;
  let s3: S3Client;

  beforeAll(async () => {
    local = await startTestBackend();
    [owner, other] = await Promise.all([createUser(local), createUser(local)]);
    // Local S3 accepts only its own fixed key pair.
    s3 = new S3Client({ endpoint: local.endpoints.s3, region: local.region, forcePathStyle: true, credentials: local.credentials });
  });

  afterAll(async () => {
    s3?.destroy();
    await local?.cleanup();
  });

  async function askForUpload(as: TestUser, body: { name: string; contentType: string; size: number; visibility?: string }): Promise<UploadTicket> {
    const response = await api<UploadTicket>(local.url, 'POST', '/storage/uploads', { as, body, headers: { origin: APP_ORIGIN } });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body;
  }

  /** What `<form enctype="multipart/form-data">` (or fetch + FormData) sends from the app's page. */
  function postBytes(ticket: UploadTicket, bytes: Uint8Array, type: string): Promise<Response> {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
    form.append('file', new Blob([bytes], { type }), 'upload');
    return fetch(ticket.upload.url, { method: 'POST', body: form, headers: { origin: APP_ORIGIN } });
  }

  async function waitUntilReady(as: TestUser, fileId: string): Promise<FileBody> {
    return vi.waitFor(
      async () => {
        const response = await api<FileBody>(local.url, 'GET', `/storage/files/${fileId}`, { as });
        expect(response.status).toBe(200);
        expect(response.body.status).toBe('ready');
        return response.body;
      },
      { timeout: 15_000, interval: 100 },
    );
  }

  async function stored(key: string): Promise<boolean> {
    try {
      await s3.send(new HeadObjectCommand({ Bucket: local.bucketName, Key: key }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound') return false;
      throw error;
    }
  }

  it('uploads from another origin straight to the storage, turns ready, downloads the same bytes, and deletes', async () => {
    const bytes = randomBytes(4096);
    const ticket = await askForUpload(owner, { name: 'cat.png', contentType: 'image/png', size: bytes.length });

    const preflight = await fetch(ticket.upload.url, {
      method: 'OPTIONS',
      headers: { origin: APP_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');

    const posted = await postBytes(ticket, bytes, 'image/png');
    expect(posted.status).toBe(204);
    expect(posted.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);

    const file = await waitUntilReady(owner, ticket.fileId);
    expect(file).toMatchObject({ fileId: ticket.fileId, name: 'cat.png', contentType: 'image/png', size: bytes.length, visibility: 'private' });
    const download = await fetch(file.downloadUrl!, { headers: { origin: APP_ORIGIN } });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);

    const listed = await api<{ items: { fileId: string; status: string }[] }>(local.url, 'GET', '/storage/files', { as: owner });
    expect(listed.body.items).toContainEqual(expect.objectContaining({ fileId: ticket.fileId, status: 'ready' }));

    // Nobody else sees it, or can delete it.
    expect((await api(local.url, 'GET', `/storage/files/${ticket.fileId}`, { as: other })).status).toBe(404);
    expect((await api(local.url, 'GET', `/storage/files/${ticket.fileId}`)).status).toBe(404);
    expect((await api(local.url, 'DELETE', `/storage/files/${ticket.fileId}`, { as: other })).status).toBe(404);
    const othersList = await api<{ items: { fileId: string }[] }>(local.url, 'GET', '/storage/files', { as: other });
    expect(othersList.body.items.map((item) => item.fileId)).not.toContain(ticket.fileId);

    expect((await api(local.url, 'DELETE', `/storage/files/${ticket.fileId}`, { as: owner })).status).toBe(204);
    expect((await fetch(file.downloadUrl!)).status).toBe(404);
    expect((await api(local.url, 'GET', `/storage/files/${ticket.fileId}`, { as: owner })).status).toBe(404);
    expect(await stored(`files/${owner.userId}/${ticket.fileId}`)).toBe(false);
  });

  it('lets anyone read a public file once it is ready, without a token', async () => {
    const bytes = Buffer.from('shared with the world');
    const ticket = await askForUpload(owner, { name: 'hello.txt', contentType: 'text/plain', size: bytes.length, visibility: 'public' });
    expect((await api(local.url, 'GET', `/storage/files/${ticket.fileId}`)).status).toBe(404);

    expect((await postBytes(ticket, bytes, 'text/plain')).status).toBe(204);
    await waitUntilReady(owner, ticket.fileId);

    const anonymous = await api<FileBody>(local.url, 'GET', `/storage/files/${ticket.fileId}`);
    expect(anonymous.status).toBe(200);
    expect(await (await fetch(anonymous.body.downloadUrl!)).text()).toBe('shared with the world');
    expect((await api<FileBody>(local.url, 'GET', `/storage/files/${ticket.fileId}`, { as: other })).status).toBe(200);
  });

  it('has the storage itself refuse more bytes than declared, and another content type; the file stays pending', async () => {
    const ticket = await askForUpload(owner, { name: 'small.png', contentType: 'image/png', size: 100 });

    const tooBig = await postBytes(ticket, randomBytes(101), 'image/png');
    expect(tooBig.status).toBe(400);
    expect(await tooBig.text()).toContain('<Code>EntityTooLarge</Code>');
    // The browser that made the upload can read why it was refused.
    expect(tooBig.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);

    const form = new FormData();
    for (const [name, value] of Object.entries({ ...ticket.upload.fields, 'Content-Type': 'text/html' })) form.append(name, value);
    form.append('file', new Blob([randomBytes(100)], { type: 'text/html' }), 'page.html');
    const wrongType = await fetch(ticket.upload.url, { method: 'POST', body: form, headers: { origin: APP_ORIGIN } });
    expect(wrongType.status).toBe(403);
    expect(await wrongType.text()).toContain('<Code>AccessDenied</Code>');

    expect(await stored(`files/${owner.userId}/${ticket.fileId}`)).toBe(false);
    const file = await api<FileBody>(local.url, 'GET', `/storage/files/${ticket.fileId}`, { as: owner });
    expect(file.body).toMatchObject({ status: 'pending', downloadUrl: null });
  });

  it('refuses an upload request over the configured limit or of a type not allowed, naming the field', async () => {
    const tooLarge = await api(local.url, 'POST', '/storage/uploads', { as: owner, body: { name: 'huge.png', contentType: 'image/png', size: 10 * 1024 * 1024 + 1 } });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'size' }] } });

    const wrongType = await api(local.url, 'POST', '/storage/uploads', { as: owner, body: { name: 'x.exe', contentType: 'application/x-msdownload', size: 10 } });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'contentType' }] } });

    expect((await api(local.url, 'POST', '/storage/uploads', { body: { name: 'x.png', contentType: 'image/png', size: 10 } })).status).toBe(401);
  });
});
