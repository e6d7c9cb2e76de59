/**
 * Listing, reading and deleting files, with the storage access rules:
 * - the owner and members of the admin group may see and delete a file in any status;
 * - anyone else, signed in or not, may read a `public` file once it is `ready`;
 * - everything else is 404, never 403, so a file's existence does not leak.
 * A download URL is given for `ready` files only (`downloadUrl: null` while pending or rejected).
 */
import { z } from 'zod';
import type { Caller } from '../config/access-rules.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { toFileView, type FileRecord, type FileView } from './file-record.js';
import type { FilePosition, StorageDependencies } from './storage-ports.js';

/** Presigned GETs last 15 minutes at most (API.md). */
export const DOWNLOAD_URL_EXPIRES_IN_SECONDS = 15 * 60;

export type FilePage = { items: FileView[]; nextCursor: string | null };
export type FileWithDownload = FileView & { downloadUrl: string | null };

const positionSchema = z.strictObject({ c: z.string().min(1).max(64), f: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/) });
/** A cursor is valid only for the list it came from: this caller's files. */
const cursorScope = (ownerId: string) => ({ list: 'files', caller: ownerId });

/** GET /storage/files: the caller's files, newest first. */
export async function listFiles(
  deps: Pick<StorageDependencies, 'records' | 'cursors'>,
  caller: Caller,
  page: { limit: number; cursor?: string },
): Promise<FilePage> {
  const scope = cursorScope(caller.userId);
  let after: FilePosition | undefined;
  if (page.cursor !== undefined) {
    const position = positionSchema.safeParse((await deps.cursors()).decode(page.cursor, scope));
    // Signed by us for this caller, yet not a files position: a cursor of another list.
    if (!position.success) throw new ValidationError('The cursor is not valid for this list.', { details: [{ path: 'cursor', message: 'Invalid cursor' }] });
    after = { createdAt: position.data.c, fileId: position.data.f };
  }
  // The owner's partition comes from the caller, never from the cursor.
  const { items, next } = await deps.records.listByOwner(caller.userId, { limit: page.limit, after });
  return {
    items: items.map(toFileView),
    nextCursor: next ? (await deps.cursors()).encode({ c: next.createdAt, f: next.fileId }, scope) : null,
  };
}

/** GET /storage/files/{fileId}: metadata, plus a short-lived download URL once the file is ready. */
export async function getFile(
  deps: Pick<StorageDependencies, 'records' | 'objects' | 'settings'>,
  caller: Caller | undefined,
  fileId: string,
): Promise<FileWithDownload> {
  const record = await deps.records.get(fileId);
  if (!record || !mayRead(record, caller, deps.settings.adminGroup)) throw new NotFoundError('No such file.');
  const downloadUrl =
    record.status === 'ready'
      ? await deps.objects.presignDownload({ key: record.key, fileName: record.name, expiresInSeconds: DOWNLOAD_URL_EXPIRES_IN_SECONDS })
      : null;
  return { ...toFileView(record), downloadUrl };
}

/**
 * DELETE /storage/files/{fileId}. The record goes first: an upload that lands afterwards (its
 * presigned POST may still be valid) finds no record, and the trigger deletes it.
 */
export async function deleteFile(
  deps: Pick<StorageDependencies, 'records' | 'objects' | 'settings'>,
  caller: Caller,
  fileId: string,
): Promise<void> {
  const record = await deps.records.get(fileId);
  if (!record || !mayManage(record, caller, deps.settings.adminGroup)) throw new NotFoundError('No such file.');
  const deleted = await deps.records.delete(fileId);
  if (!deleted) throw new NotFoundError('No such file.');
  await deps.objects.delete([deleted.key]);
}

function mayManage(record: FileRecord, caller: Caller | undefined, adminGroup: string): boolean {
  return caller !== undefined && (caller.userId === record.ownerId || caller.groups.includes(adminGroup));
}

function mayRead(record: FileRecord, caller: Caller | undefined, adminGroup: string): boolean {
  return mayManage(record, caller, adminGroup) || (record.visibility === 'public' && record.status === 'ready');
}
