/**
 * Listing, reading and deleting files, with the storage access rules:
 * - the owner and members of the admin group may see and delete a file in any status;
 * - anyone else, signed in or not, may read a `public` file once it is `ready`;
 * - everything else is 404, never 403, so a file's existence does not leak;
 * - an expired record (DynamoDB forgets it only lazily) and one being deleted do not exist.
 * A download URL is given for `ready` files only (`downloadUrl: null` while pending or rejected);
 * it is served `inline` only for passive types, as an `attachment` otherwise, and always with the
 * recorded Content-Type.
 */
import type { Caller } from '../config/access-rules.js';
import { NotFoundError, ValidationError } from '../errors.js';
import * as z from '../zod.js';
import { downloadDispositionFor, isLive, toFileView, type FileRecord, type FileView, type LiveFileRecord } from './file-record.js';
import type { FilePosition, StorageDependencies, StoredObjects } from './storage-ports.js';

/** Presigned GETs last 15 minutes at most (docs/api). */
export const DOWNLOAD_URL_EXPIRES_IN_SECONDS = 15 * 60;

export type FilePage = { items: FileView[]; nextCursor: string | null };
export type FileWithDownload = FileView & { downloadUrl: string | null };

const positionSchema = z.strictObject({
  c: z.string().check(z.minLength(1), z.maxLength(64)),
  f: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/)),
});
/** A cursor is valid only for the list it came from: this caller's files. */
const cursorScope = (ownerId: string) => ({ list: 'files', caller: ownerId });

/** GET /storage/files: the caller's files, newest first. */
export async function listFiles(
  deps: Pick<StorageDependencies, 'records' | 'cursors' | 'clock'>,
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
  const { items, next } = await deps.records.listByOwner(caller.userId, { limit: page.limit, after, now: deps.clock.now() });
  return {
    items: items.map(toFileView),
    nextCursor: next ? (await deps.cursors()).encode({ c: next.createdAt, f: next.fileId }, scope) : null,
  };
}

/** GET /storage/files/{fileId}: metadata, plus a short-lived download URL once the file is ready. */
export async function getFile(
  deps: Pick<StorageDependencies, 'records' | 'objects' | 'settings' | 'clock'>,
  caller: Caller | undefined,
  fileId: string,
): Promise<FileWithDownload> {
  const record = await deps.records.get(fileId, deps.clock.now());
  if (!record || !isLive(record) || !mayRead(record, caller, deps.settings.adminGroup)) throw new NotFoundError('No such file.');
  return withDownload(deps, record);
}

/** The file's view, plus a short-lived download URL once it is `ready` (null before). */
export async function withDownload(deps: Pick<StorageDependencies, 'objects'>, record: LiveFileRecord): Promise<FileWithDownload> {
  const downloadUrl =
    record.status === 'ready'
      ? await deps.objects.presignDownload({
          key: record.key,
          fileName: record.name,
          contentType: record.contentType,
          disposition: downloadDispositionFor(record.contentType),
          expiresInSeconds: DOWNLOAD_URL_EXPIRES_IN_SECONDS,
        })
      : null;
  return { ...toFileView(record), downloadUrl };
}

/**
 * DELETE /storage/files/{fileId}, in three steps that a retry can always finish:
 * 1. the record becomes a `deleting` tombstone: clients no longer see the file, and the trigger
 *    deletes any upload that lands for it from now on (its presigned POST may still be valid);
 * 2. the object is deleted — if that fails, the client gets an error and a retry finds the
 *    tombstone (an owner or admin may still delete it) and carries on;
 * 3. the record goes; an upload landing afterwards finds no record, and the trigger deletes it.
 */
export async function deleteFile(
  deps: Pick<StorageDependencies, 'records' | 'settings' | 'clock'> & { objects: StoredObjects },
  caller: Caller,
  fileId: string,
): Promise<void> {
  const record = await deps.records.get(fileId, deps.clock.now());
  if (!record || !mayManage(record, caller, deps.settings.adminGroup)) throw new NotFoundError('No such file.');
  if (record.status !== 'deleting' && !(await deps.records.markDeleting(fileId))) throw new NotFoundError('No such file.');
  await deps.objects.delete([record.key]);
  await deps.records.delete(fileId);
}

function mayManage(record: FileRecord, caller: Caller | undefined, adminGroup: string): boolean {
  return caller !== undefined && (caller.userId === record.ownerId || caller.groups.includes(adminGroup));
}

function mayRead(record: FileRecord, caller: Caller | undefined, adminGroup: string): boolean {
  return mayManage(record, caller, adminGroup) || (record.visibility === 'public' && record.status === 'ready');
}
