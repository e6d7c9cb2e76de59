/** GET /storage/files/{fileId} (token optional) → 200 the file, with a download URL once ready. */
import { getFile } from '../core/storage/manage-files.js';
import { getFileOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { createFileObjects, createFileRecords, storageSettings, systemClock } from './storage-dependencies.js';

const deps = { records: createFileRecords(), objects: createFileObjects(), settings: storageSettings, clock: systemClock };

export const handler = httpHandler(getFileOperation, async ({ caller, params }) =>
  ok(await getFile(deps, caller, params.fileId), { 'cache-control': 'private, no-store' }),
);
