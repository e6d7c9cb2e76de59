import { batchDocumentsOperation } from '../contract/data.js';
import { runBatch, type BatchOperation } from '../core/documents/document-batch.js';
import { UnauthorizedError } from '../core/errors.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { documentStore, documents } from './documents-wiring.js';

const batchOnce = idempotentOperation('batchDocuments', async (caller, operations: BatchOperation[]) => {
  if (!caller) throw new UnauthorizedError();
  return ok(await runBatch(documents, documentStore, caller, operations));
});

export const handler = httpHandler(batchDocumentsOperation, (request) => batchOnce(request, request.body.operations));
