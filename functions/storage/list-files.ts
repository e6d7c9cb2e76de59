/** 🔒 GET /storage/files → 200 a page of the caller's files, newest first. */
import { listFiles } from '../core/storage/manage-files.js';
import { listFilesOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { systemClock } from '../core/clock.js';
import { fileCursors, fileRecords } from './storage-wiring.js';

const deps = { records: fileRecords(), cursors: fileCursors(), clock: systemClock };

export const handler = httpHandler(listFilesOperation, async ({ caller, query }) => ok(await listFiles(deps, caller, query)));
