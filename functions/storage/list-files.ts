/** 🔒 GET /storage/files → 200 a page of the caller's files, newest first. */
import { listFiles } from '../core/storage/manage-files.js';
import { listFilesOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { createFileCursors, createFileRecords, systemClock } from './storage-dependencies.js';

const deps = { records: createFileRecords(), cursors: createFileCursors(), clock: systemClock };

export const handler = httpHandler(listFilesOperation, async ({ caller, query }) => ok(await listFiles(deps, caller, query)));
