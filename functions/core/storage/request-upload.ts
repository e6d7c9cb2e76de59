/**
 * POST /storage/uploads: a `pending` file record and a presigned POST that admits exactly the
 * declared bytes — size pinned by content-length-range, Content-Type by an exact match, the key
 * built here from the caller's id, a short expiry. File bytes never pass through Lambda.
 */
import type { Caller } from '../config/access-rules.js';
import { ValidationError } from '../errors.js';
import { isAllowedContentType, objectKeyFor, type FileRecord, type FileVisibility } from './file-record.js';
import type { StorageDependencies, UploadForm } from './storage-ports.js';

export type UploadRequest = { name: string; contentType: string; size: number; visibility: FileVisibility };

export type UploadTicket = { fileId: string; upload: UploadForm; expiresAt: string };

/** How long a pending record outlives its upload URL before the table may forget it. */
const PENDING_RECORD_GRACE_MS = 24 * 60 * 60 * 1000;

export async function requestUpload(
  deps: Pick<StorageDependencies, 'records' | 'objects' | 'clock' | 'newFileId' | 'settings'>,
  caller: Caller,
  request: UploadRequest,
): Promise<UploadTicket> {
  const { settings } = deps;
  if (request.size > settings.maxFileSize) {
    throw new ValidationError(`size: the largest file allowed is ${settings.maxFileSize} bytes.`, {
      details: [{ path: 'size', message: `At most ${settings.maxFileSize} bytes` }],
    });
  }
  if (!isAllowedContentType(request.contentType, settings.allowedContentTypes)) {
    const allowed = settings.allowedContentTypes.join(', ');
    throw new ValidationError(`contentType: "${request.contentType}" is not allowed; allowed types: ${allowed}.`, {
      details: [{ path: 'contentType', message: `Not allowed; use one of: ${allowed}` }],
    });
  }

  const fileId = deps.newFileId();
  const key = objectKeyFor(caller.userId, fileId);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + settings.uploadUrlExpiresInSeconds * 1000);
  const upload = await deps.objects.presignUpload({
    key,
    contentType: request.contentType,
    size: request.size,
    expiresInSeconds: settings.uploadUrlExpiresInSeconds,
  });
  const record: FileRecord = {
    fileId,
    ownerId: caller.userId,
    key,
    name: request.name,
    contentType: request.contentType,
    size: request.size,
    visibility: request.visibility,
    status: 'pending',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  // Written before the form is handed out, so the object-created event always finds it.
  await deps.records.create(record, new Date(expiresAt.getTime() + PENDING_RECORD_GRACE_MS));
  return { fileId, upload, expiresAt: expiresAt.toISOString() };
}
