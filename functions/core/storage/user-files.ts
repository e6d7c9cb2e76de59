/**
 * Everything one user has in storage, for account export (GET /me/export) and account deletion
 * (DELETE /me). Both walk the user's records on byOwnerCreated page by page: a Query per page,
 * never a scan.
 *
 * @example
 * const files = await listUserFiles({ records, clock }, userId);     // FileView[], newest first
 * const { deleted } = await deleteUserFiles({ records, objects }, userId);
 */
import { isLive, toFileView, type FileView } from './file-record.js';
import type { FilePosition, StorageDependencies, StoredObjects } from './storage-ports.js';

/** Records per Query page (and per delete batch). */
const PAGE_SIZE = 100;
/** Tombstones written at once. */
const MARK_CONCURRENCY = 10;

type PageOptions = { pageSize?: number };

/** Every file of `userId` a client may see (any status but expired or being deleted), newest first. */
export async function listUserFiles(
  deps: Pick<StorageDependencies, 'records' | 'clock'>,
  userId: string,
  options: PageOptions = {},
): Promise<FileView[]> {
  const now = deps.clock.now();
  const files: FileView[] = [];
  let after: FilePosition | undefined;
  do {
    const page = await deps.records.listByOwner(userId, { limit: options.pageSize ?? PAGE_SIZE, after, now });
    files.push(...page.items.map(toFileView));
    after = page.next;
  } while (after);
  return files;
}

/**
 * Deletes every file of `userId` — every record, expired and half-deleted ones included, and its
 * object — page by page, in an order a retry can always finish:
 * 1. the page's records become `deleting` tombstones, so the trigger deletes any upload that
 *    lands for them from now on (a presigned POST may still be valid);
 * 2. the page's objects are deleted: every object that landed before its tombstone;
 * 3. the page's records go: an upload landing afterwards finds no record and the trigger deletes it.
 * If a step fails, the records are still there (tombstoned), so running this again finishes the
 * job; `deleted` counts the records removed by this run.
 */
export async function deleteUserFiles(
  deps: Pick<StorageDependencies, 'records'> & { objects: StoredObjects },
  userId: string,
  options: PageOptions = {},
): Promise<{ deleted: number }> {
  let deleted = 0;
  let after: FilePosition | undefined;
  do {
    const page = await deps.records.listAllByOwner(userId, { limit: options.pageSize ?? PAGE_SIZE, after });
    if (page.items.length > 0) {
      // Statuses only ever leave `deleting` by the record's deletion, so a tombstone seen is one.
      const toMark = page.items.filter(isLive);
      for (let start = 0; start < toMark.length; start += MARK_CONCURRENCY) {
        await Promise.all(toMark.slice(start, start + MARK_CONCURRENCY).map((record) => deps.records.markDeleting(record.fileId)));
      }
      await deps.objects.delete(page.items.map((record) => record.key));
      await deps.records.deleteMany(page.items.map((record) => record.fileId));
      deleted += page.items.length;
    }
    after = page.next;
  } while (after);
  return { deleted };
}
