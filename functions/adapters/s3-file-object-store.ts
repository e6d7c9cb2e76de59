/**
 * File objects in the bucket: presigned POSTs for browser uploads (the policy pins the exact size,
 * the exact Content-Type and the exact key), presigned GETs for downloads, HeadObject for the
 * upload check, and deletes. Signing happens locally with the function's own credentials, so a
 * presigned POST can do no more than the function's `s3:PutObject` grant on `files/*` allows.
 */
import { DeleteObjectsCommand, GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { TooManyRequestsError } from '../core/errors.js';
import type { DownloadDisposition } from '../core/storage/file-record.js';
import type { FileObjectStore, StoredObject, UploadForm } from '../core/storage/storage-ports.js';

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

export class S3FileObjectStore implements FileObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async presignUpload(input: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<UploadForm> {
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: input.key,
      Conditions: [
        ['content-length-range', input.size, input.size],
        ['eq', '$Content-Type', input.contentType],
      ],
      // Fields are added to the policy as exact matches too; the key always is.
      Fields: { 'Content-Type': input.contentType },
      Expires: input.expiresInSeconds,
    });
    return { url, fields };
  }

  /**
   * The response headers are part of the signature (`response-content-type`,
   * `response-content-disposition`), so the URL's holder cannot change how the object is served.
   */
  async presignDownload(input: {
    key: string;
    fileName: string;
    contentType: string;
    disposition: DownloadDisposition;
    expiresInSeconds: number;
  }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: input.key,
      ResponseContentType: input.contentType,
      ResponseContentDisposition: contentDisposition(input.disposition, input.fileName),
    });
    return getSignedUrl(this.client, command, { expiresIn: input.expiresInSeconds });
  }

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

/** `inline` or `attachment`, with the original name: an ASCII fallback and the exact UTF-8 name (RFC 6266). */
function contentDisposition(disposition: DownloadDisposition, fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${exact}`;
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
