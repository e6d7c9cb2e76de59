import { createDocumentOperation } from '../contract/data.js';
import type { Caller } from '../core/config/access-rules.js';
import { httpHandler } from '../shared/http-handler.js';
import { created } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { documents, etagHeader } from './documents-wiring.js';

const createOnce = idempotentOperation(
  'createDocument',
  async (input: { caller: Caller | undefined; collection: string; body: unknown }) => {
    const document = await documents.create(input.caller, input.collection, input.body);
    return created(document, etagHeader(document));
  },
);

export const handler = httpHandler(createDocumentOperation, ({ params, body, caller, headers, event }) =>
  createOnce(headers['idempotency-key'], caller, event.requestContext.http.sourceIp, { caller, collection: params.collection, body }),
);
