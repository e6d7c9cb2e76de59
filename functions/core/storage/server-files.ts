/**
 * Files as server-side code (user functions' `ctx.files`) sees them: any user's file records,
 * read on the backend's own authority — the storage access rules do not apply — and short-lived
 * download URLs for the ones that are ready.
 *
 * @example
 * const file = await files.get(event.file.fileId);   // { …, owner, downloadUrl } or undefined
 * const count = await files.count({ owner: userId });
 */
import { isLive } from './file-record.js';
import { withDownload, type FileWithDownload } from './manage-files.js';
import type { StorageDependencies } from './storage-ports.js';

export type ServerFile = FileWithDownload & { owner: string };

export class ServerFiles {
  constructor(private readonly deps: Pick<StorageDependencies, 'records' | 'objects' | 'clock'>) {}

  /** The file (any status but being deleted), or undefined when there is none or it has expired. */
  async get(fileId: string): Promise<ServerFile | undefined> {
    const record = await this.deps.records.get(fileId, this.deps.clock.now());
    if (!record || !isLive(record)) return undefined;
    return { ...(await withDownload(this.deps, record)), owner: record.ownerId };
  }

  /** How many files `owner` has, as `GET /storage/files` would list them (one Query with `Select: COUNT` per MB, no scan). */
  count(options: { owner: string }): Promise<number> {
    return this.deps.records.countByOwner(options.owner, this.deps.clock.now());
  }
}
