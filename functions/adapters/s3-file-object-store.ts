/**
 * File objects in the bucket: presigned POSTs for browser uploads (the policy pins the exact size,
 * the exact Content-Type and the exact key), presigned GETs for downloads, HeadObject for the
 * upload check, and deletes — through the few signed requests of ./s3-requests.ts, not the S3
 * client. Signing happens locally with the function's own credentials, so a presigned POST can do
 * no more than the function's `s3:PutObject` grant on `files/*` allows.
 */
import { createHash } from 'node:crypto';
import { TooManyRequestsError } from '../core/errors.js';
import type { DownloadDisposition } from '../core/storage/file-record.js';
import type { FileObjectStore, StoredObject, UploadForm } from '../core/storage/storage-ports.js';
import { S3RequestError, S3Requests } from './s3-requests.js';

/** DeleteObjects takes at most this many keys. */
const DELETE_BATCH = 1000;

export class S3FileObjectStore implements FileObjectStore {
  private readonly s3: S3Requests;

  constructor(bucket: string) {
    this.s3 = new S3Requests(bucket);
  }

  async presignUpload(input: { key: string; contentType: string; size: number; expiresInSeconds: number }): Promise<UploadForm> {
    return this.s3.presignPost(input.key, {
      // Fields are added to the policy as exact matches too; the key always is.
      fields: { 'Content-Type': input.contentType },
      conditions: [
        ['content-length-range', input.size, input.size],
        ['eq', '$Content-Type', input.contentType],
      ],
      expiresInSeconds: input.expiresInSeconds,
    });
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
    const query = { 'response-content-disposition': contentDisposition(input.disposition, input.fileName), 'response-content-type': input.contentType };
    return this.s3.presignGet(input.key, query, input.expiresInSeconds);
  }

  async head(key: string): Promise<StoredObject | undefined> {
    try {
      const { headers } = await this.s3.send({ method: 'HEAD', key });
      return { size: Number(headers['content-length'] ?? 0), contentType: headers['content-type'] };
    } catch (error) {
      if (error instanceof S3RequestError && error.status === 404) return undefined;
      throw translate(error);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += DELETE_BATCH) {
      const batch = keys.slice(start, start + DELETE_BATCH);
      const body = `<Delete><Quiet>true</Quiet>${batch.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join('')}</Delete>`;
      try {
        const response = await this.s3.send({
          method: 'POST',
          query: { delete: '' },
          // S3 wants DeleteObjects' body checksummed.
          headers: { 'content-type': 'application/xml', 'content-md5': createHash('md5').update(body).digest('base64') },
          body,
        });
        const errors = [...response.body.matchAll(/<Error>([\s\S]*?)<\/Error>/g)].map(([, error]) => ({
          key: /<Key>([^<]*)<\/Key>/.exec(error!)?.[1],
          code: /<Code>([^<]*)<\/Code>/.exec(error!)?.[1],
          message: /<Message>([^<]*)<\/Message>/.exec(error!)?.[1],
        }));
        if (errors.length > 0) {
          const first = errors[0]!;
          throw new Error(`S3 could not delete ${errors.length} object(s), first ${first.key}: ${first.code} ${first.message}`);
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

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function translate(error: unknown): unknown {
  const name = (error as { name?: string })?.name;
  if (name === 'SlowDown' || name === 'ThrottlingException') return new TooManyRequestsError(undefined, { cause: error });
  return error;
}
