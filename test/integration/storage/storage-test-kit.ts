/**
 * Shared steps of the storage integration tests: callers, the four routes through callHttp, a
 * browser's multipart form POST to a presigned form, and the trigger run with S3's event shape.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { createS3Client } from '../../../functions/adapters/aws-clients.js';
import type { FileRecord, FileStatus } from '../../../functions/core/storage/file-record.js';
import type { FileObjectStore, FileRecordStore } from '../../../functions/core/storage/storage-ports.js';
import { newFileId } from '../../../functions/storage/storage-wiring.js';
import { handler as deleteFileHandler } from '../../../functions/storage/delete-file.js';
import { handler as getFileHandler } from '../../../functions/storage/get-file.js';
import { handler as listFilesHandler } from '../../../functions/storage/list-files.js';
import { handler as requestUploadHandler } from '../../../functions/storage/request-upload.js';
import { handler as verifyUploadHandler } from '../../../functions/storage/verify-upload.js';
import { encodeEventKey } from '../../../local/emulators/s3/object-created-events.js';
import { callHttp, lambdaContext, type HttpResponse } from '../../fixtures/lambda.js';

export const bucket = () => process.env.LAMBASE_BUCKET_NAME!;
export const s3 = createS3Client();

export type TestCaller = { userId: string; groups: string[] } | undefined;

export const newUser = (groups: string[] = []): NonNullable<TestCaller> => ({ userId: randomUUID(), groups });
export const newAdmin = () => newUser(['admin']);

const claimsOf = (caller: TestCaller) => (caller ? { claims: { sub: caller.userId, username: caller.userId, 'cognito:groups': caller.groups, token_use: 'access' } } : {});

export type UploadBody = { name: string; contentType: string; size: number; visibility?: 'private' | 'public' };
export type UploadTicket = { fileId: string; upload: { url: string; fields: Record<string, string> }; expiresAt: string };

export function requestUpload(caller: TestCaller, body: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> {
  return callHttp(requestUploadHandler, { method: 'POST', path: '/storage/uploads', routeKey: 'POST /storage/uploads', json: body, headers, ...claimsOf(caller) });
}

export function listFiles(caller: TestCaller, query = ''): Promise<HttpResponse> {
  return callHttp(listFilesHandler, { method: 'GET', path: '/storage/files', routeKey: 'GET /storage/files', rawQueryString: query, ...claimsOf(caller) });
}

export function getFile(caller: TestCaller, fileId: string): Promise<HttpResponse> {
  return callHttp(getFileHandler, {
    method: 'GET',
    path: `/storage/files/${fileId}`,
    routeKey: 'GET /storage/files/{fileId}',
    pathParameters: { fileId },
    ...claimsOf(caller),
  });
}

export function deleteFile(caller: TestCaller, fileId: string): Promise<HttpResponse> {
  return callHttp(deleteFileHandler, {
    method: 'DELETE',
    path: `/storage/files/${fileId}`,
    routeKey: 'DELETE /storage/files/{fileId}',
    pathParameters: { fileId },
    ...claimsOf(caller),
  });
}

/** What a browser sends for the upload form: the fields in order, then the file. */
export function postForm(ticket: UploadTicket, bytes: Uint8Array, options: { fields?: Record<string, string>; fileType?: string; origin?: string } = {}): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...ticket.upload.fields, ...options.fields })) form.append(name, value);
  form.append('file', new Blob([bytes], { type: options.fileType ?? ticket.upload.fields['Content-Type'] }), 'upload.bin');
  return fetch(ticket.upload.url, { method: 'POST', body: form, headers: options.origin ? { origin: options.origin } : {} });
}

/** The ObjectCreated record S3 sends for `key` (key form-encoded, as S3 does). */
export function objectCreatedEvent(key: string, size: number, eventName = 'ObjectCreated:Post'): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: process.env.AWS_REGION ?? 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: 'AWS:TEST' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'TEST', 'x-amz-id-2': 'TEST' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'test',
          bucket: { name: bucket(), ownerIdentity: { principalId: 'TEST' }, arn: `arn:aws:s3:::${bucket()}` },
          object: { key: encodeEventKey(key), size, eTag: 'etag', sequencer: '0A' },
        },
      },
    ],
  };
}

export async function runTrigger(event: S3Event): Promise<void> {
  await (verifyUploadHandler as unknown as (event: S3Event, context: ReturnType<typeof lambdaContext>) => Promise<void>)(event, lambdaContext('verify-upload'));
}

export async function objectExists(key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
    return true;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFound') return false;
    throw error;
  }
}

export async function putObject(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: bytes, ContentType: contentType }));
}

export const keyOf = (ownerId: string, fileId: string) => `files/${ownerId}/${fileId}`;

/** Asks for an upload, posts the bytes like a browser, and runs the trigger as S3 would. */
export async function uploadReadyFile(
  owner: NonNullable<TestCaller>,
  options: { visibility?: 'private' | 'public'; contentType?: string; name?: string; bytes?: Uint8Array } = {},
): Promise<{ fileId: string; bytes: Uint8Array; key: string }> {
  const bytes = options.bytes ?? randomBytes(512);
  const requested = await requestUpload(owner, {
    name: options.name ?? 'photo.png',
    contentType: options.contentType ?? 'image/png',
    size: bytes.length,
    visibility: options.visibility ?? 'private',
  });
  if (requested.statusCode !== 201) throw new Error(`upload request answered ${requested.statusCode}: ${JSON.stringify(requested.body)}`);
  const ticket = requested.body as UploadTicket;
  const posted = await postForm(ticket, bytes);
  if (posted.status !== 204) throw new Error(`form POST answered ${posted.status}: ${await posted.text()}`);
  const key = keyOf(owner.userId, ticket.fileId);
  await runTrigger(objectCreatedEvent(key, bytes.length));
  return { fileId: ticket.fileId, bytes, key };
}

/**
 * `objects` whose deletes fail the first `failures` times (S3 refusing or unreachable), and which
 * may run `afterDelete` after each delete that succeeds.
 */
export function objectsFailingDelete(
  objects: FileObjectStore,
  failures: number,
  afterDelete: (keys: readonly string[]) => Promise<void> = async () => undefined,
): FileObjectStore {
  let left = failures;
  return {
    presignUpload: (input) => objects.presignUpload(input),
    presignDownload: (input) => objects.presignDownload(input),
    head: (key) => objects.head(key),
    delete: async (keys) => {
      if (left > 0) {
        left -= 1;
        throw new Error('S3 is unavailable');
      }
      await objects.delete(keys);
      await afterDelete(keys);
    },
  };
}

/**
 * Writes a file record straight to the table, as it would be `createdAt`, up for expiry at
 * `expireAt` (in the past: an abandoned upload or an old rejection DynamoDB has not removed yet).
 */
export async function writeRecord(
  records: FileRecordStore,
  owner: NonNullable<TestCaller>,
  options: { status: FileStatus; createdAt: Date; expireAt: Date; name?: string },
): Promise<FileRecord> {
  const fileId = newFileId();
  const record: FileRecord = {
    fileId,
    ownerId: owner.userId,
    key: keyOf(owner.userId, fileId),
    name: options.name ?? `${options.status}.png`,
    contentType: 'image/png',
    size: 10,
    visibility: 'private',
    status: options.status,
    createdAt: options.createdAt.toISOString(),
    updatedAt: options.createdAt.toISOString(),
  };
  await records.create(record, options.expireAt);
  return record;
}

/** The code and message of an S3 XML error. */
export function s3ErrorOf(xml: string): { code: string | undefined; message: string | undefined } {
  return { code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1] };
}
