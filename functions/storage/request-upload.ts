/**
 * 🔒 POST /storage/uploads → 201 `{ fileId, upload: { url, fields }, expiresAt }`.
 * A create route: a retry with the same Idempotency-Key gets the first answer (the same file and
 * form) and records nothing again (functions/shared/idempotency.ts).
 */
import { UnauthorizedError } from '../core/errors.js';
import { requestUpload, type UploadRequest } from '../core/storage/request-upload.js';
import { requestUploadOperation } from '../contract/storage.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { systemClock } from '../core/clock.js';
import { fileObjects, fileRecords, newFileId, storageSettings } from './storage-wiring.js';

const deps = { records: fileRecords(), objects: fileObjects(), clock: systemClock, newFileId, settings: storageSettings };

const requestUploadOnce = idempotentOperation('requestUpload', async (caller, request: UploadRequest) => {
  if (!caller) throw new UnauthorizedError();
  return created(await requestUpload(deps, caller, request));
});

export const handler = httpHandler(requestUploadOperation, (request) => requestUploadOnce(request, request.body));
