/**
 * The file objects in the bucket, without signing: HeadObject for the upload check, and deletes.
 * Its own module (S3FileObjectStore adds the presigned URLs) so that a function that only checks
 * or erases objects carries no presigner in its bundle.
 *
 * Deletes are one DeleteObject per key, not DeleteObjects: S3 requires a checksum of the
 * DeleteObjects body, so that one command brings the SDK's flexible-checksums middleware (13 KB)
 * into every function that deletes a file (`DELETE /me`, file delete, the upload check). Callers
 * pass one key, or a page of at most 100 (`DELETE /me`), sent a few at a time; both commands need
 * the same `s3:DeleteObject` grant, and deleting a missing key succeeds either way.
 */
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import pMap from 'p-map';
import { TooManyRequestsError } from '../core/errors.js';
import type { StoredObject, StoredObjects } from '../core/storage/storage-ports.js';

/** DeleteObject requests in flight at once (the client's connection pool holds 50). */
const DELETE_CONCURRENCY = 16;

export class S3StoredObjects implements StoredObjects {
  constructor(
    protected readonly client: S3Client,
    protected readonly bucket: string,
  ) {}

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: head.ContentLength ?? 0, contentType: head.ContentType };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw translate(error);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    try {
      await pMap(keys, (Key) => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key })), { concurrency: DELETE_CONCURRENCY });
    } catch (error) {
      throw translate(error);
    }
  }
}

function isNotFound(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'NotFound' || name === 'NoSuchKey' || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

function translate(error: unknown): unknown {
  const name = (error as { name?: string })?.name;
  if (name === 'SlowDown' || name === 'ThrottlingException') return new TooManyRequestsError(undefined, { cause: error });
  return error;
}
