/**
 * Reading a browser form upload (POST to the bucket, multipart/form-data) the way S3 reads it:
 * field names are case-insensitive, the file is the last field that counts, `${filename}` in the
 * key is replaced by the uploaded file's name.
 */
import type { IncomingMessage } from 'node:http';
import { S3Error } from './s3-error.js';

/**
 * The most a form upload may carry locally. Real S3 takes up to 5 GB per POST, but the front holds
 * the body in memory to check it, and a policy for local development never needs that much.
 */
export const MAX_FORM_UPLOAD_BYTES = 100 * 1024 * 1024;

export type FormUploadRequest = {
  /** Fields sent before the file, by lower-cased name; later duplicates are ignored. */
  readonly fields: ReadonlyMap<string, string>;
  readonly file: { readonly name: string; readonly content: Blob };
};

/**
 * Buffers (up to {@link MAX_FORM_UPLOAD_BYTES}) and parses a form upload.
 *
 * @returns the fields and file, or the S3 error for a body S3 would not accept as an upload.
 */
export async function readFormUpload(req: IncomingMessage): Promise<FormUploadRequest | S3Error> {
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    return new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
  }
  const body = await readBody(req, MAX_FORM_UPLOAD_BYTES);
  if (body === undefined) {
    return new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', { MaxSizeAllowed: MAX_FORM_UPLOAD_BYTES });
  }
  let form: FormData;
  try {
    form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
  } catch {
    return new S3Error('MalformedPOSTRequest', 400, 'The body of your POST request is not well-formed multipart/form-data.');
  }
  const fields = new Map<string, string>();
  let file: FormUploadRequest['file'] | undefined;
  for (const [name, value] of form) {
    const lowerName = name.toLowerCase();
    if (lowerName === 'file') {
      // S3 ignores every field after the file.
      file = typeof value === 'string' ? { name: '', content: new Blob([value]) } : { name: value.name, content: value };
      break;
    }
    if (typeof value === 'string' && !fields.has(lowerName)) fields.set(lowerName, value);
  }
  if (file === undefined) {
    return new S3Error('InvalidArgument', 400, 'POST requires exactly one file upload per request.', { ArgumentName: 'file', ArgumentValue: 0 });
  }
  const key = fields.get('key');
  if (key === undefined) {
    return new S3Error('InvalidArgument', 400, "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { ArgumentName: 'key', ArgumentValue: '' });
  }
  if (key === '') {
    return new S3Error('InvalidArgument', 400, 'User key must have a length greater than 0.', { ArgumentName: 'key', ArgumentValue: '' });
  }
  return { fields, file };
}

/** The object key S3 stores the upload under: the key field with `${filename}` filled in. */
export function objectKeyOf(upload: FormUploadRequest): string {
  return (upload.fields.get('key') ?? '').replaceAll('${filename}', upload.file.name);
}

/** Re-encodes a verified upload for s3rver: lower-cased names it understands, the resolved key, the file last. */
export async function encodeForStore(upload: FormUploadRequest): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  for (const [name, value] of upload.fields) form.append(name, name === 'key' ? objectKeyOf(upload) : value);
  form.append('file', upload.file.content, upload.file.name || 'file');
  const encoded = new Response(form);
  return { body: Buffer.from(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type') ?? '' };
}

/**
 * The whole body, or undefined as soon as it is known to exceed `limit` bytes. The rest is left
 * unread (not destroyed) so that the refusal can still be sent; the caller closes the connection.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', reject);
      req.pause();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      chunks.push(chunk);
      if (size > limit) {
        stop();
        resolve(undefined);
      }
    };
    const onEnd = (): void => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    req.on('data', onData).on('end', onEnd).on('error', reject);
  });
}
