/**
 * The file objects in the bucket, without signing: HeadObject for the upload check, and deletes.
 * Its own module (S3FileObjectStore adds the presigned URLs) so that a function that only checks
 * or erases objects carries no presigner in its bundle.
 */
import { DeleteObjectsCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { TooManyRequestsError } from '../core/errors.js';
import type { StoredObject, StoredObjects } from '../core/storage/storage-ports.js';

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

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
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      try {
        const { Errors = [] } = await this.client.send(
          new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        );
        if (Errors.length > 0) {
          const first = Errors[0]!;
          throw new Error(`S3 could not delete ${Errors.length} object(s), first ${first.Key}: ${first.Code} ${first.Message}`);
        }
      } catch (error) {
        throw translate(error);
      }
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
