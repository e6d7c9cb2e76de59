import { batchDocumentsOperation } from '../contract/data.js';
import type { Caller } from '../core/config/access-rules.js';
import { runBatch, type BatchOperation } from '../core/documents/document-batch.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { documentStore, documents } from './documents-wiring.js';

const batchOnce = idempotentOperation('batchDocuments', async (input: { caller: Caller; operations: BatchOperation[] }) =>
  ok(await runBatch(documents, documentStore, input.caller, input.operations)),
);

export const handler = httpHandler(batchDocumentsOperation, ({ body, caller, headers, event }) =>
  batchOnce(headers['idempotency-key'], caller, event.requestContext.http.sourceIp, { caller, operations: body.operations }),
);
