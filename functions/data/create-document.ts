import { createDocumentOperation } from '../contract/data.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { documents, etagHeader } from './documents-wiring.js';

const createOnce = idempotentOperation('createDocument', async (caller, input: { collection: string; body: unknown }) => {
  const document = await documents.create(caller, input.collection, input.body);
  return created(document, etagHeader(document));
});

export const handler = httpHandler(createDocumentOperation, (request) =>
  createOnce(request, { collection: request.params.collection, body: request.body }),
);
