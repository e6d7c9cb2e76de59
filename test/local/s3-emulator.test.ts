import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeS3EventKey } from '../../functions/core/storage/s3-event-key.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { localS3ClientOptions, startS3, type LocalS3, type S3ObjectCreatedRecord } from '../../local/emulators/s3/start-s3.js';

const BUCKET = 'lambase-test-uploads';
const APP_ORIGIN = 'http://localhost:5173';
const OTHER_ORIGIN = 'http://evil.example';

describe('local S3 emulator', () => {
  let dataDir: string;
  let s3: LocalS3;
  let client: S3Client;
  const events: S3ObjectCreatedRecord[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'lambase-s3-'));
    s3 = await startS3({ dataDir, buckets: [{ name: BUCKET, allowedOrigins: [APP_ORIGIN] }] });
    s3.onObjectCreated((record) => events.push(record));
    client = clientFor(s3);
  });

  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  /** A presigned POST like the storage API hands out: exact size, exact Content-Type, one key. */
  function presignUpload(key: string, size: number, options: { expiresInSeconds?: number; extra?: { conditions: PresignedPostCondition[]; fields: Record<string, string> } } = {}): Promise<PresignedPost> {
    return createPresignedPost(client, {
      Bucket: BUCKET,
      Key: key,
      Conditions: [['content-length-range', size, size], ['eq', '$Content-Type', 'image/png'], { key }, ...(options.extra?.conditions ?? [])],
      Fields: { 'Content-Type': 'image/png', ...options.extra?.fields },
      Expires: options.expiresInSeconds ?? 300,
    });
  }

  async function isStored(key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return true;
    } catch (error) {
      if ((error as { name?: string }).name === 'NotFound') return false;
      throw error;
    }
  }

  async function readObject(key: string): Promise<{ bytes: Buffer; contentType: string | undefined }> {
    const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { bytes: Buffer.from(await object.Body!.transformToByteArray()), contentType: object.ContentType };
  }

  function eventFor(key: string): Promise<S3ObjectCreatedRecord> {
    return vi.waitFor(() => {
      const record = events.find((one) => decodeS3EventKey(one.s3.object.key) === key);
      if (!record) throw new Error(`no ObjectCreated event for ${key} yet`);
      return record;
    });
  }

  describe('browser form upload (presigned POST)', () => {
    it('stores an upload that satisfies its policy, byte for byte, and reports ObjectCreated:Post', async () => {
      const key = 'avatars/user 1/photo.png';
      const bytes = randomBytes(1536);
      const upload = await presignUpload(key, bytes.length);

      const response = await postForm(upload.url, upload.fields, bytes, APP_ORIGIN);

      expect(response.status).toBe(204);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('etag')).toBe(`"${md5(bytes)}"`);
      const stored = await readObject(key);
      expect(stored.bytes.equals(bytes)).toBe(true);
      expect(stored.contentType).toBe('image/png');
      const record = await eventFor(key);
      expect(record).toMatchObject({
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventName: 'ObjectCreated:Post',
        s3: {
          bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` },
          object: { key: 'avatars/user+1/photo.png', size: bytes.length, eTag: md5(bytes) },
        },
      });
      expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    });

    it('answers success_action_status 201 with the PostResponse document', async () => {
      const key = 'docs/report.png';
      const bytes = randomBytes(64);
      const upload = await presignUpload(key, bytes.length, { extra: { conditions: [{ success_action_status: '201' }], fields: { success_action_status: '201' } } });

      const response = await postForm(upload.url, upload.fields, bytes, APP_ORIGIN);

      expect(response.status).toBe(201);
      const body = unescapeXml(await response.text());
      expect(body).toContain(`<Key>${key}</Key>`);
      expect(body).toContain(`<ETag>"${md5(bytes)}"</ETag>`);
    });

    type Refusal = {
      name: string;
      tamper: (upload: PresignedPost, bytes: Buffer) => { fields: Record<string, string>; bytes: Buffer };
      expiresInSeconds?: number;
      expectStatus: number;
      expectCode: string;
      expectMessage: string;
    };
    const refusals: Refusal[] = [
      {
        name: 'more bytes than declared',
        tamper: ({ fields }, bytes) => ({ fields, bytes: Buffer.concat([bytes, Buffer.from('!')]) }),
        expectStatus: 400,
        expectCode: 'EntityTooLarge',
        expectMessage: 'Your proposed upload exceeds the maximum allowed size',
      },
      {
        name: 'fewer bytes than declared',
        tamper: ({ fields }, bytes) => ({ fields, bytes: bytes.subarray(1) }),
        expectStatus: 400,
        expectCode: 'EntityTooSmall',
        expectMessage: 'Your proposed upload is smaller than the minimum allowed size',
      },
      {
        name: 'another Content-Type',
        tamper: ({ fields }, bytes) => ({ fields: { ...fields, 'Content-Type': 'text/html' }, bytes }),
        expectStatus: 403,
        expectCode: 'AccessDenied',
        expectMessage: 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "image/png"]',
      },
      {
        name: 'another key',
        tamper: ({ fields }, bytes) => ({ fields: { ...fields, key: 'avatars/someone-else.png' }, bytes }),
        expectStatus: 403,
        expectCode: 'AccessDenied',
        expectMessage: 'Invalid according to Policy: Policy Condition failed: ["eq", "$key",',
      },
      {
        name: 'an expired policy',
        tamper: ({ fields }, bytes) => ({ fields, bytes }),
        expiresInSeconds: -1,
        expectStatus: 403,
        expectCode: 'AccessDenied',
        expectMessage: 'Invalid according to Policy: Policy expired.',
      },
      {
        name: 'a tampered signature',
        tamper: ({ fields }, bytes) => ({ fields: { ...fields, 'X-Amz-Signature': flipFirstHexDigit(fields['X-Amz-Signature']!) }, bytes }),
        expectStatus: 403,
        expectCode: 'SignatureDoesNotMatch',
        expectMessage: 'The request signature we calculated does not match the signature you provided.',
      },
      {
        name: 'a policy rewritten to allow more bytes',
        tamper: ({ fields }, bytes) => {
          const policy = Buffer.from(fields.Policy!, 'base64').toString('utf8').replace(/"content-length-range",(\d+),(\d+)/, '"content-length-range",0,1000000');
          return { fields: { ...fields, Policy: Buffer.from(policy).toString('base64') }, bytes: Buffer.concat([bytes, bytes]) };
        },
        expectStatus: 403,
        expectCode: 'SignatureDoesNotMatch',
        expectMessage: 'The request signature we calculated does not match the signature you provided.',
      },
      {
        name: 'a field the policy does not list',
        tamper: ({ fields }, bytes) => ({ fields: { ...fields, 'x-amz-meta-owner': 'admin' }, bytes }),
        expectStatus: 403,
        expectCode: 'AccessDenied',
        expectMessage: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
      },
    ];

    it.each(refusals)('refuses $name with $expectStatus $expectCode and stores nothing', async ({ tamper, expiresInSeconds, expectStatus, expectCode, expectMessage }) => {
      const key = `refused/${randomBytes(6).toString('hex')}.png`;
      const bytes = randomBytes(256);
      const upload = await presignUpload(key, bytes.length, expiresInSeconds === undefined ? {} : { expiresInSeconds });
      const sent = tamper(upload, bytes);

      const response = await postForm(upload.url, sent.fields, sent.bytes, APP_ORIGIN);

      expect(response.status).toBe(expectStatus);
      // The browser that made the upload can read why it was refused.
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(response.headers.get('content-type')).toBe('application/xml');
      const error = parseError(await response.text());
      expect(error.code).toBe(expectCode);
      expect(error.message).toContain(expectMessage);
      expect(await isStored(key)).toBe(false);
      expect(await isStored('avatars/someone-else.png')).toBe(false);
      expect(events.some((record) => decodeS3EventKey(record.s3.object.key) === key)).toBe(false);
    });

    it('refuses a body larger than the local limit before reading it', async () => {
      const response = await rawRequest(s3.endpoint, `/${BUCKET}`, {
        method: 'POST',
        headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(200 * 1024 * 1024), origin: APP_ORIGIN },
        body: '--x\r\n',
      });

      expect(response.status).toBe(400);
      expect(parseError(response.body).code).toBe('EntityTooLarge');
    });

    it('answers a CORS preflight from an allowed origin, and not from another one', async () => {
      const preflight = (origin: string): Promise<Response> =>
        fetch(`${s3.endpoint}/${BUCKET}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });

      const allowed = await preflight(APP_ORIGIN);
      expect(allowed.status).toBe(200);
      expect(allowed.headers.get('access-control-allow-origin')).toMatch(/^(\*|http:\/\/localhost:5173)$/);
      expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');

      const refused = await preflight(OTHER_ORIGIN);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('presigned URLs', () => {
    const key = 'shared/report final.pdf';
    const bytes = randomBytes(2048);

    beforeAll(async () => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, ContentType: 'application/pdf' }));
    });

    it('serves a presigned GET and HEAD', async () => {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
      const response = await fetch(url, { headers: { origin: APP_ORIGIN } });
      expect(response.status).toBe(200);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);

      const headUrl = await getSignedUrl(client, new HeadObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
      const head = await fetch(headUrl, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(bytes.length));
    });

    it('accepts a presigned PUT from a browser, preflight included', async () => {
      const uploadKey = 'shared/put by browser.png';
      const uploadBytes = randomBytes(512);
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: BUCKET, Key: uploadKey }), { expiresIn: 60 });

      const preflight = await fetch(url, { method: 'OPTIONS', headers: { origin: APP_ORIGIN, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'content-type' } });
      expect(preflight.status).toBe(200);
      const put = await fetch(url, { method: 'PUT', body: uploadBytes, headers: { origin: APP_ORIGIN, 'content-type': 'image/png' } });
      expect(put.status).toBe(200);
      expect(put.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);

      expect((await readObject(uploadKey)).bytes.equals(uploadBytes)).toBe(true);
    });

    it('refuses an expired presigned GET', async () => {
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60, signingDate: new Date(Date.now() - 61_000) });

      const response = await fetch(url, { headers: { origin: APP_ORIGIN } });

      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
      expect(parseError(await response.text())).toEqual({ code: 'AccessDenied', message: 'Request has expired' });
    });

    it('refuses a presigned URL pointed at another object', async () => {
      const otherKey = 'shared/other.pdf';
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: otherKey, Body: 'secret' }));
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });

      const response = await fetch(url.replace(encodeURIComponent('report final.pdf'), 'other.pdf'));

      expect(response.status).toBe(403);
      expect(parseError(await response.text()).code).toBe('SignatureDoesNotMatch');
    });

    it('refuses a URL signed for another region', async () => {
      const elsewhere = new S3Client({ ...clientOptions(s3), region: 'eu-west-1' });
      const url = await getSignedUrl(elsewhere, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
      elsewhere.destroy();

      const response = await fetch(url);

      expect(response.status).toBe(400);
      expect(parseError(await response.text()).message).toContain("the region 'eu-west-1' is wrong; expecting 'us-east-1'");
    });
  });

  describe('SDK calls', () => {
    it('puts, gets and deletes an object with identical bytes', async () => {
      const key = 'sdk/every-byte.bin';
      const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => index % 256));

      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes, ContentType: 'application/octet-stream' }));
      expect(put.ETag).toBe(`"${md5(bytes)}"`);
      expect((await readObject(key)).bytes.equals(bytes)).toBe(true);
      expect((await eventFor(key)).eventName).toBe('ObjectCreated:Put');

      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
      await expect(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).rejects.toMatchObject({ name: 'NoSuchKey' });
    });

    it('stores the bytes a client without localS3ClientOptions streams (aws-chunked)', async () => {
      const key = 'sdk/streamed.bin';
      const bytes = randomBytes(100_000);
      const defaultClient = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: LOCAL_CREDENTIALS, forcePathStyle: true });

      await defaultClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Readable.from([bytes.subarray(0, 40_000), bytes.subarray(40_000)]), ContentLength: bytes.length }));
      defaultClient.destroy();

      const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(bytes)).toBe(true);
      expect(stored.ContentEncoding).toBeUndefined();
    });

    it('pages through ListObjectsV2 with continuation tokens', async () => {
      const keys = ['list/a', 'list/b c', 'list/d&e', 'list/f', 'list/g'];
      for (const key of keys) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));

      const seen: string[] = [];
      const pageSizes: number[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'list/', MaxKeys: 2, ContinuationToken: token }));
        seen.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        pageSizes.push(page.KeyCount ?? -1);
        token = page.NextContinuationToken;
      } while (token !== undefined);

      expect(seen).toEqual(keys);
      expect(pageSizes).toEqual([2, 2, 1]);
    });

    it('reports copies and completed multipart uploads under their S3 event names', async () => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'events/source', Body: 'copy me' }));
      await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'events/copy', CopySource: `${BUCKET}/events/source` }));
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'events/multipart' }));
      const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'events/multipart', UploadId, PartNumber: 1, Body: 'one part' }));
      await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'events/multipart', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));

      expect((await eventFor('events/copy')).s3.object).toMatchObject({ size: 7, eTag: md5(Buffer.from('copy me')) });
      expect((await eventFor('events/copy')).eventName).toBe('ObjectCreated:Copy');
      expect((await eventFor('events/multipart')).eventName).toBe('ObjectCreated:CompleteMultipartUpload');
    });
  });
});

describe('local S3 emulator lifecycle', () => {
  it('keeps objects across a restart with the same dataDir, and instances do not share anything', async () => {
    const [firstDir, otherDir] = await Promise.all([mkdtemp(join(tmpdir(), 'lambase-s3-')), mkdtemp(join(tmpdir(), 'lambase-s3-'))]);
    const buckets = [{ name: BUCKET, allowedOrigins: [APP_ORIGIN] }];
    const firstEvents: string[] = [];
    const otherEvents: string[] = [];
    try {
      const first = await startS3({ dataDir: firstDir, buckets });
      const other = await startS3({ dataDir: otherDir, buckets });
      const unsubscribeFirst = first.onObjectCreated((record) => firstEvents.push(record.s3.object.key));
      other.onObjectCreated((record) => otherEvents.push(record.s3.object.key));
      const firstClient = clientFor(first);
      const otherClient = clientFor(other);
      await firstClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.txt', Body: 'still here' }));
      await vi.waitFor(() => expect(firstEvents).toEqual(['kept.txt']));
      await expect(otherClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kept.txt' }))).rejects.toMatchObject({ name: 'NoSuchKey' });
      expect(otherEvents).toEqual([]);

      // A listener that unsubscribed hears nothing more; the others still do (all are told at once).
      const laterEvents: string[] = [];
      first.onObjectCreated((record) => laterEvents.push(record.s3.object.key));
      unsubscribeFirst();
      await firstClient.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'after.txt', Body: 'later' }));
      await vi.waitFor(() => expect(laterEvents).toEqual(['after.txt']));
      expect(firstEvents).toEqual(['kept.txt']);
      firstClient.destroy();
      otherClient.destroy();
      await Promise.all([first.stop(), other.stop()]);
      await expect(fetch(`${first.endpoint}/${BUCKET}/kept.txt`)).rejects.toThrow();

      const restarted = await startS3({ dataDir: firstDir, buckets });
      const restartedClient = clientFor(restarted);
      const object = await restartedClient.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kept.txt' }));
      expect(await object.Body!.transformToString()).toBe('still here');
      restartedClient.destroy();
      await restarted.stop();
    } finally {
      await Promise.all([rm(firstDir, { recursive: true, force: true }), rm(otherDir, { recursive: true, force: true })]);
    }
  });
});

describe('local S3 emulator with a bucket open to every origin', () => {
  it('answers preflights from any origin and lets any page read its refusals', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'lambase-s3-'));
    const s3 = await startS3({ dataDir, buckets: [{ name: BUCKET, allowedOrigins: ['*'] }] });
    try {
      const preflight = await fetch(`${s3.endpoint}/${BUCKET}`, { method: 'OPTIONS', headers: { origin: OTHER_ORIGIN, 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(200);

      // No policy: an anonymous upload, which a private bucket refuses.
      const form = new FormData();
      form.append('key', 'anonymous.txt');
      form.append('file', new Blob(['hi']), 'anonymous.txt');
      const refused = await fetch(`${s3.endpoint}/${BUCKET}`, { method: 'POST', body: form, headers: { origin: OTHER_ORIGIN } });
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBe('*');
      expect(parseError(await refused.text()).code).toBe('AccessDenied');
    } finally {
      await s3.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

type PresignedPostCondition = NonNullable<Parameters<typeof createPresignedPost>[1]['Conditions']>[number];

function clientOptions(s3: LocalS3) {
  return { endpoint: s3.endpoint, region: s3.region, credentials: LOCAL_CREDENTIALS, ...localS3ClientOptions };
}

function clientFor(s3: LocalS3): S3Client {
  return new S3Client(clientOptions(s3));
}

/** What a browser sends for `<form enctype="multipart/form-data">`: the fields, then the file. */
function postForm(url: string, fields: Record<string, string>, bytes: Buffer, origin: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([bytes], { type: 'image/png' }), 'photo.png');
  return fetch(url, { method: 'POST', body: form, headers: { origin } });
}

/** A request fetch cannot make: a Content-Length that promises more than is sent. */
function rawRequest(endpoint: string, path: string, options: { method: string; headers: Record<string, string>; body: string }): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: options.method, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        request.destroy();
      });
    });
    request.on('error', reject);
    request.write(options.body);
  });
}

function parseError(xml: string): { code: string | undefined; message: string | undefined } {
  return { code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1], message: unescapeXml(/<Message>([^<]*)<\/Message>/.exec(xml)?.[1]) };
}

function unescapeXml(text: string): string;
function unescapeXml(text: string | undefined): string | undefined;
function unescapeXml(text: string | undefined): string | undefined {
  return text?.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}


function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

function flipFirstHexDigit(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}
