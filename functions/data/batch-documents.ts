import { batchDocumentsOperation } from '../contract/data.js';
import { runBatch, type BatchOperation } from '../core/documents/document-batch.js';
import { UnauthorizedError } from '../core/errors.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { documentService, documentStore } from './data-wiring.js';

const store = documentStore();
const documents = documentService(store);

const batchOnce = idempotentOperation('batchDocuments', async (caller, operations: BatchOperation[]) => {
  if (!caller) throw new UnauthorizedError();
  return ok(await runBatch(documents, store, caller, operations));
});

export const handler = httpHandler(batchDocumentsOperation, (request) => batchOnce(request, request.body.operations));
