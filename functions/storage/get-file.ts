/** GET /storage/files/{fileId} (token optional) → 200 the file, with a download URL once ready. */
import { getFile } from '../core/storage/manage-files.js';
import { getFileOperation } from '../contract/storage.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { systemClock } from '../core/clock.js';
import { fileObjects, fileRecords, storageSettings } from './storage-wiring.js';

const deps = { records: fileRecords(), objects: fileObjects(), settings: storageSettings, clock: systemClock };

export const handler = httpHandler(getFileOperation, async ({ caller, params }) =>
  ok(await getFile(deps, caller, params.fileId), { 'cache-control': 'private, no-store' }),
  { tokens: accessTokens() },
);
