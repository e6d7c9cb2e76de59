/**
 * File objects in the bucket: presigned POSTs for browser uploads (the policy pins the exact size,
 * the exact Content-Type and the exact key) and presigned GETs for downloads, beside the HeadObject
 * and deletes of S3StoredObjects. Signing happens locally with the function's own credentials, so a
 * presigned POST can do no more than the function's `s3:PutObject` grant on `files/*` allows.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { DownloadDisposition } from '../core/storage/file-record.js';
import type { FileObjectStore, UploadForm } from '../core/storage/storage-ports.js';
import { S3StoredObjects } from './s3-stored-objects.js';

export class S3FileObjectStore extends S3StoredObjects implements FileObjectStore {
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
}

/** `inline` or `attachment`, with the original name: an ASCII fallback and the exact UTF-8 name (RFC 6266). */
function contentDisposition(disposition: DownloadDisposition, fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(fileName).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
