/** 🔒 DELETE /storage/files/{fileId} → 204 (owner or admin): object and record are gone. */
import { deleteFile } from '../core/storage/manage-files.js';
import { deleteFileOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { createFileObjects, createFileRecords, storageSettings } from './storage-dependencies.js';

const deps = { records: createFileRecords(), objects: createFileObjects(), settings: storageSettings };

export const handler = httpHandler(deleteFileOperation, async ({ caller, params }) => {
  await deleteFile(deps, caller, params.fileId);
  return noContent();
});
