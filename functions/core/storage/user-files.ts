/**
 * Everything one user has in storage, for account export (GET /me/export) and account deletion
 * (DELETE /me). Both walk the user's records on byOwnerCreated page by page: a Query per page,
 * never a scan.
 *
 * @example
 * const files = await listUserFiles({ records }, userId);            // FileView[], newest first
 * const { deleted } = await deleteUserFiles({ records, objects }, userId);
 */
import { toFileView, type FileView } from './file-record.js';
import type { FilePosition, FileRecordStore, StorageDependencies } from './storage-ports.js';

/** Records per Query page (and per delete batch). */
const PAGE_SIZE = 100;

type PageOptions = { pageSize?: number };

/** Every file record of `userId`, whatever its status, newest first. */
export async function listUserFiles(deps: { records: FileRecordStore }, userId: string, options: PageOptions = {}): Promise<FileView[]> {
  const files: FileView[] = [];
  let after: FilePosition | undefined;
  do {
    const page = await deps.records.listByOwner(userId, { limit: options.pageSize ?? PAGE_SIZE, after });
    files.push(...page.items.map(toFileView));
    after = page.next;
  } while (after);
  return files;
}

/**
 * Deletes every file of `userId`: records, then their objects, page by page. Records go first so
 * that an upload landing meanwhile finds no record and is deleted by the trigger. Safe to run
 * again after a failure.
 */
export async function deleteUserFiles(
  deps: Pick<StorageDependencies, 'records' | 'objects'>,
  userId: string,
  options: PageOptions = {},
): Promise<{ deleted: number }> {
  let deleted = 0;
  let after: FilePosition | undefined;
  do {
    const page = await deps.records.listByOwner(userId, { limit: options.pageSize ?? PAGE_SIZE, after });
    if (page.items.length > 0) {
      await deps.records.deleteMany(page.items.map((record) => record.fileId));
      await deps.objects.delete(page.items.map((record) => record.key));
      deleted += page.items.length;
    }
    after = page.next;
  } while (after);
  return { deleted };
}
