/** The storage operations of the HTTP contract (docs/api/files.md). */
import * as z from '../core/zod.js';
import { defineOperation, type Operation } from './operation.js';
import { pageOf, pageQuerySchema } from './shared-schemas.js';

export const fileIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a file id'));

/** `type/subtype`, optionally with parameters (`text/plain; charset=utf-8`). */
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;

export const fileSchema = z
  .object({
    fileId: z.string(),
    name: z.string(),
    contentType: z.string(),
    size: z.number().check(z.int()),
    visibility: z.enum(['private', 'public']),
    /** `rejected`: the uploaded object did not match what was declared, and was deleted. */
    status: z.enum(['pending', 'ready', 'rejected']),
    createdAt: z.string(),
  })
  .register(z.globalRegistry, { id: 'File' });

export const requestUploadBodySchema = z.strictObject({
  name: z
    .string()
    .check(
      z.trim(),
      z.minLength(1, 'Required'),
      z.maxLength(255, 'At most 255 characters'),
      z.refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'No control characters'),
    ),
  contentType: z.string().check(z.trim(), z.maxLength(255, 'At most 255 characters'), z.regex(MEDIA_TYPE, 'A MIME type such as "image/png"')),
  size: z.number().check(z.int('A whole number of bytes'), z.minimum(1, 'At least 1 byte')),
  visibility: z._default(z.enum(['private', 'public']), 'private'),
});

export const requestUploadOperation = defineOperation({
  operationId: 'requestUpload',
  method: 'POST',
  path: '/storage/uploads',
  auth: 'required',
  summary:
    'Declares a file and returns a presigned POST that accepts exactly that size and content type: send `upload.fields`, then the file (field `file`), as multipart/form-data to `upload.url` before `expiresAt`. The file turns `ready` once the storage has checked it.',
  tag: 'storage',
  body: requestUploadBodySchema,
  idempotent: true,
  responses: {
    201: {
      description: 'The file record (pending) and its upload form',
      schema: z.object({
        fileId: z.string(),
        upload: z.object({ url: z.string(), fields: z.record(z.string(), z.string()) }),
        expiresAt: z.string(),
      }),
    },
  },
});

export const listFilesOperation = defineOperation({
  operationId: 'listFiles',
  method: 'GET',
  path: '/storage/files',
  auth: 'required',
  summary: "The caller's files, newest first.",
  tag: 'storage',
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of files', schema: pageOf(fileSchema) } },
});

export const getFileOperation = defineOperation({
  operationId: 'getFile',
  method: 'GET',
  path: '/storage/files/{fileId}',
  auth: 'optional',
  summary:
    'A file and, once it is ready, a download URL valid for 15 minutes. Public ready files can be read without a token; other files only by their owner and admins (else 404).',
  tag: 'storage',
  params: z.object({ fileId: fileIdSchema }),
  responses: {
    200: {
      description: 'The file; `downloadUrl` is null until the file is ready',
      schema: z.extend(fileSchema, { downloadUrl: z.nullable(z.string()) }).register(z.globalRegistry, { id: 'FileWithDownload' }),
    },
  },
});

export const deleteFileOperation = defineOperation({
  operationId: 'deleteFile',
  method: 'DELETE',
  path: '/storage/files/{fileId}',
  auth: 'required',
  summary: 'Deletes a file, object and record (owner or admin).',
  tag: 'storage',
  params: z.object({ fileId: fileIdSchema }),
  responses: { 204: { description: 'Deleted' } },
});

export const storageOperations: readonly Operation[] = [requestUploadOperation, listFilesOperation, getFileOperation, deleteFileOperation];
