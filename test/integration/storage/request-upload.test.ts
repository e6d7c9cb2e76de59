import { randomBytes } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import backend from '../../../lambase.config.js';
import {
  bucket,
  getFile,
  keyOf,
  listFiles,
  newUser,
  objectExists,
  postForm,
  requestUpload,
  s3,
  s3ErrorOf,
  type UploadTicket,
} from './storage-test-kit.js';

const MAX = backend.storage.maxFileSize;

function policyOf(ticket: UploadTicket): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(ticket.upload.fields.Policy!, 'base64').toString('utf8'));
}

describe('POST /storage/uploads', () => {
  it('answers 201 with a presigned POST pinned to the declared size, type and the caller\'s key, and a pending record', async () => {
    const owner = newUser();
    const before = Date.now();
    const response = await requestUpload(owner, { name: 'Holiday photo.png', contentType: 'image/png', size: 1234, visibility: 'private' });

    expect(response.statusCode).toBe(201);
    const ticket = response.body as UploadTicket;
    expect(ticket.fileId).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(ticket.upload.url).toContain(bucket());
    const key = keyOf(owner.userId, ticket.fileId);
    expect(ticket.upload.fields).toMatchObject({ key, 'Content-Type': 'image/png' });
    const expiresIn = (Date.parse(ticket.expiresAt) - before) / 1000;
    expect(expiresIn).toBeGreaterThan(backend.storage.uploadUrlExpiresInSeconds - 5);
    expect(expiresIn).toBeLessThanOrEqual(backend.storage.uploadUrlExpiresInSeconds + 1);

    const policy = policyOf(ticket);
    expect(Math.abs(Date.parse(policy.expiration) - Date.parse(ticket.expiresAt))).toBeLessThan(2000);
    expect(policy.conditions).toEqual(
      expect.arrayContaining([['content-length-range', 1234, 1234], ['eq', '$Content-Type', 'image/png'], { key }, { bucket: bucket() }]),
    );
    // Nothing in the policy lets the key vary.
    expect(JSON.stringify(policy.conditions)).not.toContain('starts-with');

    const listed = await listFiles(owner);
    expect(listed.body).toEqual({
      items: [{ fileId: ticket.fileId, name: 'Holiday photo.png', contentType: 'image/png', size: 1234, visibility: 'private', status: 'pending', createdAt: expect.any(String) }],
      nextCursor: null,
    });
    const got = await getFile(owner, ticket.fileId);
    expect(got.body).toMatchObject({ status: 'pending', downloadUrl: null });
  });

  it('accepts a type admitted by a wildcard (image/*) and the exact types configured, and defaults to private', async () => {
    for (const contentType of ['image/webp', 'image/svg+xml', 'application/pdf', 'text/plain; charset=utf-8']) {
      const response = await requestUpload(newUser(), { name: 'x', contentType, size: 10 });
      expect(response.statusCode, contentType).toBe(201);
    }
    const owner = newUser();
    const ticket = (await requestUpload(owner, { name: 'x.png', contentType: 'image/png', size: 10 })).body as UploadTicket;
    expect((await getFile(owner, ticket.fileId)).body).toMatchObject({ visibility: 'private' });
  });

  type Refusal = { name: string; body: unknown; path: string; message?: RegExp };
  const refusals: Refusal[] = [
    { name: 'a size over the configured maximum', body: { name: 'big.png', contentType: 'image/png', size: MAX + 1 }, path: 'size', message: new RegExp(`${MAX}`) },
    { name: 'a type that is not allowed', body: { name: 'page.html', contentType: 'text/html', size: 10 }, path: 'contentType', message: /image\/\*, application\/pdf, text\/plain/ },
    { name: 'a type that only looks like an allowed wildcard', body: { name: 'x', contentType: 'imagex/png', size: 10 }, path: 'contentType' },
    { name: 'a malformed type', body: { name: 'x', contentType: 'png', size: 10 }, path: 'contentType' },
    { name: 'a size of zero', body: { name: 'x', contentType: 'image/png', size: 0 }, path: 'size' },
    { name: 'a fractional size', body: { name: 'x', contentType: 'image/png', size: 1.5 }, path: 'size' },
    { name: 'no name', body: { contentType: 'image/png', size: 10 }, path: 'name' },
    { name: 'an empty name', body: { name: '  ', contentType: 'image/png', size: 10 }, path: 'name' },
    { name: 'an unknown visibility', body: { name: 'x', contentType: 'image/png', size: 10, visibility: 'shared' }, path: 'visibility' },
    { name: 'an unknown field', body: { name: 'x', contentType: 'image/png', size: 10, key: 'files/someone-else/x' }, path: 'key' },
  ];

  it.each(refusals)('refuses $name with 400 ValidationFailed naming the field, and records nothing', async ({ body, path, message }) => {
    const owner = newUser();
    const response = await requestUpload(owner, body);

    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [expect.objectContaining({ path })] } });
    if (message) expect((response.body as { error: { message: string } }).error.message).toMatch(message);
    expect((await listFiles(owner)).body).toEqual({ items: [], nextCursor: null });
  });

  describe('with an Idempotency-Key (a create route)', () => {
    const body = { name: 'retry.png', contentType: 'image/png', size: 77 };

    it('answers a retry with the first response and records one file only', async () => {
      const owner = newUser();
      const key = `upload-${owner.userId}`;
      const first = await requestUpload(owner, body, { 'idempotency-key': key });
      const retry = await requestUpload(owner, body, { 'idempotency-key': key });

      expect(first.statusCode).toBe(201);
      expect(retry.statusCode).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(((await listFiles(owner)).body as { items: unknown[] }).items).toHaveLength(1);
    });

    it('answers 409 Conflict for the same key with another body, and keeps keys apart per caller', async () => {
      const owner = newUser();
      const key = `upload-${owner.userId}`;
      const first = await requestUpload(owner, body, { 'idempotency-key': key });

      const changed = await requestUpload(owner, { ...body, size: 78 }, { 'idempotency-key': key });
      expect(changed.statusCode).toBe(409);
      expect(changed.body).toMatchObject({ error: { code: 'Conflict' } });

      const someoneElse = await requestUpload(newUser(), body, { 'idempotency-key': key });
      expect(someoneElse.statusCode).toBe(201);
      expect((someoneElse.body as UploadTicket).fileId).not.toBe((first.body as UploadTicket).fileId);
    });

    it('refuses a malformed key with 400', async () => {
      const response = await requestUpload(newUser(), body, { 'idempotency-key': 'not a valid key!' });
      expect(response.statusCode).toBe(400);
    });
  });

  it('answers 401 without a caller', async () => {
    const response = await requestUpload(undefined, { name: 'x', contentType: 'image/png', size: 10 });
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });
});

describe('the presigned POST, sent as a browser sends it (multipart/form-data)', () => {
  async function ticketFor(size: number, contentType = 'image/png') {
    const owner = newUser();
    const ticket = (await requestUpload(owner, { name: 'photo.png', contentType, size })).body as UploadTicket;
    return { owner, ticket, key: keyOf(owner.userId, ticket.fileId) };
  }

  it('stores exactly the declared bytes, with the declared type, under the caller\'s key', async () => {
    const bytes = randomBytes(2048);
    const { ticket, key } = await ticketFor(bytes.length);

    const response = await postForm(ticket, bytes, { origin: 'http://localhost:5173' });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).not.toBeNull();
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(bytes)).toBe(true);
    expect(stored.ContentType).toBe('image/png');
  });

  type StorageRefusal = {
    name: string;
    send: (bytes: Buffer) => { bytes: Buffer; fields?: Record<string, string> };
    status: number;
    code: string;
  };
  const storageRefusals: StorageRefusal[] = [
    { name: 'more bytes than declared', send: (bytes) => ({ bytes: Buffer.concat([bytes, Buffer.from('x')]) }), status: 400, code: 'EntityTooLarge' },
    { name: 'fewer bytes than declared', send: (bytes) => ({ bytes: bytes.subarray(1) }), status: 400, code: 'EntityTooSmall' },
    { name: 'another Content-Type', send: (bytes) => ({ bytes, fields: { 'Content-Type': 'text/html' } }), status: 403, code: 'AccessDenied' },
    { name: 'another key (another user\'s prefix)', send: (bytes) => ({ bytes, fields: { key: 'files/someone-else/stolen' } }), status: 403, code: 'AccessDenied' },
  ];

  it.each(storageRefusals)('is refused by the storage itself for $name ($status $code), storing nothing', async ({ send, status, code }) => {
    const bytes = randomBytes(256);
    const { ticket, key } = await ticketFor(bytes.length);
    const sent = send(bytes);

    const response = await postForm(ticket, sent.bytes, { fields: sent.fields });

    expect(response.status).toBe(status);
    expect(s3ErrorOf(await response.text()).code).toBe(code);
    expect(await objectExists(key)).toBe(false);
    expect(await objectExists('files/someone-else/stolen')).toBe(false);
  });
});
