/** 🔒 DELETE /storage/files/{fileId} → 204 (owner or admin): object and record are gone; a retry after a failure finishes. */
import { deleteFile } from '../core/storage/manage-files.js';
import { deleteFileOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { systemClock } from '../core/clock.js';
import { fileRecords, storageSettings, storedObjects } from './storage-wiring.js';

const deps = { records: fileRecords(), objects: storedObjects(), settings: storageSettings, clock: systemClock };

export const handler = httpHandler(deleteFileOperation, async ({ caller, params }) => {
  await deleteFile(deps, caller, params.fileId);
  return noContent();
});
