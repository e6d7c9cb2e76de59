/**
 * 🔒 POST /storage/uploads → 201 `{ fileId, upload: { url, fields }, expiresAt }`.
 * A create route: a retry with the same Idempotency-Key gets the first answer (the same file and
 * form) and records nothing again (functions/shared/idempotency.ts).
 */
import type { Caller } from '../core/config/access-rules.js';
import { requestUpload, type UploadRequest } from '../core/storage/request-upload.js';
import { requestUploadOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { createFileObjects, createFileRecords, newFileId, storageSettings, systemClock } from './storage-dependencies.js';

const deps = { records: createFileRecords(), objects: createFileObjects(), clock: systemClock, newFileId, settings: storageSettings };

const requestUploadOnce = idempotentOperation('requestUpload', async (input: { caller: Caller; request: UploadRequest }) =>
  created(await requestUpload(deps, input.caller, input.request)),
);

export const handler = httpHandler(requestUploadOperation, ({ caller, body, headers, event }) =>
  requestUploadOnce(headers['idempotency-key'], caller, event.requestContext.http.sourceIp, { caller, request: body }),
);
