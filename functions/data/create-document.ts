import { createDocumentOperation } from '../contract/data.js';
import { etagHeader } from '../core/documents/precondition.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { documentService } from './data-wiring.js';

const documents = documentService();

const createOnce = idempotentOperation('createDocument', async (caller, input: { collection: string; body: unknown }) => {
  const document = await documents.create(caller, input.collection, input.body);
  return created(document, etagHeader(document));
});

export const handler = httpHandler(createDocumentOperation, (request) =>
  createOnce(request, { collection: request.params.collection, body: request.body }),
  { tokens: accessTokens() },
);
